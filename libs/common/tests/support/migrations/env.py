"""Alembic env of the test schema (autogenerate is not used here, so no metadata is needed)."""

from sqlalchemy import MetaData

from burency_common.migrations import run_env

run_env(MetaData())
