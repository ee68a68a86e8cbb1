"""The session reaper finds and stops what tests left running, orphans included."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import json, subprocess
from burency_common.testing.processes import become_subreaper, descendants, reap_descendants
assert become_subreaper()
# the shell exits at once: its background sleep is an orphan, adopted by this process
subprocess.run(["sh", "-c", "sleep 300 >/dev/null 2>&1 &"], check=True)
subprocess.Popen(["sleep", "301"])
found = sorted(p.command for p in descendants())
reaped = sorted(p.command for p in reap_descendants(grace_s=5))
print(json.dumps({"found": found, "reaped": reaped, "after": len(descendants())}))
"""


def test_leftover_children_and_orphaned_grandchildren_are_reaped() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=True
    )
    result = json.loads(done.stdout)
    assert result == {
        "found": ["sleep 300", "sleep 301"],
        "reaped": ["sleep 300", "sleep 301"],
        "after": 0,
    }


STUBBORN = """
import json, subprocess, sys, time
from burency_common.testing.processes import descendants, reap_descendants
child = subprocess.Popen([sys.executable, "-c", (
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "print('ready', flush=True); time.sleep(300)")], stdout=subprocess.PIPE, text=True)
assert child.stdout.readline().strip() == "ready"  # SIGTERM is ignored from here on
started = time.monotonic()
reaped = reap_descendants(grace_s=0.5)
print(json.dumps({"reaped": len(reaped), "waited": time.monotonic() - started,
                  "after": len(descendants())}))
"""


def test_a_process_that_ignores_sigterm_is_killed_after_the_grace_period() -> None:
    done = subprocess.run(
        [sys.executable, "-c", STUBBORN], capture_output=True, text=True, timeout=60, check=True
    )
    result = json.loads(done.stdout)
    assert result["reaped"] == 1
    assert result["after"] == 0
    assert result["waited"] >= 0.5  # SIGTERM was ignored: SIGKILL after the grace period
