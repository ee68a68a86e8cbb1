"""Fixtures of the platform tests.

``settings_factory`` builds ``PlatformSettings`` with ``live_markets=False`` unless a test
asks for them: the liquidity bot's funding (deposits, mined blocks, e-mails to its
account) and its quotes would otherwise mix into what each test counts and prices.
``test_live_markets.py`` turns them on; ``make run`` has them on by default.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from burency_platform.settings import PlatformSettings


@pytest.fixture
def settings_factory(settings_factory: Callable[..., Any]) -> Callable[..., Any]:
    def make(cls: type[Any], **values: Any) -> Any:
        if issubclass(cls, PlatformSettings):
            values.setdefault("live_markets", False)
        return settings_factory(cls, **values)

    return make
