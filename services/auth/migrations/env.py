import burency_auth.adapters.apikeys_repo  # noqa: F401 - registers api_keys on the metadata
from burency_auth.adapters.orm import metadata
from burency_common.migrations import run_env

run_env(metadata)
