"""Run upstreams and gateways as uvicorn subprocesses on free loopback ports.

Readiness is always polled with a deadline; the short pauses between polls are the
poll period, never a wait for a result.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import httpx

PACKAGE = __name__.rpartition(".")[0]
POLL = 0.05


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """One uvicorn process serving ``<module>:create_app``, ``module`` one of this rig's
    (``proxy_upstream``, ``proxy_gateway``, ``full_gateway``)."""

    def __init__(
        self, module: str, *, port: int | None = None, env: Mapping[str, str] | None = None
    ) -> None:
        self.module = module
        self.port = port or free_port()
        self.env = dict(env or {})
        self.proc: subprocess.Popen[bytes] | None = None
        fd, name = tempfile.mkstemp(prefix=f"{module}-{self.port}-", suffix=".log")
        os.close(fd)
        self.log_path = Path(name)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> Server:
        command = [
            sys.executable, "-m", "uvicorn", f"{PACKAGE}.{self.module}:create_app", "--factory",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--log-level", "warning", "--no-access-log", "--loop", "uvloop", "--http", "httptools",
            "--timeout-graceful-shutdown", "1",
        ]  # fmt: skip
        env = {**os.environ, **self.env}
        with self.log_path.open("ab") as log:  # the child keeps its own copy of the fd
            self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                command, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        return self

    def _check_alive(self) -> None:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.module} on {self.port} exited: {self.log_tail()}")

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-2000:]

    def wait_ready(self, deadline_s: float = 20.0) -> Server:
        deadline = time.monotonic() + deadline_s
        while True:
            self._check_alive()
            try:
                if httpx.get(self.url + "/healthz", timeout=0.5).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.module} on {self.port} not ready: {self.log_tail()}")
            time.sleep(POLL)

    async def wait_ready_async(self, deadline_s: float = 20.0) -> Server:
        deadline = time.monotonic() + deadline_s
        async with httpx.AsyncClient(timeout=0.5) as client:
            while True:
                self._check_alive()
                try:
                    if (await client.get(self.url + "/healthz")).status_code == 200:
                        return self
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{self.module} on {self.port} not ready: {self.log_tail()}")
                await asyncio.sleep(POLL)

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, connections die with the process."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.log_path.unlink(missing_ok=True)


def start_all(servers: Iterable[Server]) -> list[Server]:
    """Start every server first, then wait for each: they boot in parallel."""
    started = [s.start() for s in servers]
    try:
        for server in started:
            server.wait_ready()
    except BaseException:
        stop_all(started)
        raise
    return started


def stop_all(servers: Iterable[Server]) -> None:
    for server in servers:
        server.stop()


def upstreams(
    count: int, *, env: Mapping[str, str] | None = None, prefix: str = "u"
) -> list[Server]:
    return start_all(
        Server("proxy_upstream", env={"UPSTREAM_ID": f"{prefix}{i}", **(env or {})})
        for i in range(count)
    )


async def until(predicate: Callable[[], bool], *, deadline_s: float, what: str) -> None:
    """Poll ``predicate`` until it holds or the deadline passes."""
    deadline = time.monotonic() + deadline_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {deadline_s} s: {what}")
        await asyncio.sleep(POLL)
