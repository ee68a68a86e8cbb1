"""entrypoints of the user service."""
