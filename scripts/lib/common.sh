# shellcheck shell=bash disable=SC2034 # variables are shared with scripts/infra.sh
# Helpers shared by scripts/infra.sh and scripts/lib/<service>.sh. Sourced, never run.
#
# Layout (everything relative to the repository root, computed from this file's place):
#   var/infra/<svc>/   data and generated configuration
#   var/log/<svc>.log  service logs
#   var/run/<svc>.pid  pid files
#   var/infra.env      `export` lines for the services that are up
#   var/infra.lock     serialises concurrent `up`/`down` runs

BURENCY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
VAR_DIR="$BURENCY_ROOT/var"
INFRA_DIR="$VAR_DIR/infra"
LOG_DIR="$VAR_DIR/log"
RUN_DIR="$VAR_DIR/run"
ENV_FILE="$VAR_DIR/infra.env"
LOCK_FILE="$VAR_DIR/infra.lock"
VENV_DIR="${BURENCY_VENV:-$BURENCY_ROOT/.venv}"
VENV_PYTHON="$VENV_DIR/bin/python"

# Seconds a service may take to answer after it was started.
INFRA_TIMEOUT="${BURENCY_INFRA_TIMEOUT:-60}"
# Interval between readiness probes (seconds, may be fractional).
POLL_INTERVAL="${BURENCY_INFRA_POLL_INTERVAL:-0.25}"
# Lines of a service log printed when it fails to come up.
LOG_TAIL_LINES=40
# Logs larger than this are moved to <log>.old before a start.
LOG_ROTATE_BYTES=$((20 * 1024 * 1024))

APT_UPDATED=0

log() { printf '[infra] %s\n' "$*" >&2; }
warn() { printf '[infra] WARNING: %s\n' "$*" >&2; }
die() {
  printf '[infra] ERROR: %s\n' "$*" >&2
  exit 1
}

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# Microseconds since the epoch (bash 5 EPOCHREALTIME).
now_us() { printf '%s' "${EPOCHREALTIME/[.,]/}"; }

# Seconds elapsed since a now_us value, formatted "12.3".
seconds_since() {
  local start_us="$1" diff
  diff=$(($(now_us) - start_us))
  printf '%d.%d' $((diff / 1000000)) $(((diff / 100000) % 10))
}

ensure_var_dirs() {
  mkdir -p "$INFRA_DIR" "$LOG_DIR" "$RUN_DIR"
  chmod 755 "$VAR_DIR" "$INFRA_DIR" "$LOG_DIR" "$RUN_DIR"
}

# Take the infra lock on fd 9 so two `up`/`down` runs do not race. Every process we
# launch must close fd 9 (`9>&-`), or it would keep holding the lock after we exit.
take_lock() {
  local wait_s="${BURENCY_INFRA_LOCK_TIMEOUT:-900}"
  exec 9>"$LOCK_FILE"
  if ! flock -w "$wait_s" 9; then
    die "another 'infra.sh' run holds $LOCK_FILE for more than ${wait_s}s"
  fi
}

# --- packages -----------------------------------------------------------------

# apt_install PKG...: install Debian packages (root only; apt-get update once per run).
apt_install() {
  if ((APT_UPDATED == 0)); then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

# require_program PATH_OR_NAME PACKAGE WHAT: make sure a program exists; as root on
# Debian install PACKAGE when it is missing, otherwise fail saying what to install.
require_program() {
  local prog="$1" pkg="$2" what="$3"
  if program_exists "$prog"; then
    return 0
  fi
  if is_root && command -v apt-get >/dev/null 2>&1; then
    log "$what not found: installing Debian package '$pkg'"
    apt_install "$pkg"
    program_exists "$prog" && return 0
    die "$what still not found at '$prog' after installing '$pkg'"
  fi
  die "$what not found: install Debian package '$pkg' (apt-get install $pkg)"
}

program_exists() {
  local prog="$1"
  if [[ "$prog" == */* ]]; then
    [[ -x "$prog" ]]
  else
    command -v "$prog" >/dev/null 2>&1
  fi
}

# --- processes ----------------------------------------------------------------

# pid_alive PID: the process exists and is not a zombie waiting for init to reap it.
pid_alive() {
  local pid="${1:-}" stat
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  stat="$(<"/proc/$pid/stat")" 2>/dev/null || return 1
  stat="${stat##*) }"
  [[ "${stat%% *}" != Z ]]
}

# pid_matches PID PATTERN: the process command line contains PATTERN (guards against
# a recycled pid after a reboot or a crash).
pid_matches() {
  local pid="$1" pattern="$2" cmdline
  pid_alive "$pid" || return 1
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmdline" == *"$pattern"* ]]
}

# read_pid FILE: print the pid stored in FILE, or nothing.
read_pid() {
  local file="$1" pid=""
  [[ -f "$file" ]] || return 0
  read -r pid <"$file" || true
  [[ "$pid" =~ ^[0-9]+$ ]] && printf '%s' "$pid"
  return 0
}

# live_pid SVC FILE PATTERN: print the pid from FILE when that process is alive and
# is ours; remove FILE when it is stale.
live_pid() {
  local svc="$1" file="$2" pattern="$3" pid
  pid="$(read_pid "$file")"
  if [[ -n "$pid" ]] && pid_matches "$pid" "$pattern"; then
    printf '%s' "$pid"
    return 0
  fi
  if [[ -e "$file" ]]; then
    log "$svc: removing stale pid file $file${pid:+ (pid $pid is gone)}"
    rm -f "$file"
  fi
  return 0
}

# stop_pid SVC PID TIMEOUT: SIGTERM, wait up to TIMEOUT seconds, then SIGKILL.
stop_pid() {
  local svc="$1" pid="$2" timeout="$3" deadline
  pid_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + timeout))
  while pid_alive "$pid"; do
    if ((SECONDS >= deadline)); then
      warn "$svc (pid $pid) did not stop within ${timeout}s: sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
      break
    fi
    sleep "$POLL_INTERVAL"
  done
}

# spawn_detached PIDFILE LOGFILE CMD...: start CMD in its own session (setsid, so neither
# Ctrl-C nor the end of the calling job kills it), stdin from /dev/null, output appended to
# LOGFILE, the lock fd closed. The pid written is CMD's own (the wrapper shell execs it).
spawn_detached() {
  local pidfile="$1" logfile="$2" deadline
  shift 2
  rm -f "$pidfile"
  # shellcheck disable=SC2016 # $$ and $@ expand in the child shell
  setsid nohup bash -c 'printf "%s\n" "$$" >"$0.tmp" && mv -f "$0.tmp" "$0" && exec "$@"' \
    "$pidfile" "$@" >>"$logfile" 2>&1 </dev/null 9>&- &
  deadline=$((SECONDS + 5))
  until [[ -s "$pidfile" ]]; do
    ((SECONDS < deadline)) || fail_with_log "$(basename "$pidfile" .pid)" "$logfile" "no pid file after launch"
    sleep 0.05
  done
}

# require_port_match SVC PID PORT_PATTERN PORT ENVVAR: PID is our SVC (its pid file says so)
# but must have been started for PORT; otherwise tell the user to stop it first instead of
# waiting for an answer that will never come.
require_port_match() {
  local svc="$1" pid="$2" pattern="$3" port="$4" envvar="$5"
  pid_matches "$pid" "$pattern" && return 0
  die "$svc is running (pid $pid) but not for port $port ($envvar): stop it with 'bash scripts/infra.sh down $svc', then run 'up' again"
}

# --- readiness ----------------------------------------------------------------

port_open() {
  local port="$1"
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

# fail_with_log SVC LOGFILE MESSAGE: print MESSAGE and the end of the service log, exit 1.
fail_with_log() {
  local svc="$1" logfile="$2" message="$3"
  printf '[infra] ERROR: %s: %s\n' "$svc" "$message" >&2
  if [[ -s "$logfile" ]]; then
    printf '[infra] ---- last %d lines of %s ----\n' "$LOG_TAIL_LINES" "$logfile" >&2
    tail -n "$LOG_TAIL_LINES" "$logfile" >&2
    printf '[infra] ---- end of %s ----\n' "$logfile" >&2
  else
    printf '[infra] (%s is empty or missing)\n' "$logfile" >&2
  fi
  exit 1
}

# wait_until SVC TIMEOUT LOGFILE ALIVE_FN READY_FN: poll READY_FN every POLL_INTERVAL
# until it succeeds; fail (with the log tail) when TIMEOUT passes or ALIVE_FN says the
# process died. ALIVE_FN may be ":" when there is no process to watch.
wait_until() {
  local svc="$1" timeout="$2" logfile="$3" alive_fn="$4" ready_fn="$5" deadline
  deadline=$((SECONDS + timeout))
  while true; do
    if "$ready_fn"; then
      return 0
    fi
    if ! "$alive_fn"; then
      "$ready_fn" && return 0
      fail_with_log "$svc" "$logfile" "process exited before it answered"
    fi
    if ((SECONDS >= deadline)); then
      fail_with_log "$svc" "$logfile" "did not answer within ${timeout}s"
    fi
    sleep "$POLL_INTERVAL"
  done
}

# http_status URL: print the HTTP status code of a GET (000 when nothing answers).
http_status() {
  local url="$1"
  if command -v curl >/dev/null 2>&1; then
    curl -s -o /dev/null -m 3 -w '%{http_code}' "$url" 2>/dev/null || true
    return 0
  fi
  "$VENV_PYTHON" - "$url" 2>/dev/null <<'PY' || printf '000'
import sys, urllib.error, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=3) as resp:
        print(resp.status, end="")
except urllib.error.HTTPError as exc:
    print(exc.code, end="")
PY
}

# --- logs ---------------------------------------------------------------------

# prepare_log FILE: rotate a big log and append a start banner.
prepare_log() {
  local file="$1" size
  if [[ -f "$file" ]]; then
    size="$(stat -c %s "$file")"
    if ((size > LOG_ROTATE_BYTES)); then
      mv -f "$file" "$file.old"
    fi
  fi
  printf '\n===== infra.sh up: %s =====\n' "$(date -u +%FT%TZ)" >>"$file"
}

# require_free_port SVC PORT ENVVAR: fail when something else listens on PORT.
require_free_port() {
  local svc="$1" port="$2" envvar="$3"
  if port_open "$port"; then
    die "$svc: port 127.0.0.1:$port is taken by a process that is not our $svc; stop it or choose another port with $envvar"
  fi
}

# status_line SVC STATE PID ADDRESS LOGFILE: one aligned line of `infra.sh status`.
status_line() {
  local svc="$1" state="$2" pid="${3:--}" address="$4" logfile="$5"
  printf '%-9s %-14s pid %-8s %-17s log %s\n' "$svc" "$state" "${pid:--}" "$address" \
    "${logfile#"$BURENCY_ROOT"/}"
}
