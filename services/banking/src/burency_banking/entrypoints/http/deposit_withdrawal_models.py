"""Request/response bodies and dependencies of the flows' routers (camelCase, amounts as
decimal strings, times ISO 8601 UTC with milliseconds)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query, Request
from pydantic import Field

from burency_banking.flows.context import Flows
from burency_banking.flows.records import CryptoDeposit, FiatDeposit, Withdrawal
from burency_common.api import ApiModel, Page
from burency_common.money import AssetRegistry, format_amount
from burency_common.timeutil import to_iso_ms

__all__ = [
    "AmountStr",
    "BankDetailsOut",
    "CryptoDepositOut",
    "CryptoWithdrawalIn",
    "Cursor",
    "DepositAddressOut",
    "FiatApproveIn",
    "FiatDepositIn",
    "FiatDepositOut",
    "FiatWithdrawalIn",
    "FlowsDep",
    "Limit",
    "LimitOut",
    "MarkPaidIn",
    "ReasonIn",
    "WithdrawalOut",
    "crypto_out",
    "fiat_out",
    "withdrawal_out",
]

AmountStr = Annotated[str, Field(min_length=1, max_length=40, examples=["100.00"])]
Asset = Annotated[str, Field(min_length=2, max_length=10, pattern=r"^[A-Z0-9]{2,10}$")]
Limit = Annotated[int, Query(ge=1, le=200)]
Cursor = Annotated[str | None, Query(max_length=64)]
TotpCode = Annotated[str, Field(min_length=1, max_length=64, description="current 2FA code")]


def get_flows(request: Request) -> Flows:
    flows = request.app.state.flows
    assert isinstance(flows, Flows)
    return flows


FlowsDep = Annotated[Flows, Depends(get_flows)]


class BankDetailsOut(ApiModel):
    bank_name: str
    account_name: str
    iban: str
    swift: str
    reference: str = Field(description="put this on the bank transfer")


class FiatDepositIn(ApiModel):
    asset: Asset = "AED"
    amount: AmountStr


class FiatDepositOut(ApiModel):
    id: str
    asset: str
    amount: str
    credited_amount: str | None
    reference: str
    status: Literal["PENDING", "APPROVED", "REJECTED"]
    reason: str | None
    created_at: str
    decided_at: str | None
    user_id: str
    bank: BankDetailsOut | None = None


class FiatApproveIn(ApiModel):
    amount: AmountStr | None = Field(default=None, description="received; default: announced")


class ReasonIn(ApiModel):
    reason: str = Field(min_length=1, max_length=500)


class MarkPaidIn(ApiModel):
    bank_reference: str = Field(min_length=1, max_length=64)


class DepositAddressOut(ApiModel):
    asset: str
    network: str
    address: str
    required_confirmations: int


class CryptoDepositOut(ApiModel):
    id: str
    asset: str
    network: str
    address: str
    txid: str
    output_index: int
    amount: str
    confirmations: int
    required_confirmations: int
    status: Literal["PENDING", "CREDITED", "DROPPED"]
    created_at: str
    credited_at: str | None


class CryptoWithdrawalIn(ApiModel):
    asset: Asset
    network: str = Field(min_length=2, max_length=16)
    address: str = Field(min_length=1, max_length=128)
    amount: AmountStr
    totp_code: TotpCode


class FiatWithdrawalIn(ApiModel):
    asset: Asset = "AED"
    amount: AmountStr
    iban: str = Field(min_length=1, max_length=64)
    beneficiary_name: str = Field(min_length=1, max_length=140)
    totp_code: TotpCode


class WithdrawalOut(ApiModel):
    id: str
    user_id: str
    kind: Literal["CRYPTO", "FIAT"]
    asset: str
    network: str | None
    address: str | None
    iban: str | None
    beneficiary_name: str | None
    amount: str
    fee: str
    status: str = Field(
        description="PENDING_APPROVAL, QUEUED, PROCESSING, BROADCAST, "
        "COMPLETED, REJECTED, CANCELLED or FAILED"
    )
    txid: str | None
    bank_reference: str | None
    reason: str | None
    created_at: str
    completed_at: str | None


class LimitOut(ApiModel):
    asset: str
    level: int
    daily: str
    daily_used: str
    monthly: str
    monthly_used: str


def fiat_out(assets: AssetRegistry, d: FiatDeposit) -> FiatDepositOut:
    scale = assets.get(d.asset)
    return FiatDepositOut(
        id=d.id,
        user_id=d.user_id,
        asset=d.asset,
        amount=format_amount(d.amount, scale),
        credited_amount=(
            format_amount(d.credited_amount, scale) if d.credited_amount is not None else None
        ),
        reference=d.reference,
        status=d.status,
        reason=d.reason,
        created_at=to_iso_ms(d.created_at),
        decided_at=to_iso_ms(d.decided_at) if d.decided_at else None,
    )


def crypto_out(assets: AssetRegistry, d: CryptoDeposit) -> CryptoDepositOut:
    return CryptoDepositOut(
        id=d.id,
        asset=d.asset,
        network=d.network,
        address=d.address,
        txid=d.txid,
        output_index=d.output_index,
        amount=format_amount(d.amount, assets.get(d.asset)),
        confirmations=d.confirmations,
        required_confirmations=d.required_confirmations,
        status=d.status,
        created_at=to_iso_ms(d.created_at),
        credited_at=to_iso_ms(d.credited_at) if d.credited_at else None,
    )


def withdrawal_out(assets: AssetRegistry, w: Withdrawal) -> WithdrawalOut:
    scale = assets.get(w.asset)
    return WithdrawalOut(
        id=w.id,
        user_id=w.user_id,
        kind=w.kind,
        asset=w.asset,
        network=w.network,
        address=w.address,
        iban=w.iban,
        beneficiary_name=w.beneficiary_name,
        amount=format_amount(w.amount, scale),
        fee=format_amount(w.fee, scale),
        status=w.status,
        txid=w.txid,
        bank_reference=w.bank_reference,
        reason=w.reason,
        created_at=to_iso_ms(w.created_at),
        completed_at=to_iso_ms(w.completed_at) if w.completed_at else None,
    )


CryptoDepositsPage = Page[CryptoDepositOut]
FiatDepositsPage = Page[FiatDepositOut]
WithdrawalsPage = Page[WithdrawalOut]
