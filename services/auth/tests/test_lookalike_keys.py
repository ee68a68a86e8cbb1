"""Throttling and look-ups use the canonical address (issue 13, finding 7): another
spelling of an address is the same account, never a fresh throttling bucket."""

from __future__ import annotations

from burency_auth.adapters import users_repo
from burency_auth.domain.onetime import account_key

from .auth_testing.harness import Harness

FULLWIDTH = "\uff21\uff2c\uff29\uff23\uff25@Example.COM"


def test_spellings_of_one_address_share_one_throttling_key() -> None:
    assert account_key(FULLWIDTH) == account_key(" alice@example.com ")
    assert account_key("\u0430lice@example.com") != account_key("alice@example.com")


async def test_lookup_by_any_spelling_finds_the_one_account(harness: Harness) -> None:
    user_id = await harness.register("alice@example.com")
    async with harness.component.context.transaction() as db:
        assert (await users_repo.get_user_by_email_key(db, FULLWIDTH)).id == user_id  # type: ignore[union-attr]
        assert await users_repo.get_user_by_email_key(db, "\u0430lice@example.com") is None
