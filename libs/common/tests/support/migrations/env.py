"""Alembic env of the test schema (autogenerate is not used here, so no metadata is needed)."""

from burency_common.migrations import run_env
from sqlalchemy import MetaData

run_env(MetaData())
