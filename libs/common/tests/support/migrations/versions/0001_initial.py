"""outbox, inbox and an effects table

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

from burency_common.outbox import create_outbox_tables, drop_outbox_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_outbox_tables()
    op.create_table(
        "effects",
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("amount", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("effects")
    drop_outbox_tables()
