"""Burency notification service: SEND_NOTIFICATION intake, preferences, channels, delivery log."""

__version__ = "0.1.0"
