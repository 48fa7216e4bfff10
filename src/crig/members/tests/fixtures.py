"""Members fixtures."""
