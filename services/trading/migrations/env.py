from burency_common.migrations import run_env
from burency_trading.adapters.orm import metadata

run_env(metadata)
