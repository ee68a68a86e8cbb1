"""Money as integers of minor units: never a float.

Every amount in Burency is an ``int`` counting the smallest unit an asset is kept in
(cents for AED/USD, satoshi for BTC, gwei for ETH ...). The number of decimal places
between the display unit and that minor unit is the asset's *scale*. Amounts cross
the API as decimal strings, so the two converters here are the only place where a
string becomes money or money becomes a string:

* :func:`parse_amount` is deliberately strict. It accepts exactly
  ``-?[0-9]+(\\.[0-9]+)?`` (ASCII digits only: ``re``'s ``\\d`` and ``str.isdigit``
  also match Arabic-Indic and other Unicode digits, which we refuse). So ``.5``,
  ``5.``, ``+5``, ``1e5``, ``1_000``, ``NaN``, ``inf``, surrounding whitespace and the
  empty string are all rejected. Leading zeros (``"007.5"``) are accepted: they do not
  change the value and :func:`format_amount` normalizes them away.
* Fraction digits beyond the scale are accepted only when they are all zeros
  (``"1.500"`` at scale 2 is 150); any non-zero digit there is a precision error,
  never a silent rounding.
* Values must fit a PostgreSQL ``BIGINT``. The range is kept symmetric,
  ``|minor| <= 2**63 - 1``, so negating a valid amount is always valid.

Failures raise :class:`AmountError` (a ``ValueError``, so pydantic validators can
raise it) with a stable machine-readable ``code``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from burency_common.errors import ValidationFailed

__all__ = [
    "MAX_MINOR",
    "MAX_SCALE",
    "MIN_MINOR",
    "AmountError",
    "Asset",
    "AssetKind",
    "AssetRegistry",
    "UnknownAssetError",
    "format_amount",
    "from_decimal",
    "parse_amount",
    "parse_money",
    "to_decimal",
]

MAX_MINOR = 2**63 - 1
"""Largest amount in minor units (PostgreSQL ``BIGINT`` maximum)."""
MIN_MINOR = -MAX_MINOR
"""Smallest amount; symmetric with :data:`MAX_MINOR` so negation never overflows."""
MAX_SCALE = 18
"""Largest supported scale (number of decimal places of the minor unit)."""

# Longest accepted input. 128 characters is far beyond any legitimate amount (the
# largest BIGINT at scale 18 with redundant zeros fits easily) and bounds the work.
_MAX_INPUT_LEN = 128
_MAX_DIGITS = len(str(MAX_MINOR))
_AMOUNT_RE = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?")
_SYMBOL_RE = re.compile(r"[A-Z0-9]{2,10}")

AssetKind = Literal["fiat", "crypto"]


class AmountError(ValueError):
    """An amount string or value that cannot be money. ``code`` is stable for clients.

    Codes: ``INVALID_AMOUNT``, ``AMOUNT_PRECISION_EXCEEDED``, ``NEGATIVE_AMOUNT``,
    ``ZERO_AMOUNT``, ``AMOUNT_TOO_LARGE``.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"AmountError(code={self.code!r}, message={self.message!r})"


class UnknownAssetError(LookupError):
    """Raised by :meth:`AssetRegistry.get` for a symbol that is not registered.

    ``UNKNOWN_ASSET`` is Burency's one code for an asset symbol the deployment does not
    have (422 on the API, :func:`parse_money`); ``UNSUPPORTED_ASSET`` is only for a
    known asset an operation does not handle (AED to a crypto deposit address).
    """

    code = "UNKNOWN_ASSET"

    def __init__(self, symbol: str) -> None:
        super().__init__(f"unknown asset: {symbol!r}")
        self.symbol = symbol
        self.message = f"unknown asset: {symbol!r}"


@dataclass(frozen=True, slots=True)
class Asset:
    """An asset and the scale its amounts are stored at (minor-unit decimal places)."""

    symbol: str
    scale: int
    kind: AssetKind
    name: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.symbol, str) or not _SYMBOL_RE.fullmatch(self.symbol):
            raise ValueError(f"asset symbol must be 2..10 chars of [A-Z0-9]: {self.symbol!r}")
        _check_scale(self.scale)
        if self.kind not in ("fiat", "crypto"):
            raise ValueError(f"asset kind must be 'fiat' or 'crypto': {self.kind!r}")


class AssetRegistry:
    """The assets a deployment trades, looked up by symbol.

    Build one with :meth:`default` or :meth:`from_config`; nothing global is created
    at import time.
    """

    def __init__(self, assets: Iterable[Asset] = ()) -> None:
        self._assets: dict[str, Asset] = {}
        for asset in assets:
            self.register(asset)

    def register(self, asset: Asset) -> None:
        """Add ``asset``; registering a different asset under a taken symbol fails."""
        existing = self._assets.get(asset.symbol)
        if existing is not None and existing != asset:
            raise ValueError(f"asset {asset.symbol!r} is already registered differently")
        self._assets[asset.symbol] = asset

    def get(self, symbol: str) -> Asset:
        """Return the asset for ``symbol`` or raise :class:`UnknownAssetError`."""
        try:
            return self._assets[symbol]
        except (KeyError, TypeError):
            raise UnknownAssetError(str(symbol)) from None

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._assets

    def __iter__(self) -> Iterator[Asset]:
        return iter(list(self._assets.values()))

    def __len__(self) -> int:
        return len(self._assets)

    def symbols(self) -> list[str]:
        """Registered symbols, in registration order."""
        return list(self._assets)

    @classmethod
    def default(cls) -> AssetRegistry:
        """AED 2, USD 2, USDT 6, BTC 8, ETH 9.

        ETH is kept at 9 decimals (gwei), not its native 18 (wei): at scale 18 a
        signed 64-bit ``BIGINT`` tops out at about 9.22 ETH, far too small for a
        balance. At 9 decimals the ceiling is about 9.2 billion ETH, and gwei is
        still finer than any fee or amount a user can move.
        """
        return cls(
            [
                Asset("AED", 2, "fiat", "UAE Dirham"),
                Asset("USD", 2, "fiat", "US Dollar"),
                Asset("USDT", 6, "crypto", "Tether USD"),
                Asset("BTC", 8, "crypto", "Bitcoin"),
                Asset("ETH", 9, "crypto", "Ether"),
            ]
        )

    @classmethod
    def from_config(cls, entries: Iterable[Mapping[str, object]]) -> AssetRegistry:
        """Build a registry from config rows like ``{"symbol": "BTC", "scale": 8,
        "kind": "crypto", "name": "Bitcoin"}`` (``name`` optional)."""
        registry = cls()
        for entry in entries:
            symbol, scale, kind = entry.get("symbol"), entry.get("scale"), entry.get("kind")
            name = entry.get("name", "")
            if not isinstance(symbol, str) or not isinstance(name, str):
                raise ValueError(f"asset config needs string symbol/name: {dict(entry)!r}")
            if not isinstance(scale, int) or isinstance(scale, bool):
                raise ValueError(f"asset config needs an integer scale: {dict(entry)!r}")
            if kind == "fiat":
                registry.register(Asset(symbol, scale, "fiat", name))
            elif kind == "crypto":
                registry.register(Asset(symbol, scale, "crypto", name))
            else:
                raise ValueError(f"asset kind must be 'fiat' or 'crypto': {dict(entry)!r}")
        return registry


def _check_scale(scale: object) -> int:
    if not isinstance(scale, int) or isinstance(scale, bool):
        raise TypeError(f"scale must be an int, got {type(scale).__name__}")
    if not 0 <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be between 0 and {MAX_SCALE}, got {scale}")
    return scale


def _scale_of(asset_or_scale: Asset | int) -> int:
    if isinstance(asset_or_scale, Asset):
        return asset_or_scale.scale
    return _check_scale(asset_or_scale)


def _check_range(value: int) -> int:
    if not MIN_MINOR <= value <= MAX_MINOR:
        raise AmountError("AMOUNT_TOO_LARGE", "amount is too large")
    return value


def parse_amount(
    text: str,
    asset_or_scale: Asset | int,
    *,
    allow_negative: bool = False,
    allow_zero: bool = True,
) -> int:
    """Convert a decimal string such as ``"12.5"`` into integer minor units.

    See the module docstring for the exact grammar. Raises ``TypeError`` for
    anything but a ``str`` (a float must never get this far) and :class:`AmountError`
    otherwise. ``"-0"`` is zero, but still needs ``allow_negative`` because the sign
    is not allowed at all then.
    """
    if not isinstance(text, str):
        raise TypeError(f"amount must be a str, got {type(text).__name__}")
    scale = _scale_of(asset_or_scale)
    match = _AMOUNT_RE.fullmatch(text) if len(text) <= _MAX_INPUT_LEN else None
    if match is None:
        raise AmountError("INVALID_AMOUNT", "amount must be a plain decimal number")
    sign, whole, fraction = match.group(1), match.group(2), match.group(3) or ""
    if sign and not allow_negative:
        raise AmountError("NEGATIVE_AMOUNT", "amount must not be negative")
    if fraction[scale:].strip("0"):
        raise AmountError(
            "AMOUNT_PRECISION_EXCEEDED", f"amount has more than {scale} decimal places"
        )
    digits = (whole + fraction[:scale].ljust(scale, "0")).lstrip("0")
    if len(digits) > _MAX_DIGITS:
        raise AmountError("AMOUNT_TOO_LARGE", "amount is too large")
    value = _check_range(int(digits or "0"))
    if value == 0 and not allow_zero:
        raise AmountError("ZERO_AMOUNT", "amount must not be zero")
    return -value if sign else value


def format_amount(minor: int, asset_or_scale: Asset | int, *, trim: bool = False) -> str:
    """Render minor units as a decimal string: full scale (``"0.01500000"``) by
    default, or with trailing fraction zeros removed when ``trim`` (``"0.015"``,
    ``"1"``). The output always parses back with :func:`parse_amount`."""
    if not isinstance(minor, int) or isinstance(minor, bool):
        raise TypeError(f"minor must be an int, got {type(minor).__name__}")
    scale = _scale_of(asset_or_scale)
    sign = "-" if minor < 0 else ""
    digits = str(abs(minor)).rjust(scale + 1, "0")
    whole, fraction = digits[: len(digits) - scale], digits[len(digits) - scale :]
    if trim:
        fraction = fraction.rstrip("0")
    return f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}"


def to_decimal(minor: int, asset_or_scale: Asset | int) -> Decimal:
    """Exact ``Decimal`` for ``minor`` units (e.g. ``150, 2 -> Decimal("1.50")``)."""
    return Decimal(format_amount(minor, asset_or_scale))


def from_decimal(value: Decimal, asset_or_scale: Asset | int) -> int:
    """Exact minor units for a ``Decimal``; never rounds.

    Raises ``TypeError`` for non-``Decimal`` input and :class:`AmountError` for
    non-finite values, values needing more than the scale's precision, and values
    outside the ``BIGINT`` range. Integer arithmetic only, so the ``decimal``
    context's precision cannot round anything.
    """
    if not isinstance(value, Decimal):
        raise TypeError(f"value must be a Decimal, got {type(value).__name__}")
    scale = _scale_of(asset_or_scale)
    if not value.is_finite():
        raise AmountError("INVALID_AMOUNT", "amount must be a finite number")
    sign, digit_tuple, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite, checked above
    digits = "".join(map(str, digit_tuple)).lstrip("0")
    significant = digits.rstrip("0")
    # value == int(significant) * 10**shift, with no trailing zeros in `significant`
    shift = exponent + scale + len(digits) - len(significant)
    if not significant:
        return 0
    if len(significant) + shift > _MAX_DIGITS:
        raise AmountError("AMOUNT_TOO_LARGE", "amount is too large")
    if shift < 0:
        raise AmountError(
            "AMOUNT_PRECISION_EXCEEDED", f"amount has more than {scale} decimal places"
        )
    minor = int(significant) * 10**shift
    return _check_range(-minor if sign else minor)


def parse_money(
    assets: AssetRegistry,
    asset: str,
    amount: str,
    *,
    field: str = "amount",
    allow_zero: bool = False,
    allow_negative: bool = False,
) -> int:
    """An API amount of ``asset`` → minor units, or a 422 :class:`ValidationFailed`.

    The one parser behind every request that carries money: an unregistered ``asset``
    is ``UNKNOWN_ASSET`` (naming the field ``asset``), a bad amount carries the
    :class:`AmountError` code (naming ``field``). Zero and negative amounts are refused
    unless allowed.
    """
    if asset not in assets:
        message = "unknown asset"
        raise ValidationFailed(
            f"unknown asset {asset[:16]!r}",
            code=UnknownAssetError.code,
            details=[{"field": "asset", "message": message, "code": UnknownAssetError.code}],
        )
    try:
        return parse_amount(
            amount, assets.get(asset), allow_zero=allow_zero, allow_negative=allow_negative
        )
    except AmountError as exc:
        raise ValidationFailed(
            exc.message,
            code=exc.code,
            details=[{"field": field, "message": exc.message, "code": exc.code}],
        ) from None
