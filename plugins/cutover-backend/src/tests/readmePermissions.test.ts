import fs from 'node:fs';
import path from 'node:path';
import {
  permissionsMarkdown,
  README_MARKERS,
  readmePermissionsBlock,
} from '../__testUtils__/permissionMatrix';

const README = path.resolve(__dirname, '../../../../README.md');
const HOW =
  'regenerate it from the repository root with `node -r @backstage/cli/config/nodeTransform.cjs scripts/permissions-table.ts --write`';

describe("the README's permissions table", () => {
  it('is the one generated from the permission matrix', () => {
    const block = readmePermissionsBlock(fs.readFileSync(README, 'utf8'));
    expect({
      markers: `${README_MARKERS.start} ... ${README_MARKERS.end}`,
      found: block !== undefined,
    }).toEqual({
      markers: `${README_MARKERS.start} ... ${README_MARKERS.end}`,
      found: true,
    });
    // The diff shows what changed; the hint says how to fix it.
    expect({ table: block, hint: HOW }).toEqual({
      table: permissionsMarkdown(),
      hint: HOW,
    });
  });
});
