"""Test support shipped with the library: a pytest plugin and helpers every service reuses."""
