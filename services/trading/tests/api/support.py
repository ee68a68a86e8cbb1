"""The trading API over the real engine, applied in-process (no runner thread, no
journal): ``LocalEngine`` is an ``EngineAccess`` that applies each command at once and
hands its result to the real SQL projection, so the history routes read real rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from burency_common.identity import IDENTITY_HEADER, Identity, sign_identity
from burency_common.money import parse_amount
from burency_common.timeutil import utc_now
from burency_trading.domain.engine import Engine
from burency_trading.domain.model import Command, TransferIn
from burency_trading.service.context import TradingContext
from burency_trading.service.ports import CommandResult, EventSink
from burency_trading.service.runner_types import EngineBusy

T = TypeVar("T")
SECRET = b"trading-api-tests-identity-secret-0123456789"


class LocalEngine:
    """``EngineAccess`` over a real :class:`Engine` on the test's loop. Set ``busy`` to
    an exception to have ``submit`` raise it (a full queue)."""

    def __init__(self, sinks: Sequence[EventSink] = ()) -> None:
        self.engine = Engine()
        self.seq = 0
        self.ts = 0
        self.sinks = list(sinks)
        self.busy: Exception | None = None
        self.submitted: list[Command] = []

    async def submit(self, command: Command) -> CommandResult:
        if self.busy is not None:
            raise self.busy
        self.seq += 1
        now = utc_now()
        self.ts = max(self.ts + 1, int(now.timestamp() * 1_000_000))
        events = self.engine.apply(command, self.seq, self.ts)
        result = CommandResult(self.seq, self.ts, command, events)
        self.submitted.append(command)
        for sink in self.sinks:
            await sink.handle([result])
        return result

    async def query(self, fn: Callable[[Any], T]) -> T:
        return fn(self.engine)

    async def submit_decided(
        self, decide: Callable[[Any], tuple[T, Command | None]]
    ) -> tuple[T, CommandResult | None]:
        value, command = decide(self.engine)
        return value, None if command is None else await self.submit(command)

    def health(self) -> dict[str, object]:
        sinks = {getattr(sink, "name", "sink"): self.seq for sink in self.sinks}
        return {"seq": self.seq, "state": "running", "queue_depth": 0, "sinks": sinks}


def busy(retry_after: float = 2.5) -> EngineBusy:
    return EngineBusy(retry_after)


@dataclass
class Api:
    """The app under test with helpers to act as a user or fund one."""

    client: httpx.AsyncClient
    ctx: TradingContext
    local: LocalEngine
    users: list[str] = field(default_factory=list)

    def headers(
        self,
        user_id: str,
        *,
        verified: bool = True,
        scopes: set[str] | None = None,
        roles: set[str] | None = None,
    ) -> dict[str, str]:
        """A signed identity: a login session (JWT), or an API key with ``scopes``."""
        identity = Identity(
            user_id=user_id,
            roles=frozenset(roles or {"user"}),
            auth_method="jwt" if scopes is None else "api_key",
            scopes=frozenset(scopes or ()),
            email_verified=verified,
        )
        return {IDENTITY_HEADER: sign_identity(identity, secret=SECRET, now=utc_now())}

    async def fund(self, user_id: str, asset: str, amount: str) -> None:
        scale = self.ctx.assets.get(asset).scale
        self.users.append(user_id)
        transfer_id = f"fund-{user_id}-{asset}-{len(self.users)}"
        await self.local.submit(
            TransferIn(transfer_id, user_id, asset, parse_amount(amount, scale))
        )

    async def place(self, user_id: str, **body: Any) -> httpx.Response:
        return await self.client.post("/v1/orders", json=body, headers=self.headers(user_id))

    async def get(self, path: str, user_id: str, **params: Any) -> httpx.Response:
        return await self.client.get(path, params=params, headers=self.headers(user_id))
