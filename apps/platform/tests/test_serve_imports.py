"""`burency serve <service>` loads that service's code only: a restarted service is ready
sooner (a chaos run measured ~8 s of CPU importing every service per restart)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

SERVICES = ("burency_gateway", "burency_auth", "burency_users", "burency_files")
SERVICES += ("burency_notifications", "burency_banking")

PROBE = """
import json, sys
import burency_platform.cli
from burency_platform.served import build_served_component
loaded_by_cli = sorted(m for m in {services} if m in sys.modules)
build_served_component("notifications")
loaded_to_serve = sorted(m for m in {services} if m in sys.modules)
print(json.dumps({{"cli": loaded_by_cli, "serve": loaded_to_serve}}))
"""


def test_serving_one_service_imports_no_other_service() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BURENCY_")}
    env.update(
        BURENCY_MODE="distributed",
        BURENCY_DATABASE_URL="postgresql+asyncpg://nobody:none@127.0.0.1:1/none",
        BURENCY_IDENTITY_SECRET="x" * 40,
        BURENCY_KAFKA_BOOTSTRAP="127.0.0.1:1",
    )
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(services=SERVICES)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == {"cli": [], "serve": ["burency_notifications"]}
