"""Compile the trading engine with mypyc into ``.native/`` (see ``burency_trading.domain._native``).

Run by ``make run`` and ``make test`` (target ``engine``); does nothing when the build
in place matches the sources. The build happens in a temporary directory beside the
target, is checked there (the compiled engine must load, and must reach the same state
hash as the interpreted one on a seeded workload), and only then replaces ``.native/``,
so a failed or interrupted build never leaves a half-written engine behind.
Needs a C compiler and Python's headers (Debian: gcc, python3-dev; this machine's
CPython ships its headers). ``BURENCY_ENGINE=python`` at run time ignores the build.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from burency_trading.domain import _native

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "services" / "trading" / "src"
DOMAIN = SRC / "burency_trading" / "domain"
# model.py and snapshot.py define msgspec Structs: mypyc would drop their class options
# (array_like, tags), which would change the journal's bytes. __init__/_native choose.
INTERPRETED = {"__init__.py", "_native.py", "model.py", "snapshot.py"}

_SETUP = """\
import sys
from setuptools import setup
from mypyc.build import mypycify
setup(name="burency-engine", script_args=sys.argv[1:],
      ext_modules=mypycify({paths!r}, opt_level="3", group_name={group!r},
                           target_dir={target_dir!r}))
"""

_CHECK = """\
from burency_testing.trading_workload import workload
from burency_trading.domain import _native
from burency_trading.domain.engine import Engine
import sys
want = sys.argv[1]
if _native.engine_build()["build"] != want:
    raise SystemExit(f"expected the {want} engine: {_native.engine_build()}")
engine = Engine()
for seq, command in enumerate(workload(7, 20_000), 1):
    engine.apply(command, seq, seq)
print(engine.state_hash())
"""


def compiled_sources() -> list[Path]:
    return sorted(p for p in DOMAIN.glob("*.py") if p.name not in INTERPRETED)


def _compile(out: Path, work: Path) -> None:
    paths = [str(p.relative_to(SRC)) for p in compiled_sources()]
    setup = work / "setup.py"
    setup.write_text(
        _SETUP.format(paths=paths, group=_native.NATIVE_GROUP, target_dir=str(work / "c"))
    )
    command = [sys.executable, str(setup), "build_ext", "--build-lib", str(out),
               "--build-temp", str(work / "build")]  # fmt: skip
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "MYPY_CACHE_DIR": str(work / "mypy-cache")}
    done = subprocess.run(command, check=False, cwd=SRC, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(
            "build_engine: mypyc could not compile the trading engine (see above). It needs "
            "a C compiler (Debian: apt-get install gcc python3-dev). To run without the "
            "compiled engine, set BURENCY_ENGINE=python."
        )


def _write_manifest(out: Path) -> None:
    manifest = {
        "interpreter": _native.interpreter_tag(),
        "sources": {p.name: _native.source_digest(p) for p in compiled_sources()},
    }
    (out / _native.MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def _state_hash(native: Path, build: str) -> str:
    env = {**os.environ, "BURENCY_NATIVE_DIR": str(native)}
    env["BURENCY_ENGINE"] = "python" if build == "interpreted" else ""
    done = subprocess.run(
        [sys.executable, "-c", _CHECK, build],
        check=False, env=env, capture_output=True, text=True, cwd=tempfile.gettempdir(),
    )  # fmt: skip
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"build_engine: the {build} engine failed its check")
    return done.stdout.strip()


def main() -> None:
    target = _native.default_native_dir()
    if _native.stale_reason(target) is None:
        print(f"build_engine: the compiled engine in {target} is up to date")
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".native-build-", dir=target.parent) as tmp:
        work = Path(tmp)
        out = work / "out"
        print("build_engine: compiling the trading engine with mypyc ...", flush=True)
        _compile(out, work)
        _write_manifest(out)
        if _state_hash(out, "compiled") != _state_hash(out, "interpreted"):
            raise SystemExit("build_engine: the compiled engine differs from the interpreted one")
        old = work / "previous"
        if target.exists():
            target.rename(old)
        out.rename(target)
    print(f"build_engine: compiled engine ready in {target}")


if __name__ == "__main__":
    main()
