"""adapters of the user service."""
