from __future__ import annotations

import sys
from pathlib import Path

import pytest

from burency_common.tokens import KeyRing, SigningKey

# Make the ``support`` package (test schema, relay subprocess) importable by tests.
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def key() -> SigningKey:
    """A fresh Ed25519 signing key (token tests)."""
    return SigningKey.generate()


@pytest.fixture
def ring(key: SigningKey) -> KeyRing:
    return KeyRing(key)
