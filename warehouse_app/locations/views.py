"""Location admin pages."""
