"""What the trading use cases (and the HTTP API) need: the engine, the history, a clock.

The engine runs on its own thread behind the runner (``service/runner.py``); the API
reaches it only through :class:`EngineAccess` (submit a command, run a read-only query
on the engine's thread, read its health). Order, trade and transfer *history* comes
from the SQL projection through :class:`HistoryAccess`. Both are Protocols so the use
cases are tested against the real :class:`~burency_trading.domain.engine.Engine`
applied in-process, and so the runner and the projection are built side by side.

The row Protocols below (:class:`OrderRow`, :class:`TradeRow`, :class:`TransferRow`)
name the attributes the API reads from the projection: the engine events' own field
names (plus ``created_ts``/``updated_ts`` for an order), all integers in the engine's
units (ticks, lots, minor units, microseconds).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from burency_common.logging import get_logger
from burency_common.market_math import MarketGrid
from burency_common.money import AssetRegistry
from burency_common.timeutil import Clock
from burency_trading.domain.model import Command, MarketSpec
from burency_trading.service.ports import CommandResult
from burency_trading.service.reconciliation import PositionsReader
from burency_trading.settings import TradingSettings, market_specs

__all__ = [
    "AuditLog",
    "EngineAccess",
    "HistoryAccess",
    "LogAudit",
    "OrderRow",
    "TradeRow",
    "TradingContext",
    "TransferRow",
]

T = TypeVar("T")
_log = get_logger("burency.trading")


class EngineAccess(Protocol):
    """The engine as the API sees it (the runner, or an in-process engine in tests)."""

    async def submit(self, command: Command) -> CommandResult:
        """Apply ``command`` (journaled before this returns). Raises the runner's
        ``EngineBusy`` (503 ``ENGINE_BUSY`` + ``Retry-After``) when the bounded queue is
        full, or another ``BurencyError`` when the engine is not running: the problem
        handlers render them as they are."""
        ...

    async def query(self, fn: Callable[[Any], T]) -> T:
        """Run a read-only ``fn(engine)`` where the engine lives (between two batches)."""
        ...

    async def submit_decided(
        self, decide: Callable[[Any], tuple[T, Command | None]]
    ) -> tuple[T, CommandResult | None]:
        """Run ``decide(engine)`` where the engine lives and apply the command it returns
        (if any) right after, nothing in between: ``(value, result or None)``, once
        durable. Refusals as :meth:`submit`."""
        ...

    def health(self) -> Any:
        """The runner's health (a dataclass, msgspec Struct or mapping: seq, journal lag,
        snapshot age, queue depth, ...), shown as is on the admin health endpoint."""
        ...


class OrderRow(Protocol):
    """An order as the projection keeps it (fields of OrderAccepted + OrderUpdated)."""

    @property
    def order_id(self) -> int: ...
    @property
    def user_id(self) -> str: ...
    @property
    def market(self) -> str: ...
    @property
    def side(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def tif(self) -> str: ...
    @property
    def qty(self) -> int: ...
    @property
    def price(self) -> int: ...
    @property
    def quote_qty(self) -> int: ...
    @property
    def stop_price(self) -> int: ...
    @property
    def post_only(self) -> bool: ...
    @property
    def client_order_id(self) -> str | None: ...
    @property
    def status(self) -> str: ...
    @property
    def filled_qty(self) -> int: ...
    @property
    def filled_quote(self) -> int: ...
    @property
    def fees_paid(self) -> int: ...
    @property
    def created_ts(self) -> int: ...
    @property
    def updated_ts(self) -> int: ...


class TradeRow(Protocol):
    """A fill as one of its users sees it (the Trade event's fields plus this user's
    ``role`` MAKER/TAKER, ``side``, ``order_id`` and ``fee``); a self-trade is two rows."""

    @property
    def trade_id(self) -> int: ...
    @property
    def market(self) -> str: ...
    @property
    def price(self) -> int: ...
    @property
    def qty(self) -> int: ...
    @property
    def quote_amount(self) -> int: ...
    @property
    def role(self) -> str: ...
    @property
    def side(self) -> str: ...
    @property
    def order_id(self) -> int: ...
    @property
    def fee(self) -> int: ...
    @property
    def ts(self) -> int: ...


class TransferRow(Protocol):
    """A funding ↔ trading transfer that took effect (TransferApplied's fields)."""

    @property
    def transfer_id(self) -> str: ...
    @property
    def kind(self) -> str: ...  # "in", "out", "out_reversal"
    @property
    def user_id(self) -> str: ...
    @property
    def asset(self) -> str: ...
    @property
    def amount(self) -> int: ...
    @property
    def status(self) -> str: ...  # APPLIED | REFUSED
    @property
    def reason(self) -> str: ...
    @property
    def ts(self) -> int: ...


class HistoryAccess(Protocol):
    """The SQL projection's reader. Lists are newest first; ``cursor`` is the opaque
    ``next_cursor`` of the previous page (None: the first page); a bad cursor raises
    ``ValueError`` (the API answers 422 ``INVALID_CURSOR``)."""

    async def list_orders(
        self, user_id: str, *, market: str | None, open_only: bool, limit: int, cursor: str | None
    ) -> tuple[Sequence[OrderRow], str | None]: ...

    async def get_order(self, user_id: str, order_id: int) -> OrderRow | None: ...

    async def get_order_by_client_id(
        self, user_id: str, client_order_id: str
    ) -> OrderRow | None: ...

    async def list_trades(
        self, user_id: str, *, market: str | None, limit: int, cursor: str | None
    ) -> tuple[Sequence[TradeRow], str | None]: ...

    async def list_transfers(
        self, user_id: str, *, limit: int, cursor: str | None
    ) -> tuple[Sequence[TransferRow], str | None]: ...

    async def volumes_since(self, since_ts_us: int) -> Mapping[str, Mapping[str, int]]:
        """``{user_id: {quote_asset: traded quote minor units}}`` since the instant."""
        ...


class AuditLog(Protocol):
    """Where staff actions are recorded (who did what to which object); the service
    uses the SQL table (``adapters/audit.py``)."""

    async def record(
        self, *, actor: str, action: str, target: str, details: Mapping[str, object]
    ) -> None: ...

    async def recent(
        self, *, limit: int, before_id: str | None = None, target: str | None = None
    ) -> list[dict[str, Any]]:
        """Newest first: ``id``, ``actor_id``, ``action``, ``target``, ``details``,
        ``created_at``."""
        ...


class LogAudit:
    """An audit log that only logs (``trading.audit``) and keeps nothing: for a context
    built without a database (unit tests). The service itself records to SQL."""

    async def record(
        self, *, actor: str, action: str, target: str, details: Mapping[str, object]
    ) -> None:
        _log.info("trading.audit", actor=actor, action=action, target=target, **details)

    async def recent(
        self, *, limit: int, before_id: str | None = None, target: str | None = None
    ) -> list[dict[str, Any]]:
        return []


@dataclass
class TradingContext:
    """Everything the use cases need; ``app.state.trading`` holds it.

    ``specs`` are the configured markets (their grids never change at run time; status
    and fees do, and only the engine knows their current values)."""

    settings: TradingSettings
    engine: EngineAccess
    history: HistoryAccess
    clock: Clock
    audit: AuditLog = field(default_factory=LogAudit)
    positions: PositionsReader | None = None  # reconciliation totals (the projection's)
    assets: AssetRegistry = field(init=False)
    specs: dict[str, MarketSpec] = field(init=False)
    _aliases: dict[str, str] = field(init=False, repr=False)
    _grids: dict[str, MarketGrid] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.assets = self.settings.asset_registry()
        self.specs = {spec.symbol: spec for spec in market_specs(self.settings)}
        self._grids = {
            symbol: MarketGrid(spec.base_scale, spec.quote_scale, spec.tick_size, spec.lot_size)
            for symbol, spec in self.specs.items()
        }
        aliases: dict[str, list[str]] = {}
        for symbol in self.specs:
            aliases.setdefault(symbol.replace("/", ""), []).append(symbol)
        # "BTCAED" names BTC/AED unless two markets concatenate to the same letters
        self._aliases = {alias: found[0] for alias, found in aliases.items() if len(found) == 1}

    def market(self, symbol: str) -> MarketSpec | None:
        """The configured market named ``symbol`` (``"BTC/AED"`` or ``"BTCAED"``)."""
        spec = self.specs.get(symbol)
        if spec is None and "/" not in symbol:
            canonical = self._aliases.get(symbol)
            spec = self.specs.get(canonical) if canonical else None
        return spec

    def grid(self, symbol: str) -> MarketGrid:
        """The integer grid of a configured market (KeyError for another symbol)."""
        return self._grids[symbol]

    async def history_caught_up(self) -> None:
        """Wait (up to ``settings.history_wait_seconds``) until the projection has every
        command the engine applied so far, so a read of the history right after a
        write sees it (read-your-writes: a just-filled order is no longer in the engine
        and must already be in the history). The runner's health says how far each sink
        got; an engine access that does not say (tests) never waits."""
        target = _field_of(self.engine.health(), "seq")
        if not isinstance(target, int):
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.history_wait_seconds
        delay = 0.0005
        while True:
            sinks = _field_of(self.engine.health(), "sinks")
            if not isinstance(sinks, Mapping) or not sinks or min(sinks.values()) >= target:
                return
            if loop.time() >= deadline:  # answer from what is there
                _log.warning("trading.history_behind", target=target, sinks=dict(sinks))
                return
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.02)

    def now_us(self) -> int:
        """The clock's time in microseconds since the epoch (the engine's ``ts`` unit)."""
        now = self.clock.now()
        return int(now.timestamp()) * 1_000_000 + now.microsecond


def _field_of(health: Any, name: str) -> Any:
    if isinstance(health, Mapping):
        return health.get(name)
    return getattr(health, name, None)
