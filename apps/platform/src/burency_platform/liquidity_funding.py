"""Embedded mode: fund the liquidity bot's spot wallet through banking, like any user's.

A new install has live markets only if the bot has money to quote with, and the
cross-service reconciliation (funding + spot + fees = deposits - withdrawals) holds only
if that money entered as deposits. So the platform does, once, what a customer and an
operator would do, through banking's own HTTP API (in process, with identities signed by
the platform: the bot as a verified user, and a system operator for the staff steps,
both recorded in banking's audit log):

1. the bot is an account of its own (``auth.ensure_system_user``: verified, no known
   password), so banking and users learn it from ``user.registered``;
2. AED is deposited by bank transfer and approved; BTC, ETH and USDT are paid to the
   bot's deposit addresses on the simulated chain, mined to their confirmations and
   scanned (embedded mode only runs the simulated chain);
3. everything is moved funding → spot through the ``wallet.transfer`` saga.

Each step is recorded in ``state_file`` before the next, and the bot retries the
whole call every cycle until it succeeds, so a crash or a refusal part way resumes
where it stopped and never deposits twice. The amounts are demo money on a simulated
venue: this exists in embedded mode only.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx
from starlette.types import ASGIApp

from burency_common.identity import IDENTITY_HEADER, Identity, sign_identity
from burency_common.logging import get_logger
from burency_common.private_files import private_file
from burency_common.timeutil import utc_now

__all__ = ["BOT_EMAIL", "BOT_USER_ID", "DEFAULT_SEED", "LiquidityBotFunding"]

BOT_EMAIL = "liquidity-bot@burency.dev"
BOT_USER_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "https://burency.dev/embedded/liquidity-bot"))
OPERATOR_ID = "system-liquidity-funding"  # the actor of the staff steps in banking's audit
DEFAULT_SEED: dict[str, str] = {"AED": "1000000", "USDT": "1000000", "BTC": "20", "ETH": "300"}
"""What the bot starts with: enough for its default levels in every launch market."""
CHAIN_NETWORKS = {"BTC": "BTC", "ETH": "ETH", "USDT": "ERC20"}
_CONFIRMATIONS = 25  # at least every simulated network's requirement
_BANK = "http://banking"
_log = get_logger("burency.platform")


class FundingError(RuntimeError):
    """A step was refused or is not done yet; the bot calls again next cycle."""


class SystemUsers(Protocol):
    async def ensure_system_user(self, *, user_id: str, email: str, via: str) -> bool: ...


@dataclass
class LiquidityBotFunding:
    """The bot's ``ensure_funded``: see the module docstring."""

    auth: SystemUsers
    banking_app: ASGIApp
    identity_secret: bytes
    state_file: Path
    spot_assets: Callable[[str], Awaitable[set[str]]]
    """The assets the user holds in spot (the trading engine's balances)."""
    seed: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_SEED))
    user_id: str = BOT_USER_ID

    async def __call__(self) -> None:
        state = self._load()
        if state.get("done"):
            return
        await self.auth.ensure_system_user(user_id=self.user_id, email=BOT_EMAIL,
                                           via="liquidity-bot")  # fmt: skip
        transport = httpx.ASGITransport(app=self.banking_app)
        async with httpx.AsyncClient(transport=transport, base_url=_BANK) as bank:
            for asset, amount in self.seed.items():
                if f"deposit:{asset}" not in state:
                    state[f"deposit:{asset}"] = await self._deposit(bank, state, asset, amount)
                    self._save(state)
            for asset, amount in self.seed.items():
                if f"transfer:{asset}" not in state:
                    state[f"transfer:{asset}"] = await self._to_spot(bank, asset, amount)
                    self._save(state)
        # the saga completes a moment later: done (and the bot quotes) once spot has it all
        missing = set(self.seed) - await self.spot_assets(self.user_id)
        if missing:
            raise FundingError(f"waiting for {sorted(missing)} to reach spot")
        state["done"] = True
        self._save(state)
        _log.info("platform.liquidity_bot_funded", user_id=self.user_id, **self.seed)

    # -- steps -------------------------------------------------------------------------

    async def _deposit(
        self, bank: httpx.AsyncClient, state: dict[str, Any], asset: str, amount: str
    ) -> str:
        """Deposit ``amount``; what was created is saved before it is acted on, so a
        retry approves (or mines) the same deposit instead of making a second one."""
        operator = self._operator()
        if asset not in CHAIN_NETWORKS:
            if f"fiat:{asset}" not in state:
                made = await self._call(bank, "POST", "/v1/deposits/fiat", self._bot(),
                                        {"asset": asset, "amount": amount})  # fmt: skip
                state[f"fiat:{asset}"] = str(made["id"])
                self._save(state)
            deposit_id = state[f"fiat:{asset}"]
            path = f"/v1/admin/deposits/fiat/{deposit_id}/approve"
            approving = {**operator, "Idempotency-Key": f"liquidity-bot-approve-{deposit_id}"}
            await self._call(bank, "POST", path, approving, {}, done_if="DEPOSIT_NOT_PENDING")
            return str(deposit_id)
        network = CHAIN_NETWORKS[asset]
        chain = f"/v1/dev/chain/{network}"
        if f"sent:{asset}" not in state:
            found = await self._call(bank, "GET", "/v1/deposits/crypto/address", self._bot(),
                                     params={"asset": asset, "network": network})  # fmt: skip
            sent = await self._call(bank, "POST", f"{chain}/send", operator,
                                    {"address": found["address"], "amount": amount})  # fmt: skip
            state[f"sent:{asset}"] = str(sent["txid"])
            self._save(state)
        await self._call(bank, "POST", f"{chain}/mine", operator, {"blocks": _CONFIRMATIONS})
        await self._call(bank, "POST", "/v1/dev/chain/scan", operator, {})
        return str(state[f"sent:{asset}"])

    async def _to_spot(self, bank: httpx.AsyncClient, asset: str, amount: str) -> str:
        headers = {**self._bot(), "Idempotency-Key": f"liquidity-bot-seed-{asset}"}
        moved = await self._call(bank, "POST", "/v1/transfers/trading", headers,
                                 {"asset": asset, "amount": amount})  # fmt: skip
        return str(moved["id"])

    async def _call(
        self, bank: httpx.AsyncClient, method: str, path: str, headers: dict[str, str],
        body: Any = None, *, params: dict[str, str] | None = None, done_if: str = "",
    ) -> dict[str, Any]:  # fmt: skip
        answer = await bank.request(method, path, headers=headers, json=body, params=params)
        if answer.status_code >= 300:
            code = answer.json().get("code", "") if "json" in answer.headers.get(
                "content-type", "") else ""  # fmt: skip
            if code and code == done_if:
                return {}
            raise FundingError(f"{method} {path}: {answer.status_code} {code}")
        data: dict[str, Any] = answer.json() if answer.content else {}
        return data

    # -- identities and state ------------------------------------------------------------

    def _signed(self, identity: Identity) -> dict[str, str]:
        header = sign_identity(identity, secret=self.identity_secret, now=utc_now())
        return {IDENTITY_HEADER: header}

    def _bot(self) -> dict[str, str]:
        return self._signed(Identity(user_id=self.user_id, roles=frozenset({"user"}),
                                     email_verified=True))  # fmt: skip

    def _operator(self) -> dict[str, str]:
        return self._signed(Identity(user_id=OPERATOR_ID, roles=frozenset({"admin"}),
                                     email_verified=True))  # fmt: skip

    def _load(self) -> dict[str, Any]:
        try:
            loaded: dict[str, Any] = json.loads(self.state_file.read_text())
        except FileNotFoundError:
            return {}
        return loaded

    def _save(self, state: dict[str, Any]) -> None:
        """Atomically, owner-only like everything else under the data directory."""
        partial = private_file(self.state_file.with_suffix(".tmp"))
        partial.write_text(json.dumps(state, indent=2, sort_keys=True))
        partial.replace(self.state_file)
