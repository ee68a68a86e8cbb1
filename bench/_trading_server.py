"""``burency up`` for the trading benchmark, with bench-only funding (run as a process).

It serves the embedded platform exactly as ``burency up`` does (same ``build_platform``,
same uvicorn settings), then prepares ``BENCH_USERS`` traders through the real HTTP path:
register, verify the e-mail (the link's token is asked of the auth service in this
process, as ``apps/platform/tests/platform_testing/email.py`` does: a bench has no
mailbox), log in for an access token. Their spot wallets are funded with a **bench-only
shortcut**: a ``TransferIn`` command submitted to the running engine (the command the
``wallet.transfer.requested`` saga submits), one per user and asset, instead of fiat and
crypto deposits approved by staff plus a banking transfer for each (the saga needs a
simulated chain for BTC, and is not what this benchmark measures). The engine journals
and projects these transfers like any other.

It serves what ``burency up`` serves, on the same event loop (uvloop) and uvicorn settings
(``burency_platform.serving``), GC tuning included (``burency_platform.gc_tuning``,
when the revision under test has it), and times the cyclic GC (``gc.callbacks``).
When ready it writes ``BENCH_READY`` (JSON: tokens, user ids) and keeps serving until
SIGINT; on SIGUSR1 it writes the engine's health (seq, durable seq, sinks) to
``BENCH_READY`` + ``.health``. Run from ``bench/trading_gateway.py``; not a module of the platform.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from burency_auth.adapters import users_repo
from burency_auth.service.registration import issue_email_token
from burency_common.config import RunMode, load_settings
from burency_common.logging import configure_logging
from burency_common.private_files import private_directory
from burency_platform.embedded import Platform, build_platform
from burency_platform.settings import PlatformSettings
from burency_trading.domain.model import TransferIn

PASSWORD = "a perfectly long pass phrase"
FUNDS = {"AED": 10**12, "BTC": 10**13}  # minor units: 10^10 AED, 10^5 BTC per user


async def _trader(client: httpx.AsyncClient, platform: Platform, n: int) -> dict[str, str]:
    email = f"trader{n}@bench.example.com"
    account = {"email": email, "password": PASSWORD}
    registered = await client.post("/api/auth/v1/register", json=account)
    assert registered.status_code == 202, registered.text
    ctx = platform.auth.context
    async with ctx.transaction() as db:
        user = await users_repo.get_user_by_email_key(db, email)
        assert user is not None
        token = await issue_email_token(ctx, db, user_id=user.id)
    verified = await client.post("/api/auth/v1/email-verification", json={"token": token})
    assert verified.status_code == 200, verified.text
    login = await client.post("/api/auth/v1/login", json=account)
    assert login.status_code == 200, login.text
    return {"user_id": str(user.id), "token": login.json()["accessToken"]}


async def _fund(platform: Platform, user_id: str) -> None:
    trading: Any = next(c for c in platform.components if c.name == "trading")
    for asset, amount in FUNDS.items():
        await trading.handle.submit(TransferIn(f"bench-{user_id}-{asset}", user_id, asset, amount))


class _GcTimer:
    """Time spent in the cyclic garbage collector, per generation (gc.callbacks)."""

    def __init__(self) -> None:
        self.seconds = [0.0, 0.0, 0.0]
        self.count = [0, 0, 0]
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds[info["generation"]] += time.perf_counter() - self._started
            self.count[info["generation"]] += 1


GC = _GcTimer()


class _LoopLag:
    """How late a 2 ms timer fires, sample by sample: how long the event loop was held
    by other work (a request waits that long too). Reset at each health dump, so the
    dump after a run holds that run's samples."""

    PERIOD = 0.002

    def __init__(self) -> None:
        self.samples: list[float] = []

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(self.PERIOD)  # the probe itself: how late does it wake?
            self.samples.append(max(0.0, loop.time() - started - self.PERIOD))

    def take(self) -> list[float]:
        samples, self.samples = self.samples, []
        return samples


LAG = _LoopLag()


def _dump_health(platform: Platform, ready: Path) -> None:
    trading: Any = next(c for c in platform.components if c.name == "trading")
    health = dataclasses.asdict(trading.handle.health())
    health["gc_seconds"] = GC.seconds
    health["gc_collections"] = GC.count
    health["threads"] = {str(t.native_id): t.name for t in threading.enumerate()}
    health["loop_lag_s"] = LAG.take()
    ready.with_suffix(".health").write_text(json.dumps(health))


async def _prepare(server: uvicorn.Server, platform: Platform, port: int, ready: Path) -> None:
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.05)
    users = int(os.environ.get("BENCH_USERS", "16"))
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        traders = [await _trader(client, platform, n) for n in range(users)]
    for trader in traders:
        await _fund(platform, trader["user_id"])
    ready.write_text(json.dumps({"traders": traders}))  # noqa: ASYNC240 - once, at start


def _served(platform: Platform) -> Any:
    """What ``burency up`` serves: the platform, GC-tuned where this revision does that.

    ``BENCH_GC_TUNING=always`` applies the same tuning to a revision from before it
    (freeze the start-up heap, first threshold 20,000), to compare other changes
    without the GC's full collections drowning them."""
    try:
        from burency_platform.gc_tuning import gc_tuned  # noqa: PLC0415 - absent in old revisions
    except ImportError:
        if os.environ.get("BENCH_GC_TUNING") != "always":
            return platform

        def gc_tuned(app: Any) -> Any:
            async def serve(scope: Any, receive: Any, send: Any) -> None:
                async def send_tuned(message: Any) -> None:
                    if message["type"] == "lifespan.startup.complete":
                        gc.freeze()
                        gc.set_threshold(20_000, 20, 10)
                    await send(message)

                await app(scope, receive, send_tuned if scope["type"] == "lifespan" else send)

            return serve

    return gc_tuned(platform)


async def _main() -> None:
    gc.callbacks.append(GC)
    settings = load_settings(PlatformSettings, mode=RunMode.EMBEDDED)
    configure_logging(level=settings.log_level, json=settings.log_json)  # as `burency up`
    private_directory(settings.data_dir)
    platform = build_platform(settings)
    server = uvicorn.Server(_config(platform, settings))
    ready = Path(os.environ["BENCH_READY"])
    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, _dump_health, platform, ready)
    prepare = asyncio.create_task(_prepare(server, platform, settings.port, ready))
    lag = asyncio.create_task(LAG.run())
    await server.serve()
    lag.cancel()
    if not prepare.done():
        prepare.cancel()
    elif prepare.exception() is not None:
        print(f"bench preparation failed: {prepare.exception()!r}", file=sys.stderr)


def _config(platform: Platform, settings: PlatformSettings) -> uvicorn.Config:
    """``burency up``'s uvicorn settings (uvloop, httptools, no proxy headers); a
    revision from before ``burency_platform.serving`` gets the same by hand."""
    try:
        from burency_platform.serving import uvicorn_config  # noqa: PLC0415 - absent in old revisions
    except ImportError:
        return uvicorn.Config(
            _served(platform), host=settings.host, port=settings.port, loop="auto",
            log_level="warning", proxy_headers=False,
        )  # fmt: skip
    return uvicorn_config(_served(platform), settings)


def _loop_factory() -> Any:
    """The event loop ``burency up`` runs on (uvicorn's ``loop="auto"``: uvloop)."""
    return uvicorn.Config(app=None, loop="auto").get_loop_factory()


if __name__ == "__main__":
    with (
        contextlib.suppress(KeyboardInterrupt),  # uvicorn re-raises the SIGINT it handled
        asyncio.Runner(loop_factory=_loop_factory()) as runner,
    ):
        runner.run(_main())
