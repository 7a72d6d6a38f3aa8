/**
 * Prints the README's permissions table, generated from the permission matrix that
 * plugins/cutover-backend/src/tests/permissionMatrix.test.ts checks over HTTP; with --write,
 * puts it into README.md between the permissions-matrix markers instead
 * (plugins/cutover-backend/src/tests/readmePermissions.test.ts fails while the two differ).
 *
 *   node -r @backstage/cli/config/nodeTransform.cjs scripts/permissions-table.ts [--write]
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  permissionsMarkdown,
  withPermissionsTable,
} from '../plugins/cutover-backend/src/__testUtils__/permissionMatrix';

const readmePath = path.resolve(__dirname, '..', 'README.md');

if (process.argv.includes('--write')) {
  fs.writeFileSync(readmePath, withPermissionsTable(fs.readFileSync(readmePath, 'utf8')));
  process.stdout.write(`Wrote the permissions table into ${readmePath}\n`);
} else {
  process.stdout.write(`${permissionsMarkdown()}\n`);
}
