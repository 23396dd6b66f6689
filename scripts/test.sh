#!/usr/bin/env bash
# Quick start, command 2: installs what is missing and runs every test:
# type check, lint, formatting, Prometheus config and rule tests, unit and integration tests
# against a real Prometheus and Pushgateway, and the end-to-end check in headless Chromium.
# The test stack and portal run on their own ports, so a running `scripts/dev.sh` is not disturbed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/node-env.sh

export FAWKES_DATA_DIR="$root/.data/test"
# Ports of the test stack and portal; override them to run beside another test run.
export PROMETHEUS_PORT="${TEST_PROMETHEUS_PORT:-19090}" PUSHGATEWAY_PORT="${TEST_PUSHGATEWAY_PORT:-19091}"
export BACKEND_PORT="${TEST_BACKEND_PORT:-17007}" APP_PORT="${TEST_APP_PORT:-13000}"
export POSTGRES_PORT="${TEST_POSTGRES_PORT:-15432}"
export SCRAPE_INTERVAL=1s
export FAWKES_TEST_PROMETHEUS_URL="http://127.0.0.1:$PROMETHEUS_PORT"
export FAWKES_TEST_PUSHGATEWAY_URL="http://127.0.0.1:$PUSHGATEWAY_PORT"
export SCREENSHOT_DIR="$root/screenshots"

step() { printf '\n=== %s (%s)\n' "$1" "$(date +%T)"; }

step "system packages"
scripts/install-system.sh test
step "dependencies"
yarn install --immutable >/tmp/fawkes-yarn-install.log 2>&1 || {
  tail -n 40 /tmp/fawkes-yarn-install.log >&2
  exit 1
}

cleanup() {
  scripts/portal.sh stop-member >/dev/null 2>&1 || true
  scripts/portal.sh stop >/dev/null 2>&1 || true
  scripts/stack.sh stop >/dev/null 2>&1 || true
  scripts/postgres.sh stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

step "type check"
yarn tsc
step "lint"
yarn lint
step "formatting"
yarn prettier:check

step "test stack with demo history (Prometheus :$PROMETHEUS_PORT, Pushgateway :$PUSHGATEWAY_PORT, PostgreSQL :$POSTGRES_PORT)"
cleanup
rm -rf "$FAWKES_DATA_DIR"
scripts/demo-data.sh
scripts/stack.sh start
scripts/postgres.sh start >/dev/null
eval "$(scripts/postgres.sh env)"
step "Prometheus config and rules"
scripts/check-prometheus.sh

step "unit and integration tests"
CI=1 yarn backstage-cli repo test

step "end-to-end in headless Chromium"
mkdir -p "$SCREENSHOT_DIR"
scripts/portal.sh start
# A second backend whose guest is a developer who is not a telemetry admin (access.test.ts).
scripts/portal.sh start-member
PLAYWRIGHT_URL="http://localhost:$APP_PORT" yarn test:e2e
echo "screenshots: $SCREENSHOT_DIR"
