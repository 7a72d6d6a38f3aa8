#!/usr/bin/env bash
# Runs a benchmark of test/bench by name, e.g. ./test/bench/run.sh ingest-dashboard
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/bootstrap.sh"
name="${1:?usage: test/bench/run.sh <name> (one of: $(cd test/bench && ls *.bench.ts | sed 's/.bench.ts//' | tr '\n' ' '))}"
NODE_ENV=production exec node -r @backstage/cli/config/nodeTransform.cjs "test/bench/$name.bench.ts"
