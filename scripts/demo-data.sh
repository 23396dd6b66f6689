#!/usr/bin/env bash
# Loads the demo organisation's AI telemetry history into the local Prometheus data dir, before
# Prometheus starts on it: generates OpenMetrics text (packages/telemetry-demo), turns it into
# TSDB blocks with promtool, and leaves a marker so that it is done once per data dir. Prometheus
# keeps the blocks (its retention, 90 days, is longer than the history).
#
# usage: scripts/demo-data.sh      then: scripts/stack.sh start
#
# Environment (defaults in brackets):
#   FAWKES_DATA_DIR              the stack's data dir                        [<repo>/.data]
#   DEMO_USERS                   users (the guest included)                  [48]
#   DEMO_TEAMS                   teams                                       [derived]
#   DEMO_DAYS                    days of history, ending now                 [30]
#   DEMO_STEP                    time between samples (5m: no gaps for raw   [5m]
#                                selectors, whose look-back is 5 minutes)
#   DEMO_SEED                    generator seed                              [42]
#   AI_TELEMETRY_PSEUDONYM_KEY   pseudonym key; must be the backend's        [the development key]
#   KEEP_OPENMETRICS             1 keeps the generated text in $FAWKES_DATA_DIR/demo  [0]
#   DEMO_GITHUB_LOGINS           0: no demo user gets a GitHub login (no import)  [1]
#   DEMO_BACKFILL_JOBS           promtool processes at once (each maps one file)     [nproc]
#
# With the defaults the users are exactly those of examples/org.yaml. To load the data again:
# scripts/stack.sh stop && rm -rf "$FAWKES_DATA_DIR/prometheus" && scripts/demo-data.sh
set -euo pipefail
# shellcheck source=lib/telemetry-stack.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/telemetry-stack.sh"

DEMO_USERS="${DEMO_USERS:-48}"
DEMO_TEAMS="${DEMO_TEAMS:-}"
DEMO_DAYS="${DEMO_DAYS:-30}"
DEMO_STEP="${DEMO_STEP:-5m}"
DEMO_SEED="${DEMO_SEED:-42}"
AI_TELEMETRY_PSEUDONYM_KEY="${AI_TELEMETRY_PSEUDONYM_KEY:-fawkes-development-pseudonym-key}"
KEEP_OPENMETRICS="${KEEP_OPENMETRICS:-0}"
DEMO_BACKFILL_JOBS="${DEMO_BACKFILL_JOBS:-$(nproc)}"
# promtool --max-block-duration=720h writes blocks of 486 h aligned to the epoch; one file per
# block lets promtool read each file once, and several files at once.
BLOCK_HOURS=486

if [ -f "$DEMO_MARKER" ]; then
  echo "demo data already loaded into $PROMETHEUS_DATA:"
  cat "$DEMO_MARKER"
  echo "to load it again: scripts/stack.sh stop && rm -rf '$PROMETHEUS_DATA' && scripts/demo-data.sh"
  exit 0
fi
if pid="$(fawkes_running_pid prometheus prometheus)"; then
  fawkes_die "Prometheus (pid $pid) is running on $PROMETHEUS_DATA; the history must be loaded before it starts. Run scripts/stack.sh stop, then this again."
fi
fawkes_require_stack_binaries
# shellcheck source=node-env.sh
source "$FAWKES_ROOT/scripts/node-env.sh"

work="$FAWKES_DATA_DIR/demo"
rm -rf "$work"
mkdir -p "$work" "$PROMETHEUS_DATA"
cleanup() { [ "$KEEP_OPENMETRICS" = 1 ] || rm -rf "$work"; }
trap cleanup EXIT

started=$SECONDS
generate_args=(
  --users "$DEMO_USERS" --days "$DEMO_DAYS" --step "$DEMO_STEP" --seed "$DEMO_SEED"
  --key "$AI_TELEMETRY_PSEUDONYM_KEY"
  --org-out "$work/org.yaml"
  --metrics-out "$work/ai-telemetry-demo.om" --block-hours "$BLOCK_HOURS"
)
[ -n "$DEMO_TEAMS" ] && generate_args+=(--teams "$DEMO_TEAMS")
# A stack whose portal runs no GitHub import (scripts/prod.sh) keeps every Copilot history here.
[ "${DEMO_GITHUB_LOGINS:-1}" = 0 ] && generate_args+=(--no-github-logins)
(cd "$FAWKES_ROOT" && yarn workspace @fawkes/ai-telemetry-demo generate "${generate_args[@]}")
generated=$SECONDS

# Blocks go to a staging folder first, so that a failure leaves the data dir as it was.
staging="$work/blocks"
mkdir -p "$staging"
printf '%s\0' "$work"/ai-telemetry-demo-*.om |
  xargs -0 -I '{}' -P "$DEMO_BACKFILL_JOBS" promtool tsdb create-blocks-from openmetrics \
    --quiet --max-block-duration=720h '{}' "$staging" ||
  fawkes_die "promtool could not create the blocks"
blocks=0
for block in "$staging"/*/; do
  mv "$block" "$PROMETHEUS_DATA/"
  blocks=$((blocks + 1))
done
finished=$SECONDS

# The catalog that matches the data; with the defaults it is examples/org.yaml.
cp "$work/org.yaml" "$FAWKES_DATA_DIR/demo-org.yaml"
cat >"$DEMO_MARKER" <<EOF
{
  "loadedAt": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "users": $DEMO_USERS,
  "teams": "${DEMO_TEAMS:-derived}",
  "days": $DEMO_DAYS,
  "step": "$DEMO_STEP",
  "seed": $DEMO_SEED,
  "blocks": $blocks,
  "generateSeconds": $((generated - started)),
  "backfillSeconds": $((finished - generated))
}
EOF
echo "demo data: $blocks blocks in $PROMETHEUS_DATA (generate $((generated - started))s, backfill $((finished - generated))s)"
if [ "$DEMO_USERS/$DEMO_SEED/$DEMO_TEAMS" != "48/42/" ]; then
  echo "note: these users are not those of examples/org.yaml; their catalog is $FAWKES_DATA_DIR/demo-org.yaml"
fi
echo "next: scripts/stack.sh start"
