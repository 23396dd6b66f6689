#!/usr/bin/env bash
# The local telemetry stack: Prometheus and the Pushgateway from Debian's packages, on 127.0.0.1,
# with their data under $FAWKES_DATA_DIR.
#
# usage: scripts/stack.sh start|stop|restart|status
#
# Environment (defaults in brackets):
#   FAWKES_DATA_DIR            data, pids, logs, rendered config        [<repo>/.data]
#   PROMETHEUS_PORT            Prometheus                               [9090]
#   PUSHGATEWAY_PORT           Pushgateway (legacy pushes)              [9091]
#   BACKEND_PORT               the Backstage backend that is scraped    [7007]
#   SCRAPE_INTERVAL            scrape and rule evaluation interval      [5s]
#   AI_TELEMETRY_SCRAPE_TOKEN  token Prometheus sends to the backend    [fawkes-dev-scrape-token]
#   STACK_READY_TIMEOUT        seconds to wait for /-/ready             [120]
#
# Historical demo data must be loaded before Prometheus first starts on the data dir:
# scripts/demo-data.sh.
set -euo pipefail
# shellcheck source=lib/telemetry-stack.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/telemetry-stack.sh"

READY_TIMEOUT="${STACK_READY_TIMEOUT:-120}"
STOP_TIMEOUT=60

ready() { curl -fsS -m 2 -o /dev/null "http://127.0.0.1:$1/-/ready" 2>/dev/null; }

show_log_tail() {
  fawkes_log "--- last lines of $1:"
  tail -n 30 "$1" >&2 || true
}

# Waits until the process answers /-/ready; exits 1 with its log's tail when it dies or times out.
wait_ready() {
  local name="$1" port="$2" pid="$3" log="$FAWKES_DATA_DIR/$1.log"
  local deadline=$((SECONDS + READY_TIMEOUT))
  until ready "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$FAWKES_DATA_DIR/$name.pid"
      fawkes_log "error: $name exited during start-up"
      show_log_tail "$log"
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      fawkes_log "error: $name (pid $pid) is not ready after ${READY_TIMEOUT}s; it was left running (scripts/stack.sh stop stops it)"
      show_log_tail "$log"
      exit 1
    fi
    sleep 0.2
  done
  echo "$name: up (pid $pid) http://127.0.0.1:$port"
}

# start_component NAME COMM PORT COMMAND...: starts COMMAND in its own session unless it runs.
start_component() {
  local name="$1" comm="$2" port="$3" pid log="$FAWKES_DATA_DIR/$1.log"
  shift 3
  if pid="$(fawkes_running_pid "$name" "$comm")"; then
    wait_ready "$name" "$port" "$pid"
    return 0
  fi
  if ready "$port"; then
    fawkes_die "127.0.0.1:$port already answers, but not from a $name this script started in $FAWKES_DATA_DIR; stop it or choose another port (${name^^}_PORT)"
  fi
  printf -- '--- %s: %s\n' "$(date -Is)" "$*" >>"$log"
  setsid "$@" >>"$log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$FAWKES_DATA_DIR/$name.pid"
  wait_ready "$name" "$port" "$pid"
}

stop_component() {
  local name="$1" comm="$2" pid deadline
  if ! pid="$(fawkes_running_pid "$name" "$comm")"; then
    rm -f "$FAWKES_DATA_DIR/$name.pid"
    echo "$name: not running"
    return 0
  fi
  # setsid made the process the leader of its own group: signal the whole group.
  if [ "$(ps -o pgid= -p "$pid" | tr -d ' ')" = "$pid" ]; then
    kill -TERM -- "-$pid" 2>/dev/null || true
  else
    kill -TERM "$pid" 2>/dev/null || true
  fi
  deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      fawkes_log "$name (pid $pid) did not stop within ${STOP_TIMEOUT}s: killing it"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    sleep 0.2
  done
  rm -f "$FAWKES_DATA_DIR/$name.pid"
  echo "$name: stopped (was pid $pid)"
}

write_scrape_token() {
  (umask 077 && printf '%s' "$AI_TELEMETRY_SCRAPE_TOKEN" >"$SCRAPE_TOKEN_FILE")
}

render_config() {
  "$FAWKES_ROOT/scripts/render-prometheus-config.sh" "$PROMETHEUS_CONFIG" "$SCRAPE_TOKEN_FILE"
  local out
  if ! out="$(promtool check config "$PROMETHEUS_CONFIG" 2>&1)"; then
    fawkes_log "$out"
    fawkes_die "the rendered config $PROMETHEUS_CONFIG is not valid"
  fi
}

cmd_start() {
  fawkes_require_stack_binaries
  mkdir -p "$FAWKES_DATA_DIR" "$PROMETHEUS_DATA"
  write_scrape_token
  render_config

  start_component pushgateway prometheus-pushgateway "$PUSHGATEWAY_PORT" \
    prometheus-pushgateway \
    --web.listen-address="127.0.0.1:$PUSHGATEWAY_PORT" \
    --persistence.file="$PUSHGATEWAY_PERSISTENCE"

  local pid
  if pid="$(fawkes_running_pid prometheus prometheus)" && ready "$PROMETHEUS_PORT"; then
    # Already up: apply the freshly rendered config (intervals, ports, token file).
    curl -fsS -m 10 -X POST -o /dev/null "http://127.0.0.1:$PROMETHEUS_PORT/-/reload" ||
      fawkes_log "warning: prometheus did not accept a config reload; see $FAWKES_DATA_DIR/prometheus.log"
  fi
  start_component prometheus prometheus "$PROMETHEUS_PORT" \
    prometheus \
    --config.file="$PROMETHEUS_CONFIG" \
    --storage.tsdb.path="$PROMETHEUS_DATA" \
    --storage.tsdb.retention.time=90d \
    --storage.tsdb.retention.size=10GB \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" \
    --web.enable-admin-api \
    --web.enable-remote-write-receiver \
    --web.enable-lifecycle

  echo "data: $FAWKES_DATA_DIR (scrape interval $SCRAPE_INTERVAL)"
  echo "backend scrape target: http://127.0.0.1:$BACKEND_PORT/api/ai-telemetry/v1/metrics (token in $SCRAPE_TOKEN_FILE)"
}

cmd_stop() {
  # Prometheus first, so that it does not record the Pushgateway going away.
  stop_component prometheus prometheus
  stop_component pushgateway prometheus-pushgateway
}

cmd_status() {
  local all_up=0 name comm port pid
  for entry in "prometheus prometheus $PROMETHEUS_PORT" "pushgateway prometheus-pushgateway $PUSHGATEWAY_PORT"; do
    read -r name comm port <<<"$entry"
    if pid="$(fawkes_running_pid "$name" "$comm")"; then
      if ready "$port"; then
        echo "$name: up (pid $pid) http://127.0.0.1:$port"
      else
        echo "$name: down (pid $pid runs but http://127.0.0.1:$port/-/ready does not answer)"
        all_up=3
      fi
    else
      echo "$name: down"
      all_up=3
    fi
  done
  echo "data: $FAWKES_DATA_DIR"
  return "$all_up"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) cmd_stop && cmd_start ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 start|stop|restart|status" >&2
    exit 2
    ;;
esac
