"""``burency up`` as a real process (what ``make run`` starts), for tests that kill it.

A new user's verification link arrives only by e-mail; embedded mode writes e-mails as
``.eml`` files under ``<data dir>/mail``, so :func:`mailed_token` reads the link from
there, the way a user would click it.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from burency_testing.waiting import eventually_sync

__all__ = ["BurencyUp", "mailed_token"]


class BurencyUp:
    """One ``burency up`` process on ``port`` with its data in ``data_dir``."""

    def __init__(
        self, data_dir: Path, port: int, log: Path, env: dict[str, str] | None = None
    ) -> None:
        self.data_dir, self.port, self.log = data_dir, port, log
        self.env = dict(env or {})
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self._log_from = 0

    def start(self) -> BurencyUp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BURENCY_")}
        env.update(BURENCY_PORT=str(self.port), BURENCY_DATA_DIR=str(self.data_dir), **self.env)
        self._log_from = self.log.stat().st_size if self.log.exists() else 0
        cli = Path(sys.executable).parent / "burency"
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [str(cli), "up"], env=env, stdout=out, stderr=subprocess.STDOUT, umask=0o022
            )
        self.wait_for(r"URL:\s+" + re.escape(self.url))
        eventually_sync(self._answers, f"{self.url}/readyz to answer", timeout=90)
        return self

    def _alive(self) -> None:
        assert self.proc is not None
        assert self.proc.poll() is None, f"burency up exited:\n{self.output()}"

    def _answers(self) -> bool:
        self._alive()
        try:
            return httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def output(self) -> str:
        return self.log.read_bytes()[self._log_from :].decode(errors="replace")

    def wait_for(self, pattern: str, deadline_s: float = 90) -> re.Match[str]:
        def found() -> re.Match[str] | None:
            self._alive()
            return re.search(pattern, self.output())

        return eventually_sync(found, f"{pattern!r} in the output", timeout=deadline_s)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs (a crash, a power cut, the OOM killer)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        """Ctrl-C: a graceful shutdown; killed if it does not end in 30 s."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)


def mailed_token(data_dir: Path, to: str, page: str = "verify-email") -> str:
    """The token of the newest ``/<page>?token=...`` link e-mailed to ``to``."""
    found: list[tuple[float, str]] = []
    for path in (data_dir / "mail").glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] != to:
            continue
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        match = re.search(rf"/{page}\?token=([A-Za-z0-9_\-]+)", text)
        if match:
            found.append((path.stat().st_mtime, match.group(1)))
    assert found, f"no {page} e-mail to {to} in {data_dir / 'mail'}"
    return max(found)[1]
