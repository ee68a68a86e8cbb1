"""What a service's Alembic ``env.py`` calls, and operations shared by every service.

A service's ``migrations/env.py`` is::

    from burency_common.migrations import run_env
    from burency_example.adapters.orm import metadata
    run_env(metadata)

Migrations run through :func:`burency_common.db.migrate`, which hands Alembic an open
connection; the offline (SQL script) mode is not used.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import MetaData

__all__ = ["run_env"]


def run_env(target_metadata: MetaData) -> None:
    """Run migrations on the connection :func:`burency_common.db.migrate` provided."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations with burency_common.db.migrate(engine, path)")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
