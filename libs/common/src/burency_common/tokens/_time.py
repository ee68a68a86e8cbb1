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

__all__ = ["check_claims_time", "require_aware"]

_MAX_NUMERIC_DATE = 253_402_300_799  # 9999-12-31T23:59:59Z


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
    return datetime.fromtimestamp(iat, UTC), datetime.fromtimestamp(exp, UTC)
