from burency_common.migrations import run_env
from burency_notifications.adapters.orm import metadata

run_env(metadata)
