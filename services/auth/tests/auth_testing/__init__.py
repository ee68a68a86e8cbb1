"""Helpers of the auth service tests."""
