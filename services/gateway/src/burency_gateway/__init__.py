"""Burency API gateway and the embedded-platform launcher (``burency up``)."""

__version__ = "0.1.0"
