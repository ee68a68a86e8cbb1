#!/usr/bin/env bash
# Runs every benchmark under bench/; each prints its figures and writes bench/results/<name>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results
for script in bench/*.py; do
  [[ "$(basename "$script")" == _* ]] && continue
  echo "==> $script"
  .venv/bin/python "$script"
done
