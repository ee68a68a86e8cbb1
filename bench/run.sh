#!/usr/bin/env bash
# Runs every benchmark under bench/; each prints its figures and writes bench/results/<name>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results
if ! command -v wrk >/dev/null 2>&1; then  # the HTTP load generator (a C program, not the bottleneck)
  if [[ $EUID -eq 0 ]]; then
    apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
  else
    echo "bench: wrk is required: sudo apt-get install wrk" >&2
    exit 1
  fi
fi
for script in bench/*.py; do
  [[ "$(basename "$script")" == _* ]] && continue
  echo "==> $script"
  .venv/bin/python "$script"
done
