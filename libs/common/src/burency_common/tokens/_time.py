"""Time-claim checks (``exp``/``nbf``/``iat``) against an explicit ``now``.

NumericDate values must be finite JSON numbers in a sane range: a ``NaN`` compares
false with everything and would silently pass ``now < exp``, and absurd values
would overflow ``datetime``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from burency_common.tokens._errors import TokenExpired, TokenMalformed, TokenNotYetValid

__all__ = ["check_claims_time", "issued_at_of", "require_aware"]

_MAX_NUMERIC_DATE = 253_402_300_799  # 9999-12-31T23:59:59Z
_PRECISE_IAT = "iat_us"  # see burency_common.tokens._jwt.PRECISE_IAT_CLAIM
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def require_aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return value


def _numeric_date(payload: Mapping[str, Any], name: str) -> float:
    value = payload.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TokenMalformed(f"token claim {name!r} is not a NumericDate")
    if not math.isfinite(value) or not 0 <= value <= _MAX_NUMERIC_DATE:
        raise TokenMalformed(f"token claim {name!r} is out of range")
    return float(value)


def check_claims_time(
    payload: Mapping[str, Any], *, now: datetime, leeway: timedelta
) -> tuple[datetime, datetime]:
    """Check ``exp``, ``nbf`` and ``iat`` with ``leeway``; return ``(issued_at, expires_at)``.

    Semantics follow RFC 7519: expired once ``now >= exp`` (plus leeway); not yet
    valid while ``now < nbf`` (minus leeway); an ``iat`` in the future is also
    refused, since we never issue post-dated tokens.
    """
    exp = _numeric_date(payload, "exp")
    nbf = _numeric_date(payload, "nbf")
    iat = _numeric_date(payload, "iat")
    current = now.timestamp()
    margin = leeway.total_seconds()
    if current - margin >= exp:
        raise TokenExpired()
    if nbf > current + margin:
        raise TokenNotYetValid()
    if iat > current + margin:
        raise TokenNotYetValid("token was issued in the future")
    return issued_at_of(payload), datetime.fromtimestamp(exp, UTC)


def issued_at_of(payload: Mapping[str, Any]) -> datetime:
    """The exact issue instant: ``iat_us`` (microseconds) when present, else ``iat``.

    ``iat_us`` must be an integer lying in the same second as ``iat``: a token whose two
    issue times disagree is malformed, so neither can be used to dodge a revocation.
    """
    iat = _numeric_date(payload, "iat")
    if _PRECISE_IAT not in payload:
        return datetime.fromtimestamp(iat, UTC)
    precise = payload[_PRECISE_IAT]
    if isinstance(precise, bool) or not isinstance(precise, int):
        raise TokenMalformed(f"token claim {_PRECISE_IAT!r} is not an integer")
    if precise < 0 or precise // 1_000_000 != math.floor(iat):
        raise TokenMalformed(f"token claim {_PRECISE_IAT!r} disagrees with 'iat'")
    return _EPOCH + timedelta(microseconds=precise)
