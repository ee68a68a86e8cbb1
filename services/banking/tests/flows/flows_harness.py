"""Harness of the flow tests: the real banking service AND the real auth service, in
process, on one in-memory bus; banking checks 2FA codes with auth over HTTP (an ASGI
transport), exactly as in embedded mode. Auth runs on a manual clock so each test can
move to a fresh TOTP time step (a code is accepted once per step)."""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pyotp
from asgi_lifespan import LifespanManager

from burency_auth.component import AuthComponent
from burency_auth.component import build_component as build_auth
from burency_auth.settings import AuthSettings
from burency_banking.component import BankingComponent
from burency_banking.component import build_component as build_banking
from burency_banking.flows.context import Flows
from burency_banking.ledger import SystemAccount, TransferSpec
from burency_banking.settings import BankingSettings
from burency_common.bus import InMemoryBus
from burency_common.events import (
    SEND_NOTIFICATION,
    USER_REGISTERED,
    EventEnvelope,
    default_registry,
)
from burency_common.events.kyc import KYC_STATUS_CHANGED, KycStatusChanged
from burency_common.identity import IDENTITY_HEADER, Identity, sign_identity
from burency_common.ids import new_id
from burency_common.timeutil import ManualClock, utc_now
from burency_testing.service_harness import ServiceHarness

PASSWORD = "correct horse battery staple"
CHEAP_ARGON2 = {"argon2_time_cost": 1, "argon2_memory_cost_kib": 64, "argon2_parallelism": 1}
STAFF = "staff-compliance"


def _claims(token: str) -> dict[str, Any]:
    """The payload of a JWT we just received from auth (its signature is auth's business)."""
    segment = token.split(".")[1]
    data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    return data


@dataclass(kw_only=True)
class FlowsHarness(ServiceHarness[BankingComponent]):
    """The shared service harness on banking (``component``, ``client``), plus auth."""

    auth: AuthComponent
    auth_client: httpx.AsyncClient
    clock: ManualClock  # auth's
    secrets: dict[str, str] = field(default_factory=dict)  # user id -> TOTP secret

    @property
    def banking(self) -> BankingComponent:
        return self.component

    @property
    def flows(self) -> Flows:
        assert self.banking.flows is not None
        return self.banking.flows

    async def call(  # type: ignore[override]
        self,
        method: str,
        path: str,
        user_id: str,
        *roles: str,
        key: str | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if key is not None:
            headers["Idempotency-Key"] = key
        return await super().call(method, path, user_id, *roles, headers=headers, **kwargs)

    async def staff(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self.call(method, path, STAFF, "compliance", **kwargs)

    async def user(self, email: str | None = None, *, totp: bool = True) -> str:
        """A user registered with auth (2FA enabled unless ``totp`` is False)."""
        email = email or f"{new_id()[-12:]}@example.com"
        registered = await self.auth_client.post(
            "/v1/register", json={"email": email, "password": PASSWORD}
        )
        assert registered.status_code == 202, registered.text
        await self.drain()
        [event] = [
            e
            for e in self.events.values()
            if e.type == USER_REGISTERED and e.payload["email"] == email
        ]
        user_id = str(event.payload["user_id"])
        if totp:
            await self._enable_totp(user_id, email)
        return user_id

    async def _enable_totp(self, user_id: str, email: str) -> None:
        login = await self.auth_client.post(
            "/v1/login", json={"email": email, "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        claims = _claims(login.json()["accessToken"])
        identity = Identity(
            user_id=user_id,
            roles=frozenset(claims["roles"]),
            session_id=claims["sid"],
            token_id=claims["jti"],
        )
        headers = {
            IDENTITY_HEADER: sign_identity(
                identity, secret=self.auth.app.state.identity_secret, now=utc_now()
            )
        }
        enroll = await self.auth_client.post("/v1/2fa/enroll", headers=headers)
        assert enroll.status_code == 200, enroll.text
        secret = enroll.json()["secret"]
        confirm = await self.auth_client.post(
            "/v1/2fa/confirm",
            json={"code": pyotp.TOTP(secret).at(self.clock.now())},
            headers=headers,
        )
        assert confirm.status_code == 200, confirm.text
        self.secrets[user_id] = secret

    def code(self, user_id: str) -> str:
        """A fresh, valid 2FA code: moves auth's clock to the next time step first."""
        self.clock.advance(30)
        return pyotp.TOTP(self.secrets[user_id]).at(self.clock.now())

    def wrong_code(self, user_id: str) -> str:
        totp = pyotp.TOTP(self.secrets[user_id])
        now = self.clock.now()
        accepted = {totp.at(now, counter_offset=offset) for offset in (-1, 0, 1)}
        return next(c for c in ("000000", "111111", "222222", "333333") if c not in accepted)

    async def kyc_level(self, user_id: str, level: int) -> None:
        payload = KycStatusChanged(
            user_id=user_id,
            submission_id=new_id(),
            requested_level=max(level, 1),
            status="APPROVED",
            level=level,
            previous_level=0,
            changed_at=datetime.now(UTC),
        )
        envelope = default_registry().build(
            payload, event_type=KYC_STATUS_CHANGED, producer="users"
        )
        await self.bus.publish(envelope)

    async def fund(self, user_id: str, asset: str, amount: int) -> None:
        ctx = self.banking.context
        async with ctx.transaction() as db:
            account = await ctx.ledger.user_account(db, user_id, asset)
            source = await ctx.ledger.system_account(db, SystemAccount.BANK_OMNIBUS, asset)
            await ctx.ledger.transfer(
                db, TransferSpec(new_id(), asset, source, account, amount, "deposit.fiat")
            )

    async def balance(self, user_id: str, asset: str) -> dict[str, str]:
        response = await self.call("GET", "/v1/accounts", user_id)
        assert response.status_code == 200, response.text
        found = [a for a in response.json() if a["asset"] == asset]
        return found[0] if found else {"asset": asset, "total": "0", "held": "0", "available": "0"}

    async def drain(self) -> None:
        for component in (self.auth, self.banking):
            assert component.relay is not None
            await component.relay.drain()

    async def notifications(self, event: str, user_id: str) -> list[dict[str, Any]]:
        await self.drain()
        return [
            e.payload
            for e in self.events.values()
            if e.type == SEND_NOTIFICATION
            and e.payload["event"] == event
            and user_id in e.payload["user_ids"]
        ]


def settings_for(tmp_path: Path, **overrides: Any) -> tuple[BankingSettings, AuthSettings]:
    banking = BankingSettings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=overrides.pop("database_url", f"sqlite+aiosqlite:///{tmp_path / 'bank.db'}"),
        chain_poll_seconds=3600,  # the tests drive the chain worker themselves
        **overrides,
    )
    auth = AuthSettings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'auth.db'}",
        data_key=secrets.token_hex(32),
        **CHEAP_ARGON2,
    )
    return banking, auth


async def _serve(stack: AsyncExitStack, app: Any, base_url: str) -> httpx.AsyncClient:
    await stack.enter_async_context(LifespanManager(app))
    return await stack.enter_async_context(
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)
    )


@asynccontextmanager
async def running(
    banking_settings: BankingSettings, auth_settings: AuthSettings
) -> AsyncIterator[FlowsHarness]:
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    secret = secrets.token_bytes(32)
    bus = InMemoryBus()
    events: dict[str, EventEnvelope] = {}

    async def record(envelope: EventEnvelope) -> None:
        events[envelope.id] = envelope

    for topic in (SEND_NOTIFICATION, USER_REGISTERED):
        bus.subscribe(topic, group="tests", handler=record)
    async with AsyncExitStack() as stack:
        auth = build_auth(auth_settings, identity_secret=secret, clock=clock)
        auth_client = await _serve(stack, auth.app, "http://auth")
        banking = build_banking(banking_settings, identity_secret=secret, auth_client=auth_client)
        banking.subscribe(bus)
        await bus.start()
        stack.push_async_callback(bus.stop)
        await auth.start(bus)
        stack.push_async_callback(auth.stop)
        await banking.start(bus)
        stack.push_async_callback(banking.stop)
        client = await _serve(stack, banking.app, "http://banking")
        yield FlowsHarness(
            component=banking, client=client, bus=bus, events=events,
            auth=auth, auth_client=auth_client, clock=clock,
        )  # fmt: skip
