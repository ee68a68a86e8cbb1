from __future__ import annotations

import sys
from pathlib import Path

# Test upstream apps, the proxy harness and the fake auth service live here.
sys.path.insert(0, str(Path(__file__).parent / "upstreams"))
