#!/usr/bin/env bash
# Starts or stops the portal (Backstage frontend and backend, `yarn start`) in the background.
#   scripts/portal.sh start|stop
#   scripts/portal.sh start-member|stop-member
# Env: FAWKES_DATA_DIR (default .data), APP_PORT (3000), BACKEND_PORT (7007),
#      PROMETHEUS_PORT (9090), PUSHGATEWAY_PORT (9091).
# Logs go to $FAWKES_DATA_DIR/portal.log; start returns once the frontend and the backend answer.
#
# start-member starts a second development backend (no frontend) on MEMBER_BACKEND_PORT
# (BACKEND_PORT + 1) whose guest sign-in is MEMBER_USER (a demo user who is not a telemetry
# admin), with a database of its own; the end-to-end tests point the portal's frontend at it to
# see the portal as a non-admin. Its log is $FAWKES_DATA_DIR/member-backend.log.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/node-env.sh"
data="${FAWKES_DATA_DIR:-$root/.data}"
app_port="${APP_PORT:-3000}"
backend_port="${BACKEND_PORT:-7007}"
pidfile="$data/portal.pid"
log="$data/portal.log"
mkdir -p "$data"

stop() {
  if [ -f "$pidfile" ]; then
    local pid
    pid="$(cat "$pidfile")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  fi
}

wait_for() { # url what timeout_s
  local deadline=$((SECONDS + $3))
  until curl -fsS -o /dev/null "$1" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "portal: $2 did not answer at $1 within $3 s; the end of $log:" >&2
      tail -n 40 "$log" >&2
      return 1
    fi
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "portal: the portal process exited; the end of $log:" >&2
      tail -n 40 "$log" >&2
      return 1
    fi
    sleep 1
  done
}

start() {
  stop
  cd "$root"
  # Point the portal at this stack and these ports (Backstage reads APP_CONFIG_* as config).
  export APP_CONFIG_app_baseUrl="\"http://localhost:$app_port\""
  export APP_CONFIG_backend_baseUrl="\"http://localhost:$backend_port\""
  export APP_CONFIG_backend_listen_port="$backend_port"
  export APP_CONFIG_backend_cors_origin="\"http://localhost:$app_port\""
  export APP_CONFIG_aiTelemetry_prometheus_baseUrl="\"http://127.0.0.1:${PROMETHEUS_PORT:-9090}\""
  export APP_CONFIG_aiTelemetry_pushgateway_baseUrl="\"http://127.0.0.1:${PUSHGATEWAY_PORT:-9091}\""
  export BROWSER=none
  setsid yarn start >"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  wait_for "http://localhost:$backend_port/api/ai-telemetry/health" backend 240
  wait_for "http://localhost:$app_port" frontend 240
}

member_port="${MEMBER_BACKEND_PORT:-$((backend_port + 1))}"
member_pidfile="$data/member-backend.pid"
member_log="$data/member-backend.log"

stop_member() { pidfile="$member_pidfile" stop; }

start_member() {
  stop_member
  cd "$root/packages/backend"
  export APP_CONFIG_app_baseUrl="\"http://localhost:$app_port\""
  export APP_CONFIG_backend_baseUrl="\"http://localhost:$member_port\""
  export APP_CONFIG_backend_listen_port="$member_port"
  export APP_CONFIG_backend_cors_origin="\"http://localhost:$app_port\""
  export APP_CONFIG_aiTelemetry_prometheus_baseUrl="\"http://127.0.0.1:${PROMETHEUS_PORT:-9090}\""
  export APP_CONFIG_aiTelemetry_pushgateway_baseUrl="\"http://127.0.0.1:${PUSHGATEWAY_PORT:-9091}\""
  # Its own plugin database, and no demo registration: the first backend owns the demo.
  export FAWKES_DATA_DIR="$data/member"
  mkdir -p "$FAWKES_DATA_DIR/database"
  cat >"$FAWKES_DATA_DIR/app-config.member.yaml" <<YAML
auth:
  providers:
    guest:
      userEntityRef: ${MEMBER_USER:-user:default/nora.tanaka}
aiTelemetry:
  demo: null
YAML
  setsid yarn start --config "$root/app-config.yaml" \
    --config "$FAWKES_DATA_DIR/app-config.member.yaml" >"$member_log" 2>&1 </dev/null &
  echo $! >"$member_pidfile"
  pidfile="$member_pidfile" log="$member_log" \
    wait_for "http://localhost:$member_port/api/ai-telemetry/health" "member backend" 240
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  start-member) start_member ;;
  stop-member) stop_member ;;
  *) echo "usage: $0 start|stop|start-member|stop-member" >&2; exit 2 ;;
esac
