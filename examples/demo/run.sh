#!/usr/bin/env bash
# Started by ./scripts/start: waits for the backend, then runs the demo migration job.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
for _ in $(seq 1 240); do
  if node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "${CUTOVER_URL:-http://localhost:7007/api/cutover}/health"; then
    break
  fi
  sleep 1
done
exec node -r @backstage/cli/config/nodeTransform.cjs src/index.ts
