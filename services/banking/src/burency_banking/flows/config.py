"""The flows' configuration: the settings' parsed form (the settings fields' defaults are
in :mod:`burency_banking.flow_defaults`).

Settings carry amounts as decimal strings (``"0.0001"``) in the asset's units;
:func:`flows_config` parses them once, at build time, into integer minor units and
fails start-up with a ``ConfigurationError`` naming the bad entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from burency_banking.settings import BankingSettings
from burency_common.errors import ConfigurationError
from burency_common.money import AmountError, AssetRegistry, UnknownAssetError, parse_amount

__all__ = [
    "FiatRule",
    "FlowsConfig",
    "Limit",
    "NetworkRule",
    "flows_config",
]


@dataclass(frozen=True)
class NetworkRule:
    network: str
    asset: str
    confirmations: int
    min_withdrawal: int
    withdrawal_fee: int


@dataclass(frozen=True)
class FiatRule:
    asset: str
    min_deposit: int
    max_deposit: int
    min_withdrawal: int
    withdrawal_fee: int


@dataclass(frozen=True)
class Limit:
    daily: int
    monthly: int


@dataclass(frozen=True)
class FlowsConfig:
    networks: dict[str, NetworkRule]  # by network code
    fiat: dict[str, FiatRule]  # by asset
    bank_details: dict[str, str]
    approval_thresholds: dict[str, int]  # by asset; absent: never needs approval
    limits: dict[int, dict[str, Limit]]  # level -> asset -> limit; absent asset: 0

    def network(self, asset: str, network: str) -> NetworkRule | None:
        rule = self.networks.get(network.upper())
        return rule if rule is not None and rule.asset == asset else None

    def limit(self, level: int, asset: str) -> Limit:
        return self.limits.get(level, {}).get(asset, Limit(0, 0))


def _amount(registry: AssetRegistry, asset: str, value: object, where: str) -> int:
    try:
        return parse_amount(str(value), registry.get(asset))
    except (AmountError, UnknownAssetError) as exc:
        raise ConfigurationError(f"{where}: {exc}") from None


def flows_config(settings: BankingSettings, registry: AssetRegistry) -> FlowsConfig:
    """Parse the flows' settings fields."""
    networks: dict[str, NetworkRule] = {}
    for entry in settings.chain_networks:
        code, asset = str(entry["network"]).upper(), str(entry["asset"])
        where = f"BURENCY_CHAIN_NETWORKS[{code}]"
        networks[code] = NetworkRule(
            network=code,
            asset=asset,
            confirmations=max(1, int(entry.get("confirmations", 1))),
            min_withdrawal=_amount(registry, asset, entry.get("minWithdrawal", "0"), where),
            withdrawal_fee=_amount(registry, asset, entry.get("withdrawalFee", "0"), where),
        )
    fiat = {
        asset: FiatRule(
            asset=asset,
            min_deposit=_amount(registry, asset, rule["minDeposit"], "BURENCY_FIAT_RULES"),
            max_deposit=_amount(registry, asset, rule["maxDeposit"], "BURENCY_FIAT_RULES"),
            min_withdrawal=_amount(registry, asset, rule["minWithdrawal"], "BURENCY_FIAT_RULES"),
            withdrawal_fee=_amount(registry, asset, rule["withdrawalFee"], "BURENCY_FIAT_RULES"),
        )
        for asset, rule in settings.fiat_rules.items()
    }
    thresholds = {
        asset: _amount(registry, asset, value, "BURENCY_WITHDRAWAL_APPROVAL_THRESHOLDS")
        for asset, value in settings.withdrawal_approval_thresholds.items()
    }
    limits = {
        int(level): {
            asset: Limit(
                daily=_amount(registry, asset, pair["daily"], "BURENCY_WITHDRAWAL_LIMITS"),
                monthly=_amount(registry, asset, pair["monthly"], "BURENCY_WITHDRAWAL_LIMITS"),
            )
            for asset, pair in per_asset.items()
        }
        for level, per_asset in settings.withdrawal_limits.items()
    }
    return FlowsConfig(networks, fiat, dict(settings.fiat_bank_details), thresholds, limits)
