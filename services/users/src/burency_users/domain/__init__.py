"""domain of the user service."""
