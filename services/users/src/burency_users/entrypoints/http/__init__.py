"""entrypoints/http of the user service."""
