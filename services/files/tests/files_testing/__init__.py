"""Test helpers of the files service."""
