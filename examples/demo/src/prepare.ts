/**
 * Prepares the demo's databases without a portal: generates the legacy database and moves every
 * row into the new one, as the demo job does, but at once and without reporting. The end-to-end
 * tests use it so that snapshots, rollbacks and reconciliation have real tables to act on.
 *
 * Run from examples/demo: node -r @backstage/cli/config/nodeTransform.cjs src/prepare.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  createInventoryDatabases,
  createLegacyDatabase,
  createNewDatabase,
  SIZES,
} from './data';
import { emptyTally, moveChunk } from './migrate';

const dir =
  process.env.DEMO_DIR ?? path.resolve(process.cwd(), '../../.switchyard/demo');
fs.mkdirSync(dir, { recursive: true });
const legacy = createLegacyDatabase(path.join(dir, 'legacy.db'));
const target = createNewDatabase(path.join(dir, 'new.db'));
for (const [name, total] of Object.entries(SIZES)) {
  const tally = emptyTally(total);
  for (let offset = 0; offset < total; )
    offset += moveChunk(legacy, target, name, offset, 5000, tally);
  process.stdout.write(
    `[demo-prepare] ${name}: ${tally.imported} moved, ${tally.failed} failed, ${tally.skipped} skipped\n`,
  );
}
legacy.close();
target.close();
createInventoryDatabases(dir);
process.stdout.write(
  '[demo-prepare] inventory databases for the "Plan a data migration" template\n',
);
