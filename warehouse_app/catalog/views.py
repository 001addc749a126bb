"""Product admin pages."""
