"""Settings of the banking service (``BURENCY_*`` environment variables).

Assets come from ``BURENCY_ASSETS`` (a JSON list of ``{"symbol", "scale", "kind",
"name"}``); the default is AED 2, USDT 6, BTC 8, ETH 9 (ETH in gwei: see docs/banking.md).
The flows of the service add their own fields below the ledger's.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator

from burency_banking import flow_defaults as flows_defaults
from burency_common.config import RunMode, ServiceSettings
from burency_common.money import AssetRegistry

__all__ = ["DEFAULT_ASSETS", "MIN_SEED_CHARS", "BankingSettings"]

MIN_SEED_CHARS = 32

DEFAULT_ASSETS: list[dict[str, Any]] = [
    {"symbol": "AED", "scale": 2, "kind": "fiat", "name": "UAE Dirham"},
    {"symbol": "USDT", "scale": 6, "kind": "crypto", "name": "Tether USD"},
    {"symbol": "BTC", "scale": 8, "kind": "crypto", "name": "Bitcoin"},
    {"symbol": "ETH", "scale": 9, "kind": "crypto", "name": "Ether"},
]


class BankingSettings(ServiceSettings):
    """What the banking service needs; defaults are the production values."""

    service_name: str = "banking"
    database_url: str = "sqlite+aiosqlite:///var/banking.db"
    assets: list[dict[str, Any]] = Field(default_factory=lambda: list(DEFAULT_ASSETS))
    default_asset: str = Field(default="AED", description="opened on user.registered")
    page_size_max: int = Field(default=200, ge=10, le=1000)
    idempotency_key_retention_hours: int = Field(
        default=168,
        ge=24,
        le=24 * 366,
        description="stored Idempotency-Key answers are kept this long; then the key is free",
    )
    idempotency_purge_seconds: float = Field(default=600.0, gt=0, le=86_400)

    # -- money flows (burency_banking.flows; amounts are decimal strings) -------------
    auth_url: str | None = Field(
        default=None, description="auth service base URL, for 2FA checks (distributed mode)"
    )
    auth_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    trading_transfer_resend_seconds: float = Field(
        default=60.0,
        gt=0,
        le=86_400,
        description="a funding → trading transfer still pending this long is sent again",
    )
    trading_url: str | None = Field(
        default=None,
        description="trading service base URL, for the cross-service reconciliation "
        "(distributed mode)",
    )
    chain_address_seed: SecretStr | None = Field(
        default=None,
        description="secret deriving deposit addresses (simulated chain); required in "
        "distributed mode, at least 32 characters; embedded mode falls back to a dev seed",
    )
    chain_networks: list[dict[str, Any]] = Field(
        default_factory=lambda: deepcopy(flows_defaults.DEFAULT_CHAIN_NETWORKS)
    )
    chain_poll_seconds: float = Field(default=2.0, gt=0, le=3600)
    chain_rescan_depth: int = Field(default=100, ge=0, le=100_000)
    dev_chain_endpoints: bool = Field(
        default=False, description="distributed: expose /v1/dev/chain/* to deposit approvers"
    )
    fiat_rules: dict[str, dict[str, str]] = Field(
        default_factory=lambda: deepcopy(flows_defaults.DEFAULT_FIAT_RULES)
    )
    fiat_bank_details: dict[str, str] = Field(
        default_factory=lambda: dict(flows_defaults.DEFAULT_BANK_DETAILS)
    )
    withdrawal_approval_thresholds: dict[str, str] = Field(
        default_factory=lambda: dict(flows_defaults.DEFAULT_APPROVAL_THRESHOLDS)
    )
    withdrawal_limits: dict[str, dict[str, dict[str, str]]] = Field(
        default_factory=lambda: deepcopy(flows_defaults.DEFAULT_WITHDRAWAL_LIMITS)
    )

    @model_validator(mode="after")
    def _check(self) -> BankingSettings:
        registry = self.asset_registry()  # raises ValueError on a bad asset list
        if self.default_asset not in registry:
            raise ValueError("BURENCY_DEFAULT_ASSET must be one of BURENCY_ASSETS")
        return self

    @field_validator("chain_address_seed")
    @classmethod
    def _check_seed(cls, seed: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        """Distributed mode refuses to start without its own deposit-address seed: the
        built-in development seed is public, so anyone could tell whose address is whose
        (and the addresses would collide with every other deployment's). Messages name
        the variable (``load_settings`` prefixes it), never its value."""
        if seed is not None and not seed.get_secret_value():
            seed = None
        if seed is None and info.data.get("mode") is RunMode.DISTRIBUTED:
            raise ValueError("distributed mode requires it (deposit addresses derive from it)")
        if seed is not None and len(seed.get_secret_value()) < MIN_SEED_CHARS:
            raise ValueError(f"must be at least {MIN_SEED_CHARS} characters")
        return seed

    def asset_registry(self) -> AssetRegistry:
        return AssetRegistry.from_config(self.assets)
