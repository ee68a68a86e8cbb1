"""``burency serve <service>`` in a process of its own, for distributed end-to-end and
crash tests: configured only by ``BURENCY_*`` variables (the test's own; the caller's
``BURENCY_*`` are dropped), on a free port, its output appended to a log file, and
restartable on the same environment (same database, same journal directory) after a
SIGKILL.

Readiness is ``/readyz`` answering 200 (a failure quotes the end of the log). The
session's process reaper (:mod:`burency_testing.processes`) is the safety net; callers
still :meth:`ServeProcess.stop` in a ``finally``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from burency_testing.infra import free_port, wait_until_ready

__all__ = ["CLI", "ServeProcess"]

CLI = Path(sys.executable).parent / "burency"


class ServeProcess:
    """One ``burency serve <service>``: :meth:`spawn` then :meth:`ready` (or :meth:`start`
    for both), :meth:`kill` (SIGKILL, reaped), :meth:`stop` (SIGTERM, then SIGKILL)."""

    def __init__(self, service: str, env: dict[str, str], log: Path) -> None:
        port = free_port()
        self.service, self.log, self.url = service, log, f"http://127.0.0.1:{port}"
        self.env = {**env, "BURENCY_PORT": str(port)}
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def spawn(self) -> None:
        base = {k: v for k, v in os.environ.items() if not k.startswith("BURENCY_")}
        with self.log.open("ab") as out:
            command = [str(CLI), "serve", self.service]
            self.proc = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
                command, env={**base, **self.env}, stdout=out, stderr=out
            )
        self.starts += 1

    def ready(self) -> None:
        """Wait for ``/readyz`` (fails the test if the process exits first)."""
        assert self.proc is not None, "spawn() first"
        wait_until_ready(self.url, self.proc, path="/readyz", log=self.log)

    def start(self) -> None:
        self.spawn()
        self.ready()

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs (no final snapshot, no drain, no group leave)."""
        assert self.proc is not None, "spawn() first"
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM (a graceful stop), SIGKILL after ``timeout`` s; a no-op once exited."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
