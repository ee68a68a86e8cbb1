"""Price * quantity in integers: ticks, lots and minor units, with a rounding mode at every step.

A market quotes its *price* in ticks and its *quantity* in lots:

* ``price = price_ticks * tick_size`` (quote per one base unit, e.g. ``0.01`` AED),
* ``quantity = qty_lots * lot_size`` (base units, e.g. ``0.0001`` BTC).

Balances are integers of each asset's minor units (:mod:`burency_common.money`). A lot
must be a whole number of base minor units, so ``base_minor(qty_lots)`` is exact. The
quote value of a fill is not always a whole number of quote minor units (0.0001 BTC at
0.01 AED is 0.000001 AED), so every conversion into quote minor units takes an explicit
:class:`Rounding`; nothing rounds implicitly, and no ``float`` or ``Decimal`` context is
involved: the exact value is the fraction ``price_ticks * qty_lots * 10**e (e may be negative)``
and only the final integer division rounds.

Which way to round is a money decision, made by the caller at each step: what a buyer
locks or pays rounds ``UP``, what a seller receives rounds ``DOWN``, fees charged round
``UP`` and rebates ``DOWN``, so the exchange never pays out a fraction it did not take
in, and the difference of a fill (at most one minor unit a side) is a visible amount
the caller books, not a leak.

Python integers do not overflow, but every amount must fit the ledgers' ``BIGINT``
(ETH at scale 18 times a large price passes 2**63 quickly): results outside
``[MIN_MINOR, MAX_MINOR]`` raise :class:`~burency_common.money.AmountError`
``AMOUNT_TOO_LARGE`` instead of reaching a database as a wrong number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from burency_common.money import MAX_MINOR, AmountError, format_amount, parse_amount

__all__ = ["FEE_RATE_SCALE", "MarketGrid", "Rounding", "fee_amount", "parse_fee_rate"]

FEE_RATE_SCALE = 1_000_000
"""Fee rates are integers of millionths (ppm): 0.1 % is 1_000, a 0.01 % rebate is -100."""

_STEP = re.compile(r"0\.0*1|1(0*)")  # a tick or lot size is a power of ten


class Rounding(Enum):
    DOWN = "down"  # toward zero: what the exchange pays out
    UP = "up"  # away from zero: what the exchange takes in
    HALF_EVEN = "half_even"  # statistics only (averages, volumes), never a balance


def _divide(numerator: int, divisor: int, rounding: Rounding) -> int:
    """``numerator / divisor`` as an integer, rounded as asked (``divisor > 0``)."""
    quotient, remainder = divmod(abs(numerator), divisor)
    if remainder and (
        rounding is Rounding.UP
        or (
            rounding is Rounding.HALF_EVEN
            and (2 * remainder > divisor or (2 * remainder == divisor and quotient % 2))
        )
    ):
        quotient += 1
    return -quotient if numerator < 0 else quotient


def _pow10(exponent: int) -> int:
    if exponent < 0:
        raise ValueError("negative power of ten")
    return int(10**exponent)


def _checked(value: int) -> int:
    if abs(value) > MAX_MINOR:
        raise AmountError("AMOUNT_TOO_LARGE", "amount is too large")
    return value


def _power_of_ten_exponent(step: str, what: str) -> int:
    """``"0.01"`` → -2, ``"1"`` → 0, ``"10"`` → 1; anything else is refused."""
    match = _STEP.fullmatch(step)
    if match is None:
        raise ValueError(f"{what} must be a power of ten such as 0.01 or 1, got {step!r}")
    if step.startswith("0."):
        return -(len(step) - 2)
    return len(match.group(1) or "")


@dataclass(frozen=True)
class MarketGrid:
    """The integer grid of one market: its tick and lot sizes against two asset scales.

    ``tick_size`` and ``lot_size`` are decimal strings that are powers of ten (``"0.01"``,
    ``"0.0001"``, ``"1"``); a lot finer than the base asset's minor unit is refused, and
    so is one whose single lot is more minor units than any balance may hold.
    """

    base_scale: int
    quote_scale: int
    tick_size: str
    lot_size: str
    _tick_exp: int = field(init=False, repr=False, compare=False)
    _lot_exp: int = field(init=False, repr=False, compare=False)
    _notional_mul: int = field(init=False, repr=False, compare=False)
    _notional_div: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        tick = _power_of_ten_exponent(self.tick_size, "tick size")
        lot = _power_of_ten_exponent(self.lot_size, "lot size")
        if lot + self.base_scale < 0:
            raise ValueError(
                f"lot size {self.lot_size} is finer than the base asset's minor unit "
                f"(scale {self.base_scale})"
            )
        if 10 ** (lot + self.base_scale) > MAX_MINOR:
            raise ValueError(
                f"lot size {self.lot_size} is more than the largest amount of the base asset "
                f"(scale {self.base_scale})"
            )
        # quote minor units of one tick * one lot = 10 ** (tick + lot + quote_scale)
        exponent = tick + lot + self.quote_scale
        object.__setattr__(self, "_tick_exp", tick)
        object.__setattr__(self, "_lot_exp", lot)
        object.__setattr__(self, "_notional_mul", _pow10(max(exponent, 0)))
        object.__setattr__(self, "_notional_div", _pow10(max(-exponent, 0)))

    # -- strings at the API ------------------------------------------------------------

    def parse_price(self, text: str) -> int:
        """Price string → ticks; ``PRICE_NOT_ON_TICK`` unless a whole number of ticks."""
        return self._parse(text, self._tick_exp, "PRICE_NOT_ON_TICK", "tick size", self.tick_size)

    def parse_quantity(self, text: str) -> int:
        """Quantity string → lots; ``QUANTITY_NOT_ON_LOT`` unless a whole number of lots."""
        return self._parse(text, self._lot_exp, "QUANTITY_NOT_ON_LOT", "lot size", self.lot_size)

    def format_price(self, price_ticks: int) -> str:
        return self._format(price_ticks, self._tick_exp)

    def format_quantity(self, qty_lots: int) -> str:
        return self._format(qty_lots, self._lot_exp)

    # -- integer arithmetic ----------------------------------------------------------

    def base_minor(self, qty_lots: int) -> int:
        """Base minor units of ``qty_lots``: always exact (a lot is whole minor units)."""
        return _checked(qty_lots * _pow10(self._lot_exp + self.base_scale))

    def lots_of_base(self, base_minor: int, rounding: Rounding) -> int:
        """Whole lots in ``base_minor`` base minor units (e.g. "sell my whole balance")."""
        return _divide(base_minor, _pow10(self._lot_exp + self.base_scale), rounding)

    def notional(self, price_ticks: int, qty_lots: int, rounding: Rounding) -> int:
        """Quote minor units of ``qty_lots`` at ``price_ticks``, rounded as asked."""
        exact = price_ticks * qty_lots * self._notional_mul
        return _checked(_divide(exact, self._notional_div, rounding))

    def lots_for_quote(self, quote_minor: int, price_ticks: int, rounding: Rounding) -> int:
        """How many lots ``quote_minor`` buys at ``price_ticks`` (a market buy by amount).

        With ``DOWN``, buying the result never costs more than ``quote_minor``, even with
        the buyer's cost rounded ``UP``: the exact cost is at most ``quote_minor``, an
        integer, so its ceiling is too (a property the tests check).
        """
        if price_ticks <= 0:
            raise ValueError("price must be positive")
        return _divide(quote_minor * self._notional_div, price_ticks * self._notional_mul, rounding)

    # -- helpers -----------------------------------------------------------------------

    @staticmethod
    def _parse(text: str, exponent: int, code: str, what: str, step: str) -> int:
        # parse at the step's own scale; a finer digit is off the grid, not "too precise"
        scale = max(-exponent, 0)
        try:
            units = parse_amount(text, scale)
        except AmountError as exc:
            if exc.code != "AMOUNT_PRECISION_EXCEEDED":
                raise
            raise AmountError(code, f"must be a multiple of the {what} {step}") from None
        if exponent > 0:
            whole, remainder = divmod(units, _pow10(exponent))
            if remainder:
                raise AmountError(code, f"must be a multiple of the {what} {step}")
            return whole
        return units

    @staticmethod
    def _format(units: int, exponent: int) -> str:
        if exponent >= 0:
            return str(units * _pow10(exponent))
        return format_amount(units, -exponent)


def parse_fee_rate(text: str) -> int:
    """``"0.001"`` (0.1 %) → 1_000 ppm; negative allowed (maker rebates), at most ±10 %."""
    rate = parse_amount(text, 6, allow_negative=True)
    if abs(rate) > FEE_RATE_SCALE // 10:
        raise AmountError("FEE_RATE_OUT_OF_RANGE", "fee rate must be between -0.1 and 0.1")
    return rate


def fee_amount(notional_minor: int, rate_ppm: int) -> int:
    """The fee on ``notional_minor`` at ``rate_ppm``: a charge rounds up, a rebate (negative
    rate) rounds toward zero, so the exchange never gives away a fraction of a minor unit."""
    exact = notional_minor * rate_ppm
    rounding = Rounding.UP if exact > 0 else Rounding.DOWN
    return _checked(_divide(exact, FEE_RATE_SCALE, rounding))
