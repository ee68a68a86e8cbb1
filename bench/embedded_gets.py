"""Authenticated GETs through the embedded gateway: requests/s and CPU µs per request.

Starts ``burency up`` (fresh data directory, rate limits raised so they do not cap the
figure), signs a user in, then drives three GETs with ``wrk`` (Debian's package, a C load
generator that is not the bottleneck; ``make bench`` installs it when missing): the
gateway's own ``/healthz``, ``GET /api/users/v1/profile`` and ``GET /api/banking/v1/accounts``
with the user's access token. Beside requests/s it prints the server's CPU time per
request (user + system of the whole process, from ``/proc``), which is steadier than
throughput on a shared machine.

Before the idle fix (issue #14) the same machine gave ~1,480 /healthz, ~90 profile and
~46 accounts requests/s: the event loop was busy with background polls.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time

import httpx
from _common import write_result
from _platform import running_platform

DURATION = os.environ.get("WRK_DURATION", "10s")
CONNECTIONS = os.environ.get("WRK_CONNECTIONS", "16")
PATHS = {
    "healthz": "/healthz",
    "profile": "/api/users/v1/profile",
    "accounts": "/api/banking/v1/accounts",
}


def _sign_in(url: str) -> str:
    account = {"email": "bench@example.com", "password": "correct horse battery staple"}
    httpx.post(f"{url}/api/auth/v1/register", json=account, timeout=10).raise_for_status()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        answer = httpx.post(f"{url}/api/auth/v1/login", json=account, timeout=10)
        if answer.status_code == 200:
            token: str = answer.json()["accessToken"]
            # the profile and accounts are opened from user.registered: wait for both
            for path in ("/api/users/v1/profile", "/api/banking/v1/accounts"):
                while httpx.get(url + path, headers=_auth(token)).status_code != 200:
                    time.sleep(0.05)  # polling for the event's effect with the deadline above
            return token
        time.sleep(0.05)  # polling with a deadline
    raise SystemExit("could not sign the benchmark user in")


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _wrk(url: str, token: str) -> tuple[float, int, str]:
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency"]
    command += ["-H", f"Authorization: Bearer {token}", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    p50 = re.search(r"50%\s+(\S+)", output)
    if non_2xx:
        raise SystemExit(f"{url}: {non_2xx.group(1)} failed requests:\n{output}")
    return rate, total, p50.group(1) if p50 else "?"


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is required: apt-get install wrk (make bench installs it)")
    figures: dict[str, object] = {"connections": CONNECTIONS, "duration": DURATION}
    raised = "default=100000000/minute register=100/minute login=100/minute"
    with running_platform({"BURENCY_RATE_LIMITS": raised}) as platform:
        token = _sign_in(platform.url)
        for name, path in PATHS.items():
            before = platform.cpu_seconds()
            rate, total, p50 = _wrk(platform.url + path, token)
            cpu_us = (platform.cpu_seconds() - before) / total * 1e6
            figures[f"{name}_requests_per_s"] = round(rate)
            figures[f"{name}_server_cpu_us_per_request"] = round(cpu_us)
            figures[f"{name}_p50"] = p50
    write_result("embedded_gets", figures)


if __name__ == "__main__":
    main()
