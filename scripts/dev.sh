#!/usr/bin/env bash
# Quick start, command 1: installs what is missing, starts the telemetry stack (Prometheus and the
# Pushgateway on 127.0.0.1) with 30 days of demo history, then the portal. Ctrl-C stops it all.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/node-env.sh
export FAWKES_DATA_DIR="${FAWKES_DATA_DIR:-$root/.data}"

mkdir -p "$FAWKES_DATA_DIR"
scripts/install-system.sh runtime
echo "dev: installing dependencies (yarn install)"
yarn install --immutable >"$FAWKES_DATA_DIR/install.log" 2>&1 || {
  tail -n 30 "$FAWKES_DATA_DIR/install.log" >&2
  exit 1
}

cleanup() {
  echo "dev: stopping the portal and the stack"
  [ -n "${trickle_pid:-}" ] && kill -TERM -- "-$trickle_pid" 2>/dev/null || true
  [ -n "${github_pid:-}" ] && kill -TERM -- "-$github_pid" 2>/dev/null || true
  scripts/portal.sh stop || true
  scripts/stack.sh stop || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "dev: demo history and the telemetry stack"
scripts/demo-data.sh
scripts/stack.sh start
# The GitHub stand-in: the demo's Copilot users' usage reports and the seats, which the portal's
# GitHub import reads (aiTelemetry.github and integrations.github in app-config.yaml).
echo "dev: starting the GitHub stand-in on 127.0.0.1:${GITHUB_STAND_IN_PORT:-9096}"
setsid yarn workspace @fawkes/ai-telemetry-test-utils github-stand-in --org examples/org.yaml \
  --port "${GITHUB_STAND_IN_PORT:-9096}" \
  >"$FAWKES_DATA_DIR/github-stand-in.log" 2>&1 </dev/null &
github_pid=$!
echo "dev: starting the portal (about 30 s)"
scripts/portal.sh start
# The demo's developers are opted in by the backend (aiTelemetry.demo); a live trickle of their
# events flows through the real ingestion path while the portal runs.
setsid yarn workspace @fawkes/ai-telemetry-demo trickle --tokens "$FAWKES_DATA_DIR/demo-tokens.json" \
  --endpoint "http://localhost:${BACKEND_PORT:-7007}/api/ai-telemetry" --interval 5s \
  >"$FAWKES_DATA_DIR/demo-trickle.log" 2>&1 </dev/null &
trickle_pid=$!

cat <<MSG

  Fawkes developer portal   http://localhost:${APP_PORT:-3000}   (sign in as guest)
  AI Telemetry page         http://localhost:${APP_PORT:-3000}/ai-telemetry
  Backend health            http://localhost:${BACKEND_PORT:-7007}/api/ai-telemetry/health
  Prometheus                http://127.0.0.1:${PROMETHEUS_PORT:-9090}
  Pushgateway               http://127.0.0.1:${PUSHGATEWAY_PORT:-9091}
  GitHub stand-in           http://127.0.0.1:${GITHUB_STAND_IN_PORT:-9096}   (Copilot reports and seats of the demo)
  Logs and data             $FAWKES_DATA_DIR (portal.log, demo-trickle.log, github-stand-in.log, prometheus.log)

  Ctrl-C stops the portal and the stack.
MSG
portal_pid="$(cat "$FAWKES_DATA_DIR/portal.pid")"
while kill -0 "$portal_pid" 2>/dev/null; do sleep 2; done
echo "dev: the portal exited; the end of $FAWKES_DATA_DIR/portal.log:" >&2
tail -n 20 "$FAWKES_DATA_DIR/portal.log" >&2
