"""Running an embedded ``burency up`` for a benchmark, and reading its CPU time from /proc."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / ".venv" / "bin" / "burency"
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class RunningPlatform:
    url: str
    pid: int

    def cpu_seconds(self) -> float:
        """User + system CPU of the whole process (every thread) so far."""
        return cpu_seconds(Path(f"/proc/{self.pid}/stat"))


def cpu_seconds(stat_path: Path) -> float:
    fields = stat_path.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("burency up exited during start-up")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)  # polling for readiness with a deadline
    raise SystemExit("burency up did not become ready in 120 s")


@contextmanager
def running_platform(extra_env: dict[str, str] | None = None) -> Iterator[RunningPlatform]:
    """``burency up`` on a fresh data directory and a free port, stopped on exit."""
    with tempfile.TemporaryDirectory(prefix="burency-bench-") as data:
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("BURENCY_")}
        env.update(BURENCY_PORT=str(port), BURENCY_DATA_DIR=data, **(extra_env or {}))
        proc = subprocess.Popen(
            [str(CLI), "up"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_ready(url, proc)
            yield RunningPlatform(url, proc.pid)
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
