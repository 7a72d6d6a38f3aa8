#!/usr/bin/env bash
# Starts the example portal, runs the end-to-end tests against it in headless Chromium, stops it.
# Expects scripts/bootstrap.sh to have been sourced (node and yarn on PATH).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

if [ -z "${CHROMIUM_PATH:-}" ]; then
  CHROMIUM_PATH="$(command -v chromium || command -v chromium-browser || true)"
fi
if [ -z "$CHROMIUM_PATH" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "[e2e] installing Debian's chromium"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    CHROMIUM_PATH="$(command -v chromium)"
  else
    echo "[e2e] Chromium is missing: install Debian's 'chromium' package or set CHROMIUM_PATH" >&2
    exit 1
  fi
fi
export CHROMIUM_PATH

for port in 3000 7007; do
  if node -e 'const s=require("net").connect(+process.argv[1],"127.0.0.1");s.on("connect",()=>process.exit(0)).on("error",()=>process.exit(1))' "$port"; then
    echo "[e2e] port $port is already in use: stop what runs there (an example portal?) and try again" >&2
    exit 1
  fi
done

mkdir -p test-results
export CUTOVER_TOKEN="e2e-$(node -e 'console.log(require("crypto").randomBytes(12).toString("hex"))')"
export CUTOVER_URL="http://localhost:7007/api/cutover"
log_file="test-results/e2e-portal.log"
echo "[e2e] preparing the demo's legacy and new databases (snapshots, rollback and reconciliation act on them)"
(cd examples/demo && node -r @backstage/cli/config/nodeTransform.cjs src/prepare.ts)
echo "[e2e] starting the example portal (log: $log_file)"
set -m
# Tech Insights collects Switchyard's facts every ten seconds here (every five minutes in the example).
APP_CONFIG_techInsights_factRetrievers_switchyardCutoverFactRetriever_cadence='*/10 * * * * *' \
APP_CONFIG_techInsights_factRetrievers_switchyardCutoverFactRetriever_initialDelay_seconds=5 \
  SWITCHYARD_NO_DEMO=1 yarn start >"$log_file" 2>&1 &
portal_pid=$!
set +m
cleanup() { kill -- -"$portal_pid" 2>/dev/null || true; wait "$portal_pid" 2>/dev/null || true; }
trap cleanup EXIT

if ! node test/e2e/waitForPortal.mjs; then
  echo "[e2e] the portal did not come up; last lines of its log:" >&2
  tail -40 "$log_file" >&2
  exit 1
fi
# Every test lays the example plan out from the same moment: a day before this run.
SWITCHYARD_E2E_PLAN_START="$(node -e 'console.log(Date.now() - 86400000)')"
export SWITCHYARD_E2E_PLAN_START
# Arguments name the test files to run (all of test/e2e when none): bash test/e2e/run.sh test/e2e/scorecard.e2e.mjs
if [ "$#" -gt 0 ]; then files=("$@"); else files=(test/e2e/*.e2e.mjs); fi
node -r @backstage/cli/config/nodeTransform.cjs --test --test-concurrency=1 "${files[@]}"
