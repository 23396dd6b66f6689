#!/usr/bin/env bash
# Checks the Prometheus config and rules of deploy/prometheus: the production config's syntax,
# a full check (rule files, token file) of the config the local stack renders from it, the
# stack's current generated config when there is one, and the promtool unit tests of every rule.
# Exits non-zero when any check fails.
set -uo pipefail
# shellcheck source=lib/telemetry-stack.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/telemetry-stack.sh"
command -v promtool >/dev/null 2>&1 || fawkes_require_stack_binaries

cd "$FAWKES_ROOT" || exit 1
failed=0
run() {
  echo "+ $*"
  "$@" || failed=1
}

# The production file names a token file that exists only on the Prometheus host.
run promtool check config --syntax-only deploy/prometheus/prometheus.yml

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
printf 'check-token\n' >"$work/scrape-token"
if FAWKES_DATA_DIR="$work" scripts/render-prometheus-config.sh "$work/prometheus.yml" "$work/scrape-token"; then
  run promtool check config "$work/prometheus.yml"
else
  failed=1
fi

if [ -f "$PROMETHEUS_CONFIG" ]; then
  run promtool check config "$PROMETHEUS_CONFIG"
fi

run promtool test rules deploy/prometheus/tests/*.yml

if [ "$failed" -ne 0 ]; then
  echo "check-prometheus: FAILED" >&2
  exit 1
fi
echo "check-prometheus: all checks passed"
