"""The session reaper finds and stops what tests left running, orphans included."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = """
import json, subprocess
from burency_testing.processes import become_subreaper, descendants, reap_descendants
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
from burency_testing.processes import descendants, reap_descendants
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


@pytest.mark.parametrize(
    "test_body",
    [
        "def test_starts_a_server():\n    proc = subprocess.Popen(['sleep', '302'])\n"
        "    print(f'child {proc.pid}', flush=True)\n    time.sleep(300)\n",
        # an async test: an exception raised from the signal handler would be swallowed
        "async def test_starts_a_server():\n    proc = subprocess.Popen(['sleep', '302'])\n"
        "    print(f'child {proc.pid}', flush=True)\n    await asyncio.sleep(300)\n",
    ],
    ids=["sync", "async"],
)
def test_a_terminated_test_run_still_reaps_what_it_started(tmp_path: Path, test_body: str) -> None:
    """CI's time-out sends SIGTERM to pytest: the run ends, and the servers its tests
    started end with it."""
    (tmp_path / "pytest.ini").write_text("[pytest]\nasyncio_mode = auto\n")
    (tmp_path / "test_sleeper.py").write_text("import asyncio, subprocess, time\n" + test_body)
    run = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-s", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert run.stdout is not None
    line = ""
    while not line.startswith("child "):
        line = run.stdout.readline()
        assert line, "the inner test run ended before starting its child"
    child = int(line.split()[1])
    run.terminate()
    output = run.communicate(timeout=60)[0]
    assert run.returncode == -15  # it still dies of SIGTERM
    assert f"reaped pid {child}: sleep 302" in output
    assert not Path(f"/proc/{child}").exists() or _is_zombie(child)


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
