"""Derived event ids: the same parts always give the id ``uuid.uuid5`` gives them, so
ids derived and stored by earlier versions stay equal."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from burency_common.outbox.emitter import _NAMESPACE, stable_event_id


@given(st.lists(st.text(), min_size=1, max_size=5))
def test_stable_event_id_is_uuid5_of_the_joined_parts(parts: list[str]) -> None:
    expected = str(uuid.uuid5(_NAMESPACE, "\x1f".join(parts)))
    assert stable_event_id(*parts) == expected


def test_known_ids_stay_the_same() -> None:
    # computed with str(uuid.uuid5(namespace, ...)) before the fast derivation existed
    assert stable_event_id("wallet.transfer.requested", "t-1") == str(
        uuid.uuid5(uuid.UUID("5b1f3c0e-7a4d-4c1e-9f0a-62616e6b696e"),
                   "wallet.transfer.requested\x1ft-1")
    )  # fmt: skip
