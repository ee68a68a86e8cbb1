"""service of the user service."""
