"""The simulated chain's CLI drives the same chain the service watches."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from burency_banking.chain.cli import main
from burency_banking.settings import BankingSettings

BTC = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"


def _run(settings: BankingSettings, *argv: str) -> tuple[int, dict[str, Any]]:
    out = io.StringIO()
    code = main(list(argv), settings=settings, out=out)
    return code, (json.loads(out.getvalue()) if out.getvalue() else {})


def test_send_mine_reorg_height(tmp_path: Path) -> None:
    settings = BankingSettings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bank.db'}",
    )
    code, sent = _run(settings, "send", "btc", BTC, "0.5")
    assert code == 0
    assert len(sent["txid"]) == 64
    assert _run(settings, "mine", "BTC", "--blocks", "3") == (0, {"network": "BTC", "height": 3})
    assert _run(settings, "height", "BTC") == (0, {"network": "BTC", "height": 3})
    code, reorged = _run(settings, "reorg", "BTC", sent["txid"])
    assert (code, reorged["orphaned"], reorged["height"]) == (0, 3, 4)
    assert _run(settings, "send", "BTC", "not-an-address", "1")[0] == 2
    assert _run(settings, "send", "BTC", BTC, "0.000000001")[0] == 2
    assert _run(settings, "mine", "DOGE")[0] == 2
