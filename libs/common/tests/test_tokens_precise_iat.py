"""The exact issue time (``iat_us``) that revocation "issued before T" compares against.

Issue #13 finding 4: with whole-second ``iat`` only, a token issued in the same second
as a role revocation survived it. ``iat_us`` carries the instant to the microsecond.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from burency_common.tokens import (
    PRECISE_IAT_CLAIM,
    KeyRing,
    SigningKey,
    TokenMalformed,
    decode_unverified,
)

from .support.jwt import NOW, TS, claims, issue, rejects, signed, verify


def test_issue_time_is_exact_to_the_microsecond(ring: KeyRing) -> None:
    at = NOW + timedelta(microseconds=123_457)
    verified = verify(issue(ring, now=at), ring, now=at)
    assert verified.issued_at == at
    _, payload = decode_unverified(issue(ring, now=at))
    assert payload["iat"] == TS  # RFC 7519 NumericDate stays a whole second
    assert payload[PRECISE_IAT_CLAIM] == TS * 1_000_000 + 123_457


def test_a_token_without_the_precise_claim_still_verifies(key: SigningKey, ring: KeyRing) -> None:
    assert verify(signed(key, claims()), ring).issued_at == NOW


@pytest.mark.parametrize(
    "value",
    [
        (TS + 1) * 1_000_000,  # another second than iat: could dodge a cut-off
        TS * 1_000_000 - 1,
        float(TS * 1_000_000),
        str(TS * 1_000_000),
        True,
        -1,
    ],
)
def test_a_precise_claim_that_disagrees_with_iat_is_malformed(
    key: SigningKey, ring: KeyRing, value: Any
) -> None:
    rejects(TokenMalformed, "TOKEN_MALFORMED", signed(key, claims(iat_us=value)), ring)


def test_the_precise_claim_cannot_be_set_by_callers(ring: KeyRing) -> None:
    with pytest.raises(ValueError, match="reserved"):
        issue(ring, claims={PRECISE_IAT_CLAIM: 1})
