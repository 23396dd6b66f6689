#!/usr/bin/env bash
# Starts or stops the portal (Backstage frontend and backend, `yarn start`) in the background.
#   scripts/portal.sh start|stop
# Env: FAWKES_DATA_DIR (default .data), APP_PORT (3000), BACKEND_PORT (7007),
#      PROMETHEUS_PORT (9090), PUSHGATEWAY_PORT (9091).
# Logs go to $FAWKES_DATA_DIR/portal.log; start returns once the frontend and the backend answer.
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

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
