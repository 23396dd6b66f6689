# shellcheck shell=bash
# shellcheck disable=SC2034 # the settings are read by the scripts that source this file
# Sourced by scripts/stack.sh, scripts/demo-data.sh and scripts/check-prometheus.sh: the local
# telemetry stack's settings (each overridable from the environment) and shared helpers.
FAWKES_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

FAWKES_DATA_DIR="${FAWKES_DATA_DIR:-$FAWKES_ROOT/.data}"
PROMETHEUS_PORT="${PROMETHEUS_PORT:-9090}"
PUSHGATEWAY_PORT="${PUSHGATEWAY_PORT:-9091}"
BACKEND_PORT="${BACKEND_PORT:-7007}"
SCRAPE_INTERVAL="${SCRAPE_INTERVAL:-5s}"
AI_TELEMETRY_SCRAPE_TOKEN="${AI_TELEMETRY_SCRAPE_TOKEN:-fawkes-dev-scrape-token}"

PROMETHEUS_DATA="$FAWKES_DATA_DIR/prometheus"
PROMETHEUS_CONFIG="$FAWKES_DATA_DIR/prometheus.yml"
SCRAPE_TOKEN_FILE="$FAWKES_DATA_DIR/scrape-token"
PUSHGATEWAY_PERSISTENCE="$FAWKES_DATA_DIR/pushgateway.data"
DEMO_MARKER="$PROMETHEUS_DATA/fawkes-demo-data.json"

fawkes_log() { printf '%s\n' "$*" >&2; }
fawkes_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Makes sure the Debian packages of the stack are installed: installs them when running as root,
# otherwise says what to install and exits 1.
fawkes_require_stack_binaries() {
  local missing=()
  command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
  command -v promtool >/dev/null 2>&1 || missing+=(promtool)
  command -v prometheus-pushgateway >/dev/null 2>&1 || missing+=(prometheus-pushgateway)
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    fawkes_log "missing ${missing[*]}: installing Debian's prometheus and prometheus-pushgateway"
    if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y prometheus prometheus-pushgateway; }; then
      fawkes_die "apt-get install prometheus prometheus-pushgateway failed"
    fi
  else
    fawkes_log "missing: ${missing[*]}"
    fawkes_log "install them (Debian 12 or newer), then run this again:"
    fawkes_log "  sudo apt-get update && sudo apt-get install -y prometheus prometheus-pushgateway"
    exit 1
  fi
}

# The pid recorded in $FAWKES_DATA_DIR/NAME.pid, when that process is alive and its command
# name (as /proc shows it, at most 15 characters) is COMM.
fawkes_running_pid() {
  local comm="$2" pidfile="$FAWKES_DATA_DIR/$1.pid" pid
  [ -f "$pidfile" ] || return 1
  pid="$(cat "$pidfile")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "${comm:0:15}" ] || return 1
  printf '%s\n' "$pid"
}
