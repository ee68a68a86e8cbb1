# shellcheck shell=bash disable=SC2034 # variables are shared with scripts/infra.sh
# S3 API for tests: moto's server (from the project venv, `make sync` installs it) on
# 127.0.0.1:45699. State lives in memory: a restart empties every bucket.
# Sourced by scripts/infra.sh.

S3_PORT="${BURENCY_S3_PORT:-45699}"
S3_ACCESS_KEY_ID="testing"
S3_SECRET_ACCESS_KEY="testing"
S3_REGION="us-east-1"
S3_SERVER="$VENV_DIR/bin/moto_server"
S3_LOG="$LOG_DIR/s3.log"
S3_PIDFILE="$RUN_DIR/s3.pid"

s3_url() { printf 'http://127.0.0.1:%s' "$S3_PORT"; }

s3_ready() { [[ "$(http_status "$(s3_url)/")" == 200 ]]; }

s3_pid() { live_pid s3 "$S3_PIDFILE" moto_server; }

s3_alive() { pid_matches "$(read_pid "$S3_PIDFILE")" moto_server; }

s3_start_server() {
  [[ -x "$S3_SERVER" ]] || die "s3: $S3_SERVER not found: run 'make sync' (moto[server] is a dev dependency)"
  require_free_port s3 "$S3_PORT" BURENCY_S3_PORT
  prepare_log "$S3_LOG"
  log "s3: starting moto server on 127.0.0.1:$S3_PORT"
  spawn_detached "$S3_PIDFILE" "$S3_LOG" "$S3_SERVER" -H 127.0.0.1 -p "$S3_PORT"
}

s3_up() {
  if s3_ready; then
    READY_STATE="already running"
    return 0
  fi
  local pid
  pid="$(s3_pid)"
  if [[ -n "$pid" ]]; then
    require_port_match s3 "$pid" "moto_server -H 127.0.0.1 -p $S3_PORT " "$S3_PORT" BURENCY_S3_PORT
    log "s3: moto server (pid $pid) is running but not answering yet: waiting"
    READY_STATE="waited for running server"
  else
    s3_start_server
    READY_STATE="started"
  fi
  wait_until s3 "$INFRA_TIMEOUT" "$S3_LOG" s3_alive s3_ready
}

s3_down() {
  local pid
  pid="$(s3_pid)"
  if [[ -z "$pid" ]]; then
    log "s3: not running"
    return 0
  fi
  log "s3: stopping moto server (pid $pid)"
  stop_pid s3 "$pid" 15
  rm -f "$S3_PIDFILE"
}

s3_status() {
  local pid
  pid="$(read_pid "$S3_PIDFILE")"
  if s3_ready; then
    status_line s3 up "$pid" "127.0.0.1:$S3_PORT" "$S3_LOG"
  elif s3_alive; then
    status_line s3 "NOT ANSWERING" "$pid" "127.0.0.1:$S3_PORT" "$S3_LOG"
    return 1
  else
    status_line s3 down "" "127.0.0.1:$S3_PORT" "$S3_LOG"
    return 1
  fi
}

s3_env() {
  printf 'export BURENCY_TEST_S3_ENDPOINT=%s\n' "$(s3_url)"
  printf 'export BURENCY_TEST_S3_ACCESS_KEY_ID=%s\n' "$S3_ACCESS_KEY_ID"
  printf 'export BURENCY_TEST_S3_SECRET_ACCESS_KEY=%s\n' "$S3_SECRET_ACCESS_KEY"
  printf 'export BURENCY_TEST_S3_REGION=%s\n' "$S3_REGION"
}
