#!/usr/bin/env bash
# Renders the local stack's Prometheus config from deploy/prometheus/prometheus.yml, the one file
# that production uses too. Only these values change: the scrape and evaluation intervals
# (SCRAPE_INTERVAL; the timeout follows, at most 10s), the three targets, which become 127.0.0.1
# ports (PROMETHEUS_PORT, PUSHGATEWAY_PORT, BACKEND_PORT), the scrape token file, and the rule files'
# folder (made absolute, since the rendered file lives elsewhere).
#
# usage: scripts/render-prometheus-config.sh OUT_FILE [TOKEN_FILE]
set -euo pipefail
# shellcheck source=lib/telemetry-stack.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/telemetry-stack.sh"

out="${1:?usage: render-prometheus-config.sh OUT_FILE [TOKEN_FILE]}"
token_file="${2:-$SCRAPE_TOKEN_FILE}"
source_file="$FAWKES_ROOT/deploy/prometheus/prometheus.yml"
rules_dir="$FAWKES_ROOT/deploy/prometheus/rules"

# Seconds in a Prometheus duration such as 5s, 1m or 2h (the forms this script accepts).
duration_seconds() {
  [[ "$1" =~ ^([0-9]+)([smh])$ ]] ||
    fawkes_die "SCRAPE_INTERVAL=$1 is not a whole duration like 5s, 1m or 1h"
  local n=$((10#${BASH_REMATCH[1]}))
  case "${BASH_REMATCH[2]}" in
    s) echo "$n" ;;
    m) echo $((n * 60)) ;;
    h) echo $((n * 3600)) ;;
  esac
}
interval_s="$(duration_seconds "$SCRAPE_INTERVAL")"
[ "$interval_s" -gt 0 ] || fawkes_die "SCRAPE_INTERVAL must be longer than 0s"
# Prometheus refuses a scrape timeout longer than the interval.
if [ "$interval_s" -lt 10 ]; then timeout="$SCRAPE_INTERVAL"; else timeout=10s; fi
evaluation_interval="$SCRAPE_INTERVAL"

escape() { printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'; }

tmp="$(mktemp "${out}.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
sed \
  -e "s|^  scrape_interval: 30s\$|  scrape_interval: $SCRAPE_INTERVAL|" \
  -e "s|^  scrape_timeout: 10s\$|  scrape_timeout: $timeout|" \
  -e "s|^  evaluation_interval: 30s\$|  evaluation_interval: $evaluation_interval|" \
  -e "s|^  - rules/\\*\\.yml\$|  - $(escape "$rules_dir")/*.yml|" \
  -e "s|'127\\.0\\.0\\.1:9090'|'127.0.0.1:$PROMETHEUS_PORT'|" \
  -e "s|'pushgateway:9091'|'127.0.0.1:$PUSHGATEWAY_PORT'|" \
  -e "s|'backstage:7007'|'127.0.0.1:$BACKEND_PORT'|" \
  -e "s|credentials_file: /etc/prometheus/ai-telemetry-scrape-token\$|credentials_file: $(escape "$token_file")|" \
  "$source_file" >"$tmp"

# Fail loudly if prometheus.yml no longer has a value this script rewrites.
for expected in \
  "  scrape_interval: $SCRAPE_INTERVAL" \
  "  scrape_timeout: $timeout" \
  "  evaluation_interval: $evaluation_interval" \
  "  - $rules_dir/*.yml" \
  "'127.0.0.1:$PROMETHEUS_PORT'" \
  "'127.0.0.1:$PUSHGATEWAY_PORT'" \
  "'127.0.0.1:$BACKEND_PORT'" \
  "credentials_file: $token_file"; do
  grep -qF -- "$expected" "$tmp" ||
    fawkes_die "could not set '$expected' in the rendered config: was $source_file changed?"
done
mv "$tmp" "$out"
trap - EXIT
