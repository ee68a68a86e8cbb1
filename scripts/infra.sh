#!/usr/bin/env bash
# Start, stop and inspect the real infrastructure that the test suites and distributed
# mode need, on loopback only and without Docker:
#
#   bash scripts/infra.sh up|down|restart|status [postgres|redis|kafka|s3 ...]
#
# Default: every service. State, logs and pid files live in var/ (see docs/operations.md,
# "Test and development infrastructure"); `up` writes var/infra.env for the tests.
# Ports (override with the env vars): PostgreSQL 54329 (BURENCY_PG_PORT), Redis 63799
# (BURENCY_REDIS_PORT), Kafka 19092/19093 (BURENCY_KAFKA_PORT, BURENCY_KAFKA_CONTROLLER_PORT),
# S3 45699 (BURENCY_S3_PORT).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
# shellcheck source=scripts/lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"
# shellcheck source=scripts/lib/postgres.sh
source "$SCRIPT_DIR/lib/postgres.sh"
# shellcheck source=scripts/lib/redis.sh
source "$SCRIPT_DIR/lib/redis.sh"
# shellcheck source=scripts/lib/kafka.sh
source "$SCRIPT_DIR/lib/kafka.sh"
# shellcheck source=scripts/lib/s3.sh
source "$SCRIPT_DIR/lib/s3.sh"

ALL_SERVICES=(postgres redis kafka s3)
SERVICES=()
# Services verified during this run (spares a second probe when writing infra.env).
declare -A VERIFIED=()
# Set by each <svc>_up: "started", "already running", ...
READY_STATE=""

usage() {
  cat <<USAGE
usage: bash scripts/infra.sh up|down|restart|status [service...]
services: ${ALL_SERVICES[*]} (default: all)
USAGE
}

# parse_services ARGS...: validate names into SERVICES (all when none given), keeping
# the canonical start order.
parse_services() {
  local svc want known
  for want in "$@"; do
    known=0
    for svc in "${ALL_SERVICES[@]}"; do
      [[ "$want" == "$svc" ]] && known=1
    done
    ((known)) || {
      usage >&2
      die "unknown service '$want'"
    }
  done
  for svc in "${ALL_SERVICES[@]}"; do
    if (($# == 0)) || [[ " $* " == *" $svc "* ]]; then
      SERVICES+=("$svc")
    fi
  done
}

# Rewrite var/infra.env with the export lines of every service that answers now.
write_env_file() {
  local svc tmp="$ENV_FILE.tmp.$$"
  [[ -d "$VAR_DIR" ]] || return 0
  {
    printf '# Written by scripts/infra.sh at %s: only services that were up.\n' "$(date -u +%FT%TZ)"
    printf '# Use: source var/infra.env\n'
    for svc in "${ALL_SERVICES[@]}"; do
      if [[ -n "${VERIFIED[$svc]:-}" ]] || "${svc}_ready"; then
        "${svc}_env"
      fi
    done
  } >"$tmp"
  mv -f "$tmp" "$ENV_FILE"
}

cmd_up() {
  local svc started total_started
  ensure_var_dirs
  take_lock
  trap write_env_file EXIT
  total_started="$(now_us)"
  for svc in "${SERVICES[@]}"; do
    started="$(now_us)"
    READY_STATE=""
    "${svc}_up"
    VERIFIED[$svc]=1
    printf '%-9s ready in %5s s (%s)\n' "$svc" "$(seconds_since "$started")" "$READY_STATE"
  done
  trap - EXIT
  write_env_file
  printf 'all requested services up in %s s; environment: %s (source it)\n' \
    "$(seconds_since "$total_started")" "${ENV_FILE#"$BURENCY_ROOT"/}"
}

cmd_down() {
  local i svc started
  ensure_var_dirs
  take_lock
  trap write_env_file EXIT
  for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do
    svc="${SERVICES[i]}"
    started="$(now_us)"
    "${svc}_down"
    printf '%-9s down (%s s)\n' "$svc" "$(seconds_since "$started")"
  done
  trap - EXIT
  write_env_file
}

# Exit status 0 when every requested service answers, 3 otherwise.
cmd_status() {
  local svc rc=0
  for svc in "${SERVICES[@]}"; do
    "${svc}_status" || rc=3
  done
  if [[ -f "$ENV_FILE" ]]; then
    printf 'environment file: %s\n' "${ENV_FILE#"$BURENCY_ROOT"/}"
  fi
  return "$rc"
}

main() {
  local cmd="${1:-}"
  (($# > 0)) && shift
  case "$cmd" in
    up | down | restart | status) parse_services "$@" ;;
    -h | --help | help)
      usage
      return 0
      ;;
    *)
      usage >&2
      return 2
      ;;
  esac
  case "$cmd" in
    up) cmd_up ;;
    down) cmd_down ;;
    restart)
      cmd_down
      cmd_up
      ;;
    status) cmd_status ;;
  esac
}

main "$@"
