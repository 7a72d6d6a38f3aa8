#!/usr/bin/env bash
# Runs a benchmark of test/bench by name, e.g. ./test/bench/run.sh ingest-dashboard
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/bootstrap.sh"
name="${1:?usage: test/bench/run.sh <name> (one of: $(cd test/bench && ls *.bench.ts *.bench.mjs | sed 's/.bench.[mt]s$//' | tr '\n' ' '))}"
if [ -f "test/bench/$name.bench.mjs" ]; then
  # Benchmarks in a browser start the example portal themselves.
  exec node -r @backstage/cli/config/nodeTransform.cjs "test/bench/$name.bench.mjs"
fi
NODE_ENV=production exec node -r @backstage/cli/config/nodeTransform.cjs "test/bench/$name.bench.ts"
