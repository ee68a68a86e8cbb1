"""Staff routes of market data and the liquidity bot: support staff read, admins change,
users and API keys are refused; bad input is a 422 problem+json with a stable code;
every change is audited with who did it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from burency_common.identity import IDENTITY_HEADER, Identity, sign_identity
from burency_common.timeutil import utc_now
from burency_trading.app import create_app
from burency_trading.marketdata_wiring import build_market_data
from burency_trading.service.liquidity.admin import MarketDataServices

from .rig import Rig, make_rig

SECRET = b"trading-marketdata-admin-tests-secret-0123456789"
PROBLEM = "application/problem+json"


class Recorder:
    def __init__(self) -> None:
        self.entries: list[tuple[str, str, str, dict[str, object]]] = []

    async def record(
        self, *, actor: str, action: str, target: str, details: Mapping[str, object]
    ) -> None:
        self.entries.append((actor, action, target, dict(details)))


@dataclass
class Admin:
    client: httpx.AsyncClient
    rig: Rig
    md: MarketDataServices
    audit: Recorder

    def as_(self, roles: set[str], *, api_key: bool = False) -> dict[str, str]:
        identity = Identity(
            user_id="boss" if "admin" in roles else "someone",
            roles=frozenset(roles),
            auth_method="api_key" if api_key else "jwt",
            scopes=frozenset({"read", "trade"}) if api_key else frozenset(),
            email_verified=True,
        )
        return {IDENTITY_HEADER: sign_identity(identity, secret=SECRET, now=utc_now())}


async def _admin(tmp_path: Path, *, bot: bool = True) -> AsyncIterator[Admin]:
    rig = await make_rig(tmp_path, liquidity_bot=bot)
    rig.ctx.audit = audit = Recorder()
    md = build_market_data(rig.ctx.settings, rig.ctx)
    app = create_app(rig.ctx, engine=rig.db, identity_secret=SECRET)
    app.state.market_sources = md
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://trading") as client:
        yield Admin(client, rig, md, audit)
    await md.prices.close()
    await rig.db.dispose()


@pytest.fixture
async def admin(tmp_path: Path) -> AsyncIterator[Admin]:
    async for made in _admin(tmp_path):
        yield made


async def test_sources_show_health_to_support_and_admins(admin: Admin) -> None:
    await admin.md.prices.poll("BTC/AED")
    for roles in ({"support"}, {"admin"}):
        answer = await admin.client.get("/v1/admin/market-data/sources", headers=admin.as_(roles))
        assert answer.status_code == 200, answer.text
        rows = {row["symbol"]: row for row in answer.json()["items"]}
        assert set(rows) == {"BTC/AED", "BTC/USDT", "ETH/USDT", "ETH/AED", "USDT/AED"}
        btc = rows["BTC/AED"]
        assert (btc["source"], btc["stale"], btc["errors"]) == ("simulated", False, 0)
        assert Decimal(btc["price"]) > 0
        assert btc["engineReferencePrice"] is not None
        assert rows["ETH/AED"]["stale"] is True  # not polled yet
    for headers in (admin.as_({"user"}), admin.as_({"admin"}, api_key=True), {}):
        refused = await admin.client.get("/v1/admin/market-data/sources", headers=headers)
        assert refused.status_code in (401, 403)
        assert refused.headers["content-type"].startswith(PROBLEM)


async def test_admins_switch_a_market_source_and_it_is_audited(admin: Admin) -> None:
    url = "/v1/admin/market-data/sources/BTCAED"
    answer = await admin.client.put(url, json={"source": "ccxt:binance"},
                                    headers=admin.as_({"admin"}))  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert (answer.json()["source"], answer.json()["stale"]) == ("ccxt:binance", True)
    assert admin.audit.entries == [("boss", "marketdata.source", "BTC/AED",
                                    {"source": "ccxt:binance", "before": "simulated"})]  # fmt: skip
    support = await admin.client.put(url, json={"source": "simulated"},
                                     headers=admin.as_({"support"}))  # fmt: skip
    assert support.status_code == 403
    for body, code in (({"source": "ccxt:no_such_venue"}, "SOURCE_UNKNOWN"),
                       ({"source": "bogus"}, "VALIDATION_FAILED"),
                       ({}, "VALIDATION_FAILED")):  # fmt: skip
        bad = await admin.client.put(url, json=body, headers=admin.as_({"admin"}))
        assert bad.status_code == 422, bad.text
        assert bad.headers["content-type"].startswith(PROBLEM)
        assert bad.json()["code"] == code
    unknown = await admin.client.put(
        "/v1/admin/market-data/sources/DOGEAED", json={"source": "simulated"},
        headers=admin.as_({"admin"}),
    )  # fmt: skip
    assert (unknown.status_code, unknown.json()["code"]) == (422, "MARKET_UNKNOWN")
    assert len(admin.audit.entries) == 1


async def test_admins_start_stop_and_tune_the_bot(admin: Admin) -> None:
    staff = admin.as_({"admin"})
    shown = await admin.client.get("/v1/admin/liquidity-bot", headers=admin.as_({"support"}))
    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert (body["running"], body["userId"], body["hedging"]) == (True, "liquidity-bot", False)
    assert body["params"]["spread"] == "0.002"
    assert body["params"]["levelSizes"]["BTC/AED"] == "0.01"
    stopped = await admin.client.post("/v1/admin/liquidity-bot/stop", headers=staff)
    assert (stopped.status_code, stopped.json()["running"]) == (200, False)
    started = await admin.client.post("/v1/admin/liquidity-bot/start", headers=staff)
    assert started.json()["running"] is True
    patch = {
        "spread": "0.004", "levels": 3, "levelSizes": {"BTCAED": "0.02"},
        "refreshThreshold": "0.002", "inventory": {"BTC": {"min": "0", "max": "2"}},
    }  # fmt: skip
    tuned = await admin.client.patch("/v1/admin/liquidity-bot", json=patch, headers=staff)
    assert tuned.status_code == 200, tuned.text
    params = tuned.json()["params"]
    assert (params["spread"], params["levels"], params["refreshThreshold"]) == ("0.004", 3, "0.002")
    assert params["levelSizes"]["BTC/AED"] == "0.02"
    assert params["inventory"] == {"BTC": {"min": "0", "max": "2"}}
    assert [e[1] for e in admin.audit.entries] == [
        "liquidity_bot.stop", "liquidity_bot.start", "liquidity_bot.tune"]  # fmt: skip
    assert {e[0] for e in admin.audit.entries} == {"boss"}
    assert (await admin.client.post("/v1/admin/liquidity-bot/stop",
                                    headers=admin.as_({"support"}))).status_code == 403  # fmt: skip


@pytest.mark.parametrize(
    ("patch", "code"),
    [
        ({"spread": "0.9"}, "INVALID_AMOUNT"),
        ({"spread": "-1"}, "VALIDATION_FAILED"),
        ({"levels": 0}, "VALIDATION_FAILED"),
        ({"levelSizes": {"DOGEAED": "1"}}, "MARKET_UNKNOWN"),
        ({"levelSizes": {"BTCAED": "0"}}, "INVALID_AMOUNT"),
        ({"inventory": {"XRP": {"max": "1"}}}, "UNKNOWN_ASSET"),
        ({"inventory": {"BTC": {"min": "3", "max": "1"}}}, "INVALID_AMOUNT"),
        ({"unknownField": "1"}, "VALIDATION_FAILED"),
    ],
)
async def test_bad_bot_parameters_are_refused(admin: Admin, patch: dict[str, object],
                                              code: str) -> None:  # fmt: skip
    before = admin.md.bot.params if admin.md.bot else None
    answer = await admin.client.patch("/v1/admin/liquidity-bot", json=patch,
                                      headers=admin.as_({"admin"}))  # fmt: skip
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    assert answer.json()["code"] == code
    assert admin.md.bot is not None
    assert admin.md.bot.params == before
    assert admin.audit.entries == []


async def test_without_a_bot_or_sources(tmp_path: Path) -> None:
    async for made in _admin(tmp_path, bot=False):
        answer = await made.client.get("/v1/admin/liquidity-bot", headers=made.as_({"admin"}))
        assert (answer.status_code, answer.json()["code"]) == (409, "LIQUIDITY_BOT_NOT_CONFIGURED")
        del made.client._transport.app.state.market_sources  # type: ignore[attr-defined]
        none = await made.client.get("/v1/admin/market-data/sources", headers=made.as_({"admin"}))
        assert (none.status_code, none.json()) == (200, {"items": []})
        change = await made.client.put(
            "/v1/admin/market-data/sources/BTCAED", json={"source": "simulated"},
            headers=made.as_({"admin"}),
        )  # fmt: skip
        assert (change.status_code, change.json()["code"]) == (409, "MARKET_DATA_NOT_RUNNING")
        anonymous = await made.client.post("/v1/admin/liquidity-bot/stop")
        assert anonymous.status_code == 401
