"""The pure trading engine (see docs/trading.md and docs/trading/engine.md).

Its modules load compiled (mypyc, built by ``make``) when a build matching these sources
exists, else as Python: see :mod:`._native`.
"""

from burency_trading.domain._native import use_native_build

use_native_build(__path__)
