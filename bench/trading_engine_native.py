"""The same engine compiled with mypyc (it ships with mypy, a dev tool already) against
the interpreted one: the workload of bench/trading_engine.py, same state hash required.

Nothing in the repository is built: the domain package is copied to a temporary
directory and compiled there, every module but ``model.py`` and ``snapshot.py`` (mypyc
drops msgspec's class options such as ``array_like``, which would change the snapshot
bytes, so the modules that define Structs stay interpreted). Each variant runs in its
own process, interleaved, best of ``ROUNDS``, CPU time; the run fails if the compiled
engine's state hash or number of events differs from the interpreted one's. Needs a C
compiler and the Python headers. mypyc's build needs setuptools, which the venv lacks:
it is fetched with the repository's uv into the temporary directory (build time only).
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

from _common import write_result

from burency_trading import domain

COUNT = int(os.environ.get("BENCH_TRADING_COMMANDS", "300000"))
ROUNDS = 3

_SETUP = """\
from setuptools import setup
from mypyc.build import mypycify
setup(name="engine_native", ext_modules=mypycify({modules!r}, opt_level="3"))
"""

_RUN = """\
import gc, sys, time
from burency_testing.trading_workload import workload
import burency_trading.domain.engine as engine_module
count = int(sys.argv[1])
commands = workload(15, count)
setup = len(commands) - count
engine = engine_module.Engine()
apply = engine.apply
for seq, command in enumerate(commands[:setup], 1):
    apply(command, seq, seq)
n = 0
gc.disable()
started = time.process_time()
for seq, command in enumerate(commands[setup:], setup + 1):
    n += len(apply(command, seq, seq))
cpu = time.process_time() - started
gc.enable()
print(cpu, n, engine.state_hash(), engine_module.__file__.endswith(".py"))
"""


def _build(root: pathlib.Path) -> None:
    package = root / "burency_trading"
    shutil.copytree(pathlib.Path(domain.__file__).parent, package / "domain")
    (package / "__init__.py").write_text("")
    modules = sorted(
        f"burency_trading/domain/{p.name}"
        for p in (package / "domain").glob("*.py")
        if p.name not in {"__init__.py", "model.py", "snapshot.py"}
    )
    (root / "setup.py").write_text(_SETUP.format(modules=modules))
    deps = root / "build-deps"
    uv = pathlib.Path(__file__).resolve().parent.parent / ".tools" / "venv" / "bin" / "uv"
    subprocess.run(
        [str(uv), "pip", "install", "--quiet", "--python", sys.executable, "--target", str(deps),
         "setuptools"],
        check=True,
    )  # fmt: skip
    subprocess.run(
        [sys.executable, "setup.py", "build_ext", "--inplace"],
        cwd=root,
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PYTHONWARNINGS": "ignore", "PYTHONPATH": str(deps)},
    )


def _run(pythonpath: str | None) -> tuple[float, int, str, bool]:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    out = subprocess.run(
        [sys.executable, "-c", _RUN, str(COUNT)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
    ).stdout.split()
    return float(out[0]), int(out[1]), out[2], out[3] == "True"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="engine-native-") as tmp:
        root = pathlib.Path(tmp)
        _build(root)
        best = {"interpreted": float("inf"), "compiled": float("inf")}
        seen: dict[str, tuple[int, str]] = {}
        for _ in range(ROUNDS):
            for name, path in (("interpreted", None), ("compiled", str(root))):
                cpu, events, state_hash, interpreted = _run(path)
                if interpreted != (name == "interpreted"):
                    raise SystemExit(f"{name}: the wrong engine was imported")
                best[name] = min(best[name], cpu)
                seen[name] = (events, state_hash)
        if seen["interpreted"] != seen["compiled"]:
            raise SystemExit(f"the compiled engine differs: {seen}")
    write_result(
        "trading_engine_native",
        {
            "commands": COUNT,
            "same_state_hash_and_event_count": True,
            "interpreted_commands_per_cpu_s": round(COUNT / best["interpreted"]),
            "interpreted_cpu_us_per_command": round(best["interpreted"] / COUNT * 1e6, 2),
            "compiled_commands_per_cpu_s": round(COUNT / best["compiled"]),
            "compiled_cpu_us_per_command": round(best["compiled"] / COUNT * 1e6, 2),
            "speedup": round(best["interpreted"] / best["compiled"], 2),
        },
    )


if __name__ == "__main__":
    main()
