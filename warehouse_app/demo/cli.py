"""flask demo seed."""
