"""Operator/dev commands for the simulated chain: ``python -m burency_banking.chain.cli``.

* ``send NETWORK ADDRESS AMOUNT``: an outside transaction paying ADDRESS (mempool);
* ``mine NETWORK [--blocks N]``: mine blocks;
* ``reorg NETWORK TXID``: reorganise a transaction away for good;
* ``height NETWORK``: the tip.

It works on the banking database named by ``BURENCY_DATABASE_URL`` (migrated first),
with the networks and seed of the banking settings, and prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from burency_banking.adapters.db import create_banking_engine
from burency_banking.chain.simulated import SimulatedChain
from burency_banking.flows.config import flows_config
from burency_banking.flows.context import address_seed
from burency_banking.settings import BankingSettings
from burency_common.config import load_settings
from burency_common.db import migrate
from burency_common.errors import BurencyError
from burency_common.money import AmountError, parse_amount
from burency_common.validators import InvalidValue, validate_crypto_address

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="burency-chain")
    commands = parser.add_subparsers(dest="command", required=True)
    send = commands.add_parser("send", help="pay an address (the transaction waits in the mempool)")
    send.add_argument("network")
    send.add_argument("address")
    send.add_argument("amount")
    mine = commands.add_parser("mine", help="mine blocks")
    mine.add_argument("network")
    mine.add_argument("--blocks", type=int, default=1)
    reorg = commands.add_parser("reorg", help="reorganise a transaction away")
    reorg.add_argument("network")
    reorg.add_argument("txid")
    height = commands.add_parser("height", help="the tip's height")
    height.add_argument("network")
    return parser


async def _run(settings: BankingSettings, args: argparse.Namespace) -> dict[str, Any]:
    from burency_banking.component import MIGRATIONS  # noqa: PLC0415 - heavy, only here

    engine = create_banking_engine(settings.database_url)
    try:
        await migrate(engine, MIGRATIONS)
        registry = settings.asset_registry()
        config = flows_config(settings, registry)
        networks = {rule.network: rule.asset for rule in config.networks.values()}
        chain = SimulatedChain(engine, networks=networks, seed=address_seed(settings))
        network = args.network.upper()
        if args.command == "send":
            asset = networks.get(network, "")
            address = validate_crypto_address(network, args.address)
            amount = parse_amount(args.amount, registry.get(asset), allow_zero=False)
            return {"network": network, "txid": await chain.send(network, [(address, amount)])}
        if args.command == "mine":
            return {"network": network, "height": await chain.mine(network, args.blocks)}
        if args.command == "reorg":
            result = await chain.reorg(network, args.txid)
            return {"network": network, "height": result.height, "orphaned": result.orphaned_blocks}
        return {"network": network, "height": await chain.height(network)}
    finally:
        await engine.dispose()


def main(
    argv: Sequence[str] | None = None,
    *,
    settings: BankingSettings | None = None,
    out: TextIO | None = None,
) -> int:
    args = _parser().parse_args(argv)
    out = out or sys.stdout
    try:
        result = asyncio.run(_run(settings or load_settings(BankingSettings), args))
    except (BurencyError, InvalidValue, AmountError, ValueError, LookupError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    out.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
