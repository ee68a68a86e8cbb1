"""auth: account keys become canonical e-mail addresses (look-alike addresses, issue #13)

Revision ID: 0003
Revises: 0002

``users.email_key`` (already unique) was ``email.casefold()``, so full-width letters,
look-alike letters of other scripts and combining marks made new keys for what a
person reads as one address. From now on the key is
:func:`burency_common.validators.canonical_email`'s ``key`` (NFKC, ASCII local part,
IDNA A-label domain, lower case). This migration re-keys the existing rows:

* a row whose canonical key nobody else claims gets it;
* when several rows share one canonical key, the row that already holds it keeps it
  (else the oldest); the others keep their old key and are logged for an operator to
  review (sign-in looks the canonical key up first, so such an account reaches its
  own row only through support);
* a canonical key already held by a row with another canonical form (``ß``, which
  case-folds to ``ss``) is left alone;
* a row whose address is no longer acceptable (non-ASCII local part) keeps its key.

No row changes identity or loses access, and the unique index guarantees that no new
account can take a canonical key already held. Downgrade keeps the new keys: they
are what the old code computes too, except for internationalised domains, now stored
in their ``xn--`` form.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

from burency_common.logging import get_logger
from burency_common.validators import InvalidValue, canonical_email

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_users = sa.table(
    "users",
    sa.column("id", sa.String),
    sa.column("email", sa.String),
    sa.column("email_key", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def _canonical_key(email: str) -> str | None:
    try:
        return canonical_email(email).key
    except InvalidValue:
        return None


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_users.c.id, _users.c.email, _users.c.email_key).order_by(
            _users.c.created_at, _users.c.id
        )
    ).all()
    held = {key: user_id for user_id, _, key in rows}
    claims: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for user_id, email, key in rows:
        canonical = _canonical_key(email)
        if canonical is not None:
            claims[canonical].append((user_id, key))
    kept: list[str] = []
    for canonical, holders in claims.items():
        holder = held.get(canonical)
        if holder is not None and all(user_id != holder for user_id, _ in holders):
            kept.extend(user_id for user_id, _ in holders)
            continue
        owner = next((h for h in holders if h[1] == canonical), holders[0])
        if owner[1] != canonical:
            bind.execute(
                sa.update(_users).where(_users.c.id == owner[0]).values(email_key=canonical)
            )
        kept.extend(user_id for user_id, _ in holders if user_id != owner[0])
    if kept:
        get_logger("burency.auth.migrations").warning(
            "auth.lookalike_accounts_kept", count=len(kept), user_ids=kept
        )


def downgrade() -> None:
    pass
