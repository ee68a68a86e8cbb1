"""Placing a withdrawal (crypto or bank): validating the destination, the checks before
the 2FA code is spent, the hold of ``amount + fee`` and the row, and the use case the
HTTP route calls (:func:`place_withdrawal`: second factor, then the placing under the
request's ``Idempotency-Key``). The rest of a withdrawal's life is in
:mod:`burency_banking.flows.withdrawals`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from burency_banking.domain.errors import AccountNotFound, InsufficientFunds
from burency_banking.domain.ledger import user_account_id
from burency_banking.domain.model import SystemAccount, TransferSpec
from burency_banking.flows import limits
from burency_banking.flows.config import FiatRule, NetworkRule
from burency_banking.flows.context import Flows
from burency_banking.flows.crypto_deposits import network_rule
from burency_banking.flows.errors import invalid
from burency_banking.flows.records import Withdrawal
from burency_banking.flows.tables import withdrawals
from burency_banking.service import idempotency
from burency_common.ids import new_id
from burency_common.money import format_amount
from burency_common.validators import InvalidValue, validate_crypto_address, validate_iban

__all__ = [
    "BankDestination",
    "CryptoDestination",
    "Destination",
    "check_crypto",
    "check_destination",
    "check_fiat",
    "place",
    "place_crypto",
    "place_fiat",
    "place_withdrawal",
    "precheck",
]

SCOPES = {"CRYPTO": "withdrawals.crypto", "FIAT": "withdrawals.fiat"}
"""The Idempotency-Key scope of each kind of withdrawal."""


def _below_minimum(flows: Flows, asset: str, minimum: int) -> None:
    shown = format_amount(minimum, flows.ctx.assets.get(asset))
    raise invalid("BELOW_MINIMUM", f"the minimum withdrawal is {shown} {asset}", "amount")


def check_crypto(
    flows: Flows, *, asset: str, network: str, address: str, amount: int
) -> tuple[NetworkRule, str]:
    """Validate a crypto withdrawal's inputs (before its 2FA code is spent): the rule of
    the network and the normalized address."""
    rule = network_rule(flows, asset, network)
    try:
        address = validate_crypto_address(rule.network, address)
    except InvalidValue as exc:
        raise invalid("INVALID_ADDRESS", f"not a valid {rule.network} address", "address") from exc
    if amount < rule.min_withdrawal:
        _below_minimum(flows, asset, rule.min_withdrawal)
    return rule, address


def check_fiat(flows: Flows, *, asset: str, amount: int, iban: str) -> tuple[FiatRule, str]:
    """Validate a bank withdrawal's inputs: the asset's rule and the normalized IBAN."""
    rule = flows.config.fiat.get(asset)
    if rule is None:
        raise invalid("UNSUPPORTED_ASSET", f"{asset[:16]} cannot be paid out to a bank", "asset")
    try:
        iban = validate_iban(iban)
    except InvalidValue as exc:
        raise invalid("INVALID_IBAN", "not a valid IBAN", "iban") from exc
    if amount < rule.min_withdrawal:
        _below_minimum(flows, asset, rule.min_withdrawal)
    return rule, iban


async def precheck(flows: Flows, *, user_id: str, asset: str, amount: int, fee: int) -> None:
    """What placing would refuse for limits or funds, asked without locks before the
    user's 2FA code is spent, so such a refusal leaves the code usable. The locked checks
    inside the placing transaction stay the ones that count."""
    await limits.precheck(flows, user_id=user_id, asset=asset, amount=amount)
    async with flows.ctx.engine.connect() as db:
        try:
            available = (
                await flows.ctx.ledger.balance(db, user_account_id(user_id, asset))
            ).available
        except AccountNotFound:
            available = 0
    if available < amount + fee:
        raise InsufficientFunds("the account's available balance is too low")


@dataclass(frozen=True)
class CryptoDestination:
    """Where a crypto withdrawal goes: an address on a network."""

    network: str
    address: str
    kind: ClassVar[str] = "CRYPTO"


@dataclass(frozen=True)
class BankDestination:
    """Where a bank withdrawal goes: an IBAN and the beneficiary's name."""

    iban: str
    beneficiary_name: str
    kind: ClassVar[str] = "FIAT"


Destination = CryptoDestination | BankDestination


def check_destination(
    flows: Flows, *, asset: str, amount: int, destination: Destination
) -> tuple[int, dict[str, str | None]]:
    """Validate a withdrawal's inputs (before its 2FA code is spent): its fee, and the
    normalized destination as the withdrawal row's columns."""
    if isinstance(destination, CryptoDestination):
        rule, address = check_crypto(flows, asset=asset, network=destination.network,
                                     address=destination.address, amount=amount)  # fmt: skip
        return rule.withdrawal_fee, {"network": rule.network, "address": address}
    fiat, iban = check_fiat(flows, asset=asset, amount=amount, iban=destination.iban)
    name = destination.beneficiary_name.strip()
    return fiat.withdrawal_fee, {"iban": iban, "beneficiary_name": name}


async def place(
    flows: Flows,
    db: AsyncConnection,
    *,
    user_id: str,
    asset: str,
    amount: int,
    destination: Destination,
) -> Withdrawal:
    """Place a withdrawal (crypto or bank: ``destination`` says which) in ``db``."""
    fee, columns = check_destination(flows, asset=asset, amount=amount, destination=destination)
    return await _place(flows, db, user_id=user_id, kind=destination.kind, asset=asset,
                        amount=amount, fee=fee, **columns)  # fmt: skip


async def place_crypto(
    flows: Flows, db: AsyncConnection, *, user_id: str, asset: str, network: str, address: str,
    amount: int,
) -> Withdrawal:  # fmt: skip
    return await place(flows, db, user_id=user_id, asset=asset, amount=amount,
                       destination=CryptoDestination(network, address))  # fmt: skip


async def place_fiat(
    flows: Flows, db: AsyncConnection, *, user_id: str, asset: str, amount: int, iban: str,
    beneficiary_name: str,
) -> Withdrawal:  # fmt: skip
    return await place(flows, db, user_id=user_id, asset=asset, amount=amount,
                       destination=BankDestination(iban, beneficiary_name))  # fmt: skip


async def _place(
    flows: Flows,
    db: AsyncConnection,
    *,
    user_id: str,
    kind: str,
    asset: str,
    amount: int,
    fee: int,
    **destination: str | None,
) -> Withdrawal:
    """Limits check, hold of ``amount + fee``, the row; ``destination``: network and
    address, or IBAN and beneficiary name."""
    await limits.check_and_lock(flows, db, user_id=user_id, asset=asset, amount=amount)
    ctx, now, withdrawal_id = flows.ctx, flows.ctx.clock.now(), new_id()
    hold_id = f"withdrawal:{withdrawal_id}:hold"
    account = await ctx.ledger.user_account(db, user_id, asset)
    in_flight = await ctx.ledger.system_account(db, SystemAccount.WITHDRAWALS_IN_FLIGHT, asset)
    hold = TransferSpec(
        hold_id, asset, account, in_flight, amount + fee, "withdrawal", pending=True,
        reference=withdrawal_id,
    )  # fmt: skip
    await ctx.ledger.transfer(db, hold)
    threshold = flows.config.approval_thresholds.get(asset)
    status = "PENDING_APPROVAL" if threshold is not None and amount >= threshold else "QUEUED"
    values: dict[str, object] = {
        "network": None, "address": None, "iban": None, "beneficiary_name": None,
        **destination,
        "id": withdrawal_id, "user_id": user_id, "kind": kind, "asset": asset,
        "amount": amount, "fee": fee, "status": status, "hold_id": hold_id, "txid": None,
        "bank_reference": None, "reason": None, "decided_by": None, "created_at": now,
        "updated_at": now, "completed_at": None,
    }  # fmt: skip
    await db.execute(insert(withdrawals).values(**values))
    return Withdrawal.from_row(values)  # type: ignore[arg-type]


async def _second_factor(
    flows: Flows, *, user_id: str, scope: str, key: str, code: str, ip: str | None,
    asset: str, amount: int, fee: int,
) -> bool:  # fmt: skip
    """Spend the 2FA code, unless this Idempotency-Key was answered already (a replay);
    limits and funds are checked first, so such a refusal leaves the code unused.
    Returns whether the code was checked: when not, the request may only replay."""
    if await idempotency.answered(flows.ctx, user_id=user_id, scope=scope, key=key):
        return False
    await precheck(flows, user_id=user_id, asset=asset, amount=amount, fee=fee)
    await flows.verifier.verify(user_id=user_id, code=code, ip=ip)
    return True


async def place_withdrawal(
    flows: Flows,
    *,
    user_id: str,
    key: str,
    asset: str,
    amount: int,
    destination: Destination,
    totp_code: str,
    ip: str | None,
    fingerprint: Mapping[str, Any],
    render: Callable[[Withdrawal], BaseModel],
) -> idempotency.Answer:
    """The use case behind ``POST /v1/withdrawals/{crypto,fiat}``: validate, check the
    second factor (unless the key has an answer to replay), then place under the
    Idempotency-Key. ``fingerprint`` is the request as the key remembers it (without
    the 2FA code, spent by a first attempt); ``render`` makes the stored answer."""
    scope = SCOPES[destination.kind]
    fee, _ = check_destination(flows, asset=asset, amount=amount, destination=destination)
    verified = await _second_factor(
        flows, user_id=user_id, scope=scope, key=key, code=totp_code, ip=ip, asset=asset,
        amount=amount, fee=fee,
    )  # fmt: skip

    async def action(db: AsyncConnection) -> BaseModel:
        placed = await place(flows, db, user_id=user_id, asset=asset, amount=amount,
                             destination=destination)  # fmt: skip
        return render(placed)

    return await idempotency.idempotent(
        flows.ctx, key, user_id=user_id, scope=scope, request=fingerprint, action=action,
        replay_only=not verified,
    )  # fmt: skip
