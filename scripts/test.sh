#!/usr/bin/env bash
# Quick start, command 2: installs what is missing and runs every test:
# type check, lint, formatting, Prometheus config and rule tests, unit and integration tests
# against a real Prometheus and Pushgateway, and the end-to-end check in headless Chromium, first
# against the development portal, then against the production build (scripts/prod.sh).
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
# The GitHub stand-in the development portal's Copilot import reads (app-config.yaml).
export GITHUB_STAND_IN_PORT="${TEST_GITHUB_STAND_IN_PORT:-19096}"
# The production build's run (scripts/prod.sh): one port for app and backend, its own stack.
export PROD_DATA_DIR="$FAWKES_DATA_DIR/production" PROD_PORT="${TEST_PROD_PORT:-17070}"
export PROD_PROMETHEUS_PORT="${TEST_PROD_PROMETHEUS_PORT:-19190}"
export PROD_PUSHGATEWAY_PORT="${TEST_PROD_PUSHGATEWAY_PORT:-19191}"
export PROD_POSTGRES_PORT="${TEST_PROD_POSTGRES_PORT:-15433}"
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
  [ -n "${github_pid:-}" ] && kill -TERM -- "-$github_pid" 2>/dev/null || true
  scripts/prod.sh stop >/dev/null 2>&1 || true
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
setsid yarn workspace @fawkes/ai-telemetry-test-utils github-stand-in --org examples/org.yaml \
  --port "$GITHUB_STAND_IN_PORT" >"$FAWKES_DATA_DIR/github-stand-in.log" 2>&1 </dev/null &
github_pid=$!
scripts/portal.sh start
# A second backend whose guest is a developer who is not a telemetry admin (access.test.ts).
scripts/portal.sh start-member
PLAYWRIGHT_URL="http://localhost:$APP_PORT" yarn test:e2e

# End to end again, against the production build: built and bundled as for an image, started with
# NODE_ENV=production on PostgreSQL, the app served by the backend on one port
# (scripts/prod.sh). The development portal and stack are done: stopped first, to leave the
# build the machine.
production_started=$SECONDS
cleanup
step "production build (yarn build:backend, production dependencies)"
scripts/prod.sh build
step "production portal (NODE_ENV=production, :$PROD_PORT, PostgreSQL :$PROD_POSTGRES_PORT, Prometheus :$PROD_PROMETHEUS_PORT)"
scripts/prod.sh start
step "end-to-end against the production build"
# The dashboard, team, My data (opt-in, CLI, erasure on PostgreSQL) and admin flows. live.test.ts
# passes here too but is left to the development run: the same signals path, and 1.5 minutes of
# waiting for scrapes (run it with PLAYWRIGHT_URL and E2E_TARGET=production as below).
PLAYWRIGHT_URL="http://localhost:$PROD_PORT" E2E_TARGET=production \
  SCREENSHOT_DIR="$SCREENSHOT_DIR/production" yarn test:e2e ai-telemetry.test.ts access.test.ts
echo "production build, start and end-to-end: $((SECONDS - production_started)) s"
echo "screenshots: $SCREENSHOT_DIR (production build: $SCREENSHOT_DIR/production)"
