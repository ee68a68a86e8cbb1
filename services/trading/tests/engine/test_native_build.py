"""The engine as shipped: compiled by mypyc (``make engine``), identical to its sources.

``make test`` builds it first, so the whole suite runs against the compiled engine; here
the interpreted one (``BURENCY_ENGINE=python``) must reach the same state on a seeded
workload, and a build that no longer matches the sources must never be loaded.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from burency_trading.domain import _native

_RUN = """\
from burency_testing.trading_workload import workload
from burency_trading.domain import _native
from burency_trading.domain.engine import Engine
engine = Engine()
for seq, command in enumerate(workload(23, 30_000), 1):
    engine.apply(command, seq, seq)
print(_native.engine_build()["build"], engine.state_hash(), _native.engine_build()["reason"])
"""


def _run(**env: str) -> tuple[str, str, str]:
    done = subprocess.run(
        [sys.executable, "-c", _RUN], env={**os.environ, **env}, capture_output=True,
        text=True, check=True, timeout=300,
    )  # fmt: skip
    build, state_hash, reason = done.stdout.strip().split(" ", 2)
    return build, state_hash, reason


def test_this_suite_runs_the_build_it_was_asked_for() -> None:
    wanted = "interpreted" if os.environ.get("BURENCY_ENGINE") == "python" else "compiled"
    assert _native.engine_build()["build"] == wanted, (
        f"{_native.engine_build()}: run `make engine` (or set BURENCY_ENGINE=python)"
    )


def test_compiled_and_interpreted_engines_reach_the_same_state() -> None:
    compiled = _run(BURENCY_ENGINE="")
    interpreted = _run(BURENCY_ENGINE="python")
    assert compiled[0] == "compiled", compiled
    assert interpreted[0] == "interpreted"
    assert compiled[1] == interpreted[1]


def test_a_build_that_no_longer_matches_the_sources_is_not_loaded(tmp_path: Path) -> None:
    native = tmp_path / "native"
    shutil.copytree(_native.default_native_dir(), native)
    manifest = json.loads((native / _native.MANIFEST).read_text())
    manifest["sources"]["matching.py"] = "0" * 64  # as if matching.py was edited since
    (native / _native.MANIFEST).write_text(json.dumps(manifest))
    build, _, reason = _run(BURENCY_ENGINE="", BURENCY_NATIVE_DIR=str(native))
    assert build == "interpreted"
    assert "matching.py changed" in reason
    (native / _native.MANIFEST).unlink()
    build, _, reason = _run(BURENCY_ENGINE="", BURENCY_NATIVE_DIR=str(native))
    assert (build, "no compiled engine" in reason) == ("interpreted", True)
