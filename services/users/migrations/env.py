from burency_common.migrations import run_env
from burency_users.adapters.orm import metadata

run_env(metadata)
