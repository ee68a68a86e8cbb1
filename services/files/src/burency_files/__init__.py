"""Burency file upload service: objects in S3 or a local directory, and their metadata."""

__version__ = "0.1.0"
