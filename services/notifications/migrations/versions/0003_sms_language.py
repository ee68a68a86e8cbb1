"""notifications: recipients' phone/language/country from user.profile_updated; priority

Revision ID: 0003
Revises: 0002

* ``recipients.email`` becomes nullable: a ``user.profile_updated`` may be consumed
  before the ``user.registered`` that carries the email (different topics);
  ``country`` and ``profile_changed_at`` (newest profile update applied, to ignore
  stale ones) are added.
* ``deliveries.priority_rank`` (0 high, 1 normal, 2 low; default normal) orders what
  the worker leases first, with an index matching that query.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recipients") as batch:
        batch.alter_column("email", existing_type=sa.String(320), nullable=True)
        batch.add_column(sa.Column("country", sa.String(2), nullable=True))
        batch.add_column(sa.Column("profile_changed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(
            sa.Column("priority_rank", sa.SmallInteger, nullable=False, server_default="1")
        )
    op.create_index(
        "ix_deliveries_due_priority",
        "deliveries",
        ["status", "priority_rank", "next_attempt_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_deliveries_due_priority", table_name="deliveries")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("priority_rank")
    op.execute("DELETE FROM recipients WHERE email IS NULL")
    with op.batch_alter_table("recipients") as batch:
        batch.drop_column("profile_changed_at")
        batch.drop_column("country")
        batch.alter_column("email", existing_type=sa.String(320), nullable=False)
