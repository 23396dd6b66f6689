#!/usr/bin/env bash
# The portal in production mode, on this machine: built as Backstage builds it for a container
# image, and run as the image runs it.
#
#   build   `yarn build:backend`: the backend, the plugins it uses and the app's production
#           bundle (packages/backend/dist/skeleton.tar.gz and bundle.tar.gz), unpacked into a
#           workspace of its own ($PROD_DATA_DIR/workspace) with production dependencies only
#           (`yarn workspaces focus --all --production`), as packages/backend/Dockerfile does.
#   start   starts, with their data under $PROD_DATA_DIR: Prometheus and the Pushgateway with the
#           demo history (scripts/demo-data.sh, scripts/stack.sh), PostgreSQL
#           (scripts/postgres.sh), then `node packages/backend` with NODE_ENV=production and
#           app-config.yaml, app-config.production.yaml and app-config.local-production.yaml.
#           The backend serves the app too (plugin-app-backend): one port, PROD_PORT. Returns
#           once the portal answers.
#   stop    stops the portal, the stack and PostgreSQL.
#   status  says what runs.
#   env     prints the exports a client needs (URL, report token), e.g. eval "$(scripts/prod.sh env)".
#   run     (default) install what is missing, build, start, run the demo's live event trickle
#           (as scripts/dev.sh does), print the addresses, and stop it all on Ctrl-C.
#
# Environment (defaults in brackets):
#   PROD_DATA_DIR            secrets, workspace, data and logs of this run  [<repo>/.data/production]
#   PROD_PORT                the portal: app and backend                    [7070]
#   PROD_PROMETHEUS_PORT     Prometheus                                     [9190]
#   PROD_PUSHGATEWAY_PORT    the Pushgateway                                [9191]
#   PROD_POSTGRES_PORT       PostgreSQL                                     [5433]
#   AI_TELEMETRY_PSEUDONYM_KEY, AI_TELEMETRY_SCRAPE_TOKEN, AI_TELEMETRY_REPORT_TOKEN
#                            the secrets app-config.production.yaml reads; each one unset is
#                            generated once (32 random bytes, hex) into $PROD_DATA_DIR/secrets.env
#                            (mode 0600) and read from there on later runs
#
# The demo: its history is written with this run's pseudonym key (a new key needs a new
# PROD_DATA_DIR). Its developers are opted in once per data dir, before the first production
# start, by the development demo module (aiTelemetry.demo, source "demo"), which the same build
# runs for that one step only with NODE_ENV=development; the production backend never runs it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/node-env.sh

data="${PROD_DATA_DIR:-$root/.data/production}"
port="${PROD_PORT:-7070}"
prometheus_port="${PROD_PROMETHEUS_PORT:-9190}"
pushgateway_port="${PROD_PUSHGATEWAY_PORT:-9191}"
postgres_port="${PROD_POSTGRES_PORT:-5433}"
workspace="$data/workspace"
log="$data/portal.log"
pidfile="$data/portal.pid"
url="http://localhost:$port"
mkdir -p "$data"

say() { printf 'prod: %s\n' "$*"; }
die() {
  printf 'prod: error: %s\n' "$*" >&2
  exit 1
}

# The stack and PostgreSQL of this run: their scripts, with this run's data dir and ports.
stack() {
  FAWKES_DATA_DIR="$data" PROMETHEUS_PORT="$prometheus_port" PUSHGATEWAY_PORT="$pushgateway_port" \
    BACKEND_PORT="$port" SCRAPE_INTERVAL=5s scripts/stack.sh "$@"
}
postgres() { FAWKES_DATA_DIR="$data" POSTGRES_PORT="$postgres_port" scripts/postgres.sh "$@"; }

# Exports the three secrets: from the environment, else from secrets.env, else new ones.
load_secrets() {
  local file="$data/secrets.env" name value
  for name in AI_TELEMETRY_PSEUDONYM_KEY AI_TELEMETRY_SCRAPE_TOKEN AI_TELEMETRY_REPORT_TOKEN; do
    value="${!name:-}"
    if [ -z "$value" ] && [ -f "$file" ]; then
      value="$(sed -n "s/^$name=//p" "$file" | tail -n 1)"
    fi
    if [ -z "$value" ]; then
      value="$(node -p 'require("crypto").randomBytes(32).toString("hex")')"
      (umask 077 && printf '%s=%s\n' "$name" "$value" >>"$file")
    fi
    export "$name=$value"
  done
}

cmd_build() {
  local started=$SECONDS stamp
  say "building the backend, its plugins and the app (yarn build:backend)"
  yarn build:backend --config ../../app-config.yaml --config ../../app-config.production.yaml \
    >"$data/build.log" 2>&1 || {
    tail -n 40 "$data/build.log" >&2
    die "the build failed (log: $data/build.log)"
  }
  say "built in $((SECONDS - started)) s; unpacking into $workspace"
  mkdir -p "$workspace"
  rm -rf "$workspace/packages" "$workspace/plugins"
  tar xzf packages/backend/dist/skeleton.tar.gz -C "$workspace"
  tar xzf packages/backend/dist/bundle.tar.gz -C "$workspace"
  mkdir -p "$workspace/.yarn/releases"
  cp .yarn/releases/yarn-4.13.0.cjs "$workspace/.yarn/releases/"
  cp .yarnrc.yml backstage.json "$workspace/"
  # Production dependencies, installed again only when a package.json or the lockfile changed.
  stamp="$(cat "$workspace/yarn.lock" "$workspace"/package.json "$workspace"/{packages,plugins}/*/package.json | sha256sum)"
  if [ -d "$workspace/node_modules" ] && [ "$(cat "$workspace/.install-stamp" 2>/dev/null)" = "$stamp" ]; then
    say "production dependencies unchanged"
  else
    say "installing production dependencies (yarn workspaces focus --all --production)"
    rm -rf "$workspace/node_modules" "$workspace/.install-stamp"
    (cd "$workspace" && NODE_ENV=production yarn workspaces focus --all --production) \
      >"$data/install.log" 2>&1 || {
      tail -n 40 "$data/install.log" >&2
      die "the production install failed (log: $data/install.log)"
    }
    printf '%s\n' "$stamp" >"$workspace/.install-stamp"
  fi
  say "build and install took $((SECONDS - started)) s"
}

running_pid() {
  local pid
  [ -f "$pidfile" ] || return 1
  pid="$(cat "$pidfile")"
  kill -0 "$pid" 2>/dev/null || return 1
  printf '%s\n' "$pid"
}

stop_portal() {
  local pid
  if pid="$(running_pid)"; then
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    say "portal stopped (was pid $pid)"
  fi
  rm -f "$pidfile"
}

# Starts the built backend in the background, in its own session: NODE_ENV, then config files.
launch() {
  local node_env="$1"
  shift
  local args=() file
  for file in app-config.yaml app-config.production.yaml app-config.local-production.yaml "$@"; do
    args+=(--config "$file")
  done
  touch "$log"
  log_offset="$(stat -c %s "$log")"
  (
    cd "$workspace"
    export NODE_ENV="$node_env" PROD_PORT="$port"
    export POSTGRES_HOST=127.0.0.1 POSTGRES_PORT="$postgres_port" POSTGRES_USER=postgres
    export AI_TELEMETRY_PROMETHEUS_URL="http://127.0.0.1:$prometheus_port"
    export AI_TELEMETRY_PUSHGATEWAY_URL="http://127.0.0.1:$pushgateway_port"
    printf -- '--- %s: NODE_ENV=%s node packages/backend %s\n' "$(date -Is)" "$node_env" "${args[*]}"
    exec setsid node packages/backend "${args[@]}"
  ) >>"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
}

# Waits until CHECK (a command) succeeds; stops the portal and fails with its log's tail when
# it exits, reports a failed start-up (it then lingers, answering 503), or TIMEOUT s pass.
wait_until() {
  local what="$1" timeout="$2" deadline problem=""
  shift 2
  deadline=$((SECONDS + timeout))
  until "$@"; do
    if ! running_pid >/dev/null; then
      problem="the portal exited while waiting for $what"
    elif tail -c +"$((log_offset + 1))" "$log" | grep 'Backend startup failed' >/dev/null; then
      problem="the portal's start-up failed"
    elif [ "$SECONDS" -ge "$deadline" ]; then
      problem="$what did not happen within $timeout s"
    fi
    if [ -n "$problem" ]; then
      tail -c +"$((log_offset + 1))" "$log" | grep -v 'Service has not started up yet' | tail -n 30 >&2
      stop_portal
      die "$problem (log: $log)"
    fi
    sleep 1
  done
}

answers() { curl -fsS -o /dev/null "$1" 2>/dev/null; }

# How many users the demo registration of the latest start says it opted in (none: empty).
registered() {
  tail -c +"$((log_offset + 1))" "$log" | sed -n 's/.*Demo: \([0-9]*\) simulated developers are opted in.*/\1/p' | tail -n 1
}
demo_registered() { [ -n "$(registered)" ]; }

# Whether the catalog holds N users (asked as the guest, whom this setup lets in).
catalog_has_users() {
  node -e '
    const [url, n] = process.argv.slice(1);
    (async () => {
      const auth = await fetch(`${url}/api/auth/guest/refresh`, { headers: { "X-Requested-With": "XMLHttpRequest" } });
      const token = (await auth.json()).backstageIdentity.token;
      const users = await fetch(`${url}/api/catalog/entities/by-query?filter=kind=user&limit=1`, { headers: { Authorization: `Bearer ${token}` } });
      process.exit((await users.json()).totalItems >= Number(n) ? 0 : 1);
    })().catch(() => process.exit(1));' "$url" "$1"
}

# Once per data dir: the demo's developers opted in, as the development demo does it. The demo
# opts in the users the catalog holds when it first looks; when the catalog was still reading
# the organisation then, it runs again once the catalog holds every user.
register_demo() {
  local marker="$data/demo-opt-ins.done" overlay="$data/app-config.demo-registration.yaml"
  local users attempt
  [ -f "$marker" ] && return 0
  users="$(grep -c '^kind: User$' examples/org.yaml)"
  cat >"$overlay" <<YAML
# Written by scripts/prod.sh for its demo-registration step; the production start does not load it.
aiTelemetry:
  demo:
    tokenFile: $data/demo-tokens.json
YAML
  for attempt in 1 2 3; do
    say "opting the demo's $users developers in (the build with NODE_ENV=development and aiTelemetry.demo, once)"
    launch development "$overlay"
    wait_until "the demo registration" 240 demo_registered
    if [ "$(registered)" -ge "$users" ]; then
      stop_portal
      date -u +%Y-%m-%dT%H:%M:%SZ >"$marker"
      return 0
    fi
    wait_until "the catalog's $users users" 180 catalog_has_users "$users"
    stop_portal
  done
  die "the demo registered $(registered) of $users users (log: $log)"
}

cmd_start() {
  [ -f "$workspace/packages/backend/dist/index.cjs.js" ] && [ -d "$workspace/node_modules" ] ||
    die "no build in $workspace: run scripts/prod.sh build first"
  scripts/install-system.sh test
  stop_portal
  load_secrets
  # The demo history's pseudonyms are the key's: keep them together.
  local fingerprint
  fingerprint="$(printf '%s' "$AI_TELEMETRY_PSEUDONYM_KEY" | sha256sum | cut -c1-16)"
  if [ -f "$data/pseudonym-key.fingerprint" ] &&
    [ "$(cat "$data/pseudonym-key.fingerprint")" != "$fingerprint" ]; then
    die "the demo data in $data was written with another AI_TELEMETRY_PSEUDONYM_KEY; use that key, or another PROD_DATA_DIR"
  fi
  printf '%s\n' "$fingerprint" >"$data/pseudonym-key.fingerprint"
  FAWKES_DATA_DIR="$data" DEMO_GITHUB_LOGINS=0 scripts/demo-data.sh >"$data/demo-data.log" 2>&1 || {
    tail -n 20 "$data/demo-data.log" >&2
    die "the demo history could not be loaded (log: $data/demo-data.log)"
  }
  stack start >/dev/null
  postgres start >/dev/null
  # What the image holds besides the bundle: the config files and the example catalog.
  cp app-config.yaml app-config.production.yaml app-config.local-production.yaml "$workspace/"
  rm -rf "$workspace/examples"
  cp -r examples "$workspace/"

  register_demo
  say "starting the portal (NODE_ENV=production) on $url"
  local started=$SECONDS
  launch production
  wait_until "the backend's health" 180 answers "$url/api/ai-telemetry/health"
  wait_until "the app" 60 answers "$url/ai-telemetry"
  say "the portal answers on $url ($((SECONDS - started)) s after its start)"
}

cmd_stop() {
  stop_portal
  stack stop >/dev/null || true
  postgres stop >/dev/null || true
  say "stopped"
}

cmd_status() {
  local rc=0
  if pid="$(running_pid)" && answers "$url/api/ai-telemetry/health"; then
    say "portal: up (pid $pid) $url"
  else
    say "portal: down"
    rc=3
  fi
  stack status || rc=3
  postgres status || rc=3
  return "$rc"
}

cmd_env() {
  load_secrets
  printf 'export PLAYWRIGHT_URL=%s BACKEND_URL=%s\n' "$url" "$url"
  printf 'export FAWKES_AI_TELEMETRY_ENDPOINT=%s/api/ai-telemetry\n' "$url"
  printf 'export FAWKES_AI_TELEMETRY_REPORT_TOKEN=%s\n' "$AI_TELEMETRY_REPORT_TOKEN"
}

stop_trickle() {
  [ -n "${trickle_pid:-}" ] && kill -TERM -- "-$trickle_pid" 2>/dev/null || true
}

cmd_run() {
  scripts/install-system.sh test
  say "installing dependencies (yarn install)"
  yarn install --immutable >"$data/yarn-install.log" 2>&1 || {
    tail -n 30 "$data/yarn-install.log" >&2
    die "yarn install failed (log: $data/yarn-install.log)"
  }
  cmd_build
  trap 'stop_trickle; cmd_stop' EXIT
  trap 'exit 130' INT TERM
  cmd_start
  # As scripts/dev.sh does: a live trickle of the demo developers' events, through the real
  # ingestion path, with the tokens of the demo registration.
  setsid yarn workspace @fawkes/ai-telemetry-demo trickle --tokens "$data/demo-tokens.json" \
    --endpoint "$url/api/ai-telemetry" --interval 5s >"$data/demo-trickle.log" 2>&1 </dev/null &
  trickle_pid=$!
  cat <<MSG

  Fawkes developer portal, production build   $url   (sign in as guest)
  AI Telemetry page                            $url/ai-telemetry
  Backend health                               $url/api/ai-telemetry/health
  Prometheus                                   http://127.0.0.1:$prometheus_port
  Pushgateway                                  http://127.0.0.1:$pushgateway_port
  Logs, data and secrets                       $data (portal.log, demo-trickle.log, secrets.env)

  Ctrl-C stops the portal, the stack and PostgreSQL.
MSG
  while running_pid >/dev/null; do sleep 2; done
  tail -n 20 "$log" >&2
  die "the portal exited (log: $log)"
}

case "${1:-run}" in
  build) cmd_build ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  run) cmd_run ;;
  *)
    echo "usage: $0 [run|build|start|stop|status|env]" >&2
    exit 2
    ;;
esac
