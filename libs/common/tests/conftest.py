from __future__ import annotations

import sys
from pathlib import Path

# Make the ``support`` package (test schema, relay subprocess) importable by tests.
sys.path.insert(0, str(Path(__file__).parent))
