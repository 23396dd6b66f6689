#!/usr/bin/env bash
# Installs the Debian packages the project runs for real: Prometheus and promtool, the Pushgateway,
# VictoriaMetrics, Chromium (end-to-end tests) and PostgreSQL (store tests). Usage:
#   scripts/install-system.sh [runtime|test]
# runtime: what the portal's stack needs; test: everything. Needs root to install; otherwise it
# prints the exact command to run and fails.
set -euo pipefail
# Each entry: a file the package installs, then the package.
need=(/usr/bin/curl:curl /usr/bin/prometheus:prometheus /usr/bin/promtool:prometheus
  /usr/bin/prometheus-pushgateway:prometheus-pushgateway)
if [ "${1:-runtime}" = test ]; then
  need+=(/usr/bin/victoria-metrics:victoria-metrics /usr/bin/chromium:chromium
    /usr/bin/pg_ctlcluster:postgresql)
fi
missing=()
for entry in "${need[@]}"; do
  file="${entry%%:*}" pkg="${entry##*:}"
  if [ ! -x "$file" ] && [[ " ${missing[*]} " != *" $pkg "* ]]; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "install-system: missing Debian packages: ${missing[*]}" >&2
  echo "install-system: run as root: apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "install-system: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
