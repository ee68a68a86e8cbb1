"""Choosing between the compiled engine and its Python sources, once, at package import.

``scripts/build_engine.py`` (run by ``make run`` / ``make test``) compiles the engine's
modules with mypyc into ``.native/`` at the repository root (or ``BURENCY_NATIVE_DIR``),
with a manifest of the SHA-256 of every source it compiled. When that manifest matches
the sources beside this file, byte for byte, and was built for this interpreter, the
package's ``__path__`` puts the compiled directory first, so ``burency_trading.domain.engine``
and the others load as C extensions; modules that were not compiled (``model.py`` and
``snapshot.py``: mypyc would drop msgspec's class options) still load from here.

Anything else — no build, a stale build (a source edited since), another Python,
``BURENCY_ENGINE=python`` — leaves the package as it is: the interpreted engine, which
behaves identically (the same state hash for the same journal: tested). Nothing is built
or written here; this only reads the manifest and hashes the sources (~1 ms).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import sysconfig
from pathlib import Path

__all__ = [
    "MANIFEST",
    "NATIVE_GROUP",
    "default_native_dir",
    "engine_build",
    "interpreter_tag",
    "source_digest",
    "stale_reason",
    "use_native_build",
]

MANIFEST = "manifest.json"
NATIVE_GROUP = "burency_engine"  # mypyc's shared runtime module: burency_engine__mypyc
_HERE = Path(__file__).resolve().parent
_state = {"build": "interpreted", "reason": "not chosen yet"}


def default_native_dir() -> Path:
    configured = os.environ.get("BURENCY_NATIVE_DIR")
    if configured:
        return Path(configured)
    # services/trading/src/burency_trading/domain -> the repository root
    return _HERE.parents[4] / ".native"


def interpreter_tag() -> str:
    return f"{sys.implementation.cache_tag}-{sysconfig.get_config_var('EXT_SUFFIX')}"


def source_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def engine_build() -> dict[str, str]:
    """``{"build": "compiled" | "interpreted", "reason": ...}`` for health and logs."""
    return dict(_state)


def _runtime(native: Path) -> Path | None:
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    return next(native.glob(f"{NATIVE_GROUP}__mypyc*{suffix}"), None)


def stale_reason(native: Path) -> str | None:
    """Why the build in ``native`` cannot be used, or None when it can."""
    try:
        manifest = json.loads((native / MANIFEST).read_text())
    except (OSError, ValueError):
        return f"no compiled engine in {native} (make builds it)"
    if manifest.get("interpreter") != interpreter_tag():
        return "the compiled engine was built for another Python"
    sources: dict[str, str] = manifest.get("sources", {})
    for name, digest in sources.items():
        source = _HERE / name
        if not source.is_file() or source_digest(source) != digest:
            return f"{name} changed since the engine was compiled (make rebuilds it)"
    if not sources:
        return "the manifest lists no sources"
    return None if _runtime(native) is not None else "mypyc's runtime module is missing"


def use_native_build(package_path: list[str]) -> None:
    """Put the compiled modules first on ``package_path`` when they match the sources."""
    if os.environ.get("BURENCY_ENGINE", "").lower() == "python":
        _state.update(build="interpreted", reason="BURENCY_ENGINE=python")
        return
    native = default_native_dir()
    reason = stale_reason(native)
    runtime = _runtime(native)
    if reason is not None or runtime is None:
        _state.update(build="interpreted", reason=reason or "no runtime module")
        return
    name = f"{NATIVE_GROUP}__mypyc"
    if name not in sys.modules:  # the compiled modules import it by this top-level name
        spec = importlib.util.spec_from_file_location(name, runtime)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    package_path.insert(0, str(native / "burency_trading" / "domain"))
    _state.update(build="compiled", reason=f"mypyc build in {native}")
