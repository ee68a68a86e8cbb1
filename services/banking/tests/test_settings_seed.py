"""The deposit-address seed: distributed mode refuses to start without its own (it used
to fall back to the built-in, public development seed, so anyone could link deposit
addresses to users); embedded mode keeps the dev seed and says loudly that it is unsafe.
Errors name the variable, never its value."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs

from burency_banking.flows.context import DEV_SEED, address_seed
from burency_banking.settings import BankingSettings
from burency_common.config import RunMode, load_settings
from burency_common.errors import ConfigurationError

CLI = Path(sys.executable).parent / "burency"
IDENTITY_SECRET = "i" * 40
SEED = "a-deployment-seed-of-at-least-32-chars!"
SHORT_SEED = "short-seed-value-42"


def _env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("BURENCY_")}
    return {**base, "BURENCY_MODE": "distributed", "BURENCY_IDENTITY_SECRET": IDENTITY_SECRET,
            "BURENCY_KAFKA_BOOTSTRAP": "127.0.0.1:9", "BURENCY_PORT": "9", **extra}  # fmt: skip


def _distributed(settings_factory: Callable[..., Any], **values: Any) -> BankingSettings:
    settings_factory(BankingSettings)  # clears BURENCY_* from the environment
    settings: BankingSettings = load_settings(
        BankingSettings, _env_file=None, mode=RunMode.DISTRIBUTED,
        identity_secret=IDENTITY_SECRET, **values,
    )  # fmt: skip
    return settings


@pytest.mark.parametrize("seed", [None, "", SHORT_SEED])
def test_distributed_mode_without_a_real_seed_is_a_configuration_error(
    settings_factory: Callable[..., Any], seed: str | None
) -> None:
    values = {} if seed is None else {"chain_address_seed": seed}
    with pytest.raises(ConfigurationError) as caught:
        _distributed(settings_factory, **values)
    assert [p["field"] for p in caught.value.errors] == ["BURENCY_CHAIN_ADDRESS_SEED"]
    assert "BURENCY_CHAIN_ADDRESS_SEED" in caught.value.detail
    assert SHORT_SEED not in caught.value.detail
    assert SHORT_SEED not in repr(caught.value.errors)


def test_distributed_mode_uses_the_configured_seed(settings_factory: Callable[..., Any]) -> None:
    settings = _distributed(settings_factory, chain_address_seed=SEED)
    assert address_seed(settings) == SEED.encode()


def test_settings_built_without_validation_still_never_fall_back() -> None:
    unchecked = BankingSettings.model_construct(mode=RunMode.DISTRIBUTED, chain_address_seed=None)
    with pytest.raises(ConfigurationError, match="BURENCY_CHAIN_ADDRESS_SEED"):
        address_seed(unchecked)


def test_embedded_mode_keeps_the_dev_seed_and_warns(settings_factory: Callable[..., Any]) -> None:
    settings: BankingSettings = settings_factory(BankingSettings)
    with capture_logs() as logs:
        assert address_seed(settings) == DEV_SEED
    [warning] = [entry for entry in logs if entry["event"] == "banking.DEV_CHAIN_SEED"]
    assert warning["log_level"] == "warning"
    assert "UNSAFE FOR PRODUCTION" in warning["message"]


@pytest.mark.timeout(120)
def test_burency_serve_banking_refuses_to_start_without_a_seed(tmp_path: Path) -> None:
    """The real start-up path: ``burency serve banking`` exits 2 naming the variable,
    before it connects to anything (the Kafka address here is a closed port)."""
    database = f"sqlite+aiosqlite:///{tmp_path / 'banking.db'}"
    for extra in ({}, {"BURENCY_CHAIN_ADDRESS_SEED": SHORT_SEED}):
        done = subprocess.run(
            [str(CLI), "serve", "banking"], env=_env(BURENCY_DATABASE_URL=database, **extra),
            capture_output=True, text=True, timeout=100, check=False,
        )  # fmt: skip
        assert done.returncode == 2, done.stderr
        assert "BURENCY_CHAIN_ADDRESS_SEED" in done.stderr
        assert SHORT_SEED not in done.stderr + done.stdout
        assert not (tmp_path / "banking.db").exists()  # refused before touching the database
