from burency_banking.adapters.orm import metadata
from burency_common.migrations import run_env

run_env(metadata)
