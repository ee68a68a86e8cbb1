"""Burency auth service: credentials, sessions, tokens, roles, 2FA and API keys."""

__version__ = "0.1.0"
