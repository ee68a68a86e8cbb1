"""Request and response bodies of the banking API (camelCase JSON, amounts as strings)."""

from __future__ import annotations

from pydantic import Field, model_validator

from burency_banking.domain.model import AccountInfo
from burency_banking.service.history import Entry
from burency_banking.service.reconciliation import ReconciliationReport
from burency_common.api import ApiModel
from burency_common.money import AssetRegistry, format_amount
from burency_common.timeutil import to_iso_ms

__all__ = [
    "AccountOut",
    "InternalTransferIn",
    "InternalTransferOut",
    "ReconciliationOut",
    "TradingTransferIn",
    "TradingTransferOut",
    "TransactionOut",
    "account_out",
    "reconciliation_out",
    "transaction_out",
]


class AccountOut(ApiModel):
    asset: str
    total: str = Field(description="posted balance, decimal string")
    held: str = Field(description="reserved by open holds (withdrawals, transfers)")
    available: str = Field(description="total - held")


def account_out(assets: AssetRegistry, account: AccountInfo) -> AccountOut:
    asset = assets.get(account.asset)
    return AccountOut(
        asset=account.asset,
        total=format_amount(account.balance.posted, asset),
        held=format_amount(account.balance.held, asset),
        available=format_amount(account.balance.available, asset),
    )


class TransactionOut(ApiModel):
    id: str
    kind: str = Field(description="deposit.fiat, deposit.crypto, withdrawal, internal, ...")
    status: str = Field(description="posted | pending | voided | post (a settled hold's posting)")
    direction: str = Field(description="credit (money in) or debit (money out) of this account")
    amount: str
    asset: str
    pending_id: str | None = None
    reference: str | None = None
    memo: str | None = None
    created_at: str


def transaction_out(assets: AssetRegistry, entry: Entry) -> TransactionOut:
    t = entry.transfer
    return TransactionOut(
        id=t.id,
        kind=t.kind,
        status=t.status,
        direction=entry.direction,
        amount=format_amount(t.amount, assets.get(t.asset)),
        asset=t.asset,
        pending_id=t.pending_id,
        reference=t.reference,
        memo=t.memo,
        created_at=to_iso_ms(t.created_at),
    )


_EMAIL = Field(default=None, min_length=3, max_length=320, description="recipient e-mail")
_ASSET = Field(min_length=2, max_length=10, pattern=r"^[A-Z0-9]{2,10}$")
_AMOUNT = Field(min_length=1, max_length=64, description='decimal string, e.g. "12.50"')


class InternalTransferIn(ApiModel):
    """Exactly one of ``toEmail`` and ``toUserId``."""

    to_email: str | None = _EMAIL
    to_user_id: str | None = Field(default=None, min_length=1, max_length=64)
    asset: str = _ASSET
    amount: str = _AMOUNT
    memo: str | None = Field(default=None, max_length=140)

    @model_validator(mode="after")
    def _one_recipient(self) -> InternalTransferIn:
        if (self.to_email is None) == (self.to_user_id is None):
            raise ValueError("give exactly one of toEmail and toUserId")
        return self


class InternalTransferOut(ApiModel):
    id: str
    status: str
    asset: str
    amount: str
    to_user_id: str
    memo: str | None = None
    created_at: str


class TradingTransferIn(ApiModel):
    asset: str = _ASSET
    amount: str = _AMOUNT


class TradingTransferOut(ApiModel):
    id: str
    direction: str = "funding_to_trading"
    status: str = Field(description="pending (sent to trading), completed, or failed (refunded)")
    asset: str
    amount: str
    created_at: str


class FindingOut(ApiModel):
    check: str
    asset: str | None
    detail: str


class ReconciliationOut(ApiModel):
    ok: bool
    checked_at: str
    checks: list[str]
    assets: dict[str, bool] = Field(description="asset → every check passed for it")
    findings: list[FindingOut]


def reconciliation_out(report: ReconciliationReport) -> ReconciliationOut:
    grouped = report.by_asset()
    return ReconciliationOut(
        ok=report.ok,
        checked_at=to_iso_ms(report.checked_at),
        checks=report.checks,
        assets={asset: not found for asset, found in grouped.items()},
        findings=[
            FindingOut(check=f.check, asset=f.asset, detail=f.detail) for f in report.findings
        ],
    )
