#!/usr/bin/env bash
# The web app (frontend/): build it when missing or stale, and run its checks.
#
#   bash scripts/frontend.sh build   npm ci (when the lock changed) + vite build into frontend/dist
#   bash scripts/frontend.sh test    build, then ESLint, tsc --noEmit, Vitest and the Playwright
#                                    e2e suite in Debian's chromium (installed as root if missing)
#
# `make run` serves frontend/dist at / (BURENCY_SPA_DIR); `make test` runs `test`.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

log() { printf '[frontend] %s\n' "$*" >&2; }
die() {
  printf '[frontend] ERROR: %s\n' "$*" >&2
  exit 1
}

FRONTEND="$BURENCY_ROOT/frontend"
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"

need_node() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 ||
    die "Node.js 20+ and npm are needed to build the web app: install them (https://nodejs.org or your distribution's nodejs and npm packages)"
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  ((major >= 20)) || die "Node.js $(node --version) is too old for the web app: install Node.js 20 or newer"
}

install_deps() {
  local stamp="$FRONTEND/node_modules/.package-lock.json"
  if [[ ! -f "$stamp" || "$FRONTEND/package-lock.json" -nt "$stamp" || "$FRONTEND/package.json" -nt "$stamp" ]]; then
    log "npm ci (frontend/package-lock.json)"
    (cd "$FRONTEND" && npm ci --no-audit --no-fund --loglevel=error)
    touch "$stamp"
  fi
}

stale() {
  local built="$FRONTEND/dist/index.html"
  [[ -f "$built" ]] || return 0
  [[ -n "$(cd "$FRONTEND" && find src index.html vite.config.ts tsconfig.json package-lock.json -newer "$built" -print -quit)" ]]
}

build() {
  need_node
  install_deps
  if stale; then
    log "vite build -> frontend/dist"
    (cd "$FRONTEND" && npx vite build --logLevel warn)
    touch "$FRONTEND/dist/index.html"
  fi
}

run_tests() {
  build
  require_program "$CHROMIUM" chromium "Chromium (the browser the e2e tests drive)"
  cd "$FRONTEND"
  log "eslint";       npm run --silent lint
  log "tsc --noEmit"; npm run --silent typecheck
  log "vitest";       npx vitest run
  log "playwright e2e (headless $CHROMIUM)"
  CHROMIUM_PATH="$CHROMIUM" npx playwright test
}

case "${1:-}" in
  build) build ;;
  test) run_tests ;;
  *) die "usage: $0 build|test" ;;
esac
