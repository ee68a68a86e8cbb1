"""Burency user service: profiles, settings, KYC submissions and levels."""

__version__ = "0.1.0"
