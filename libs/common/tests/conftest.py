from __future__ import annotations

import pytest

from burency_common.tokens import KeyRing, SigningKey


@pytest.fixture
def key() -> SigningKey:
    """A fresh Ed25519 signing key (token tests)."""
    return SigningKey.generate()


@pytest.fixture
def ring(key: SigningKey) -> KeyRing:
    return KeyRing(key)
