"""Object storage: the port and its two adapters (S3 and a local directory)."""

from burency_files.adapters.storage.port import ObjectStorage, ObjectTooLarge, StoredObject

__all__ = ["ObjectStorage", "ObjectTooLarge", "StoredObject"]
