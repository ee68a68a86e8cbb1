from burency_common.migrations import run_env
from burency_files.adapters.orm import metadata

run_env(metadata)
