"""Helpers shared by the embedded-platform tests."""

from .email import PlatformClient, verify_email

__all__ = ["PlatformClient", "verify_email"]
