/** Snapshot copies' names and locations, and checks of what a restore is given. */
import { ConflictError, InputError } from '@backstage/errors';
import { CutoverDatasetTarget } from '@switchyard/plugin-cutover-node';
import { createHash } from 'node:crypto';
import { Dialect } from '../sql/dialect';
import { checkCatalogName, checkKeyName } from '../sql/identifiers';

export interface Column {
  name: string;
  /** PostgreSQL type oid; empty on SQLite. */
  type: string;
  /** PostgreSQL `GENERATED ALWAYS AS IDENTITY`: can be inserted (overriding) but not updated. */
  identityAlways: boolean;
}

export interface Measured {
  recordCount: number;
  checksum: string;
}

export interface RestoreCounts {
  recordsRestored: number;
  recordsDeleted: number;
}

export const SNAPSHOT_PREFIX = 'cutover_snap_';
export const SNAPSHOT_NAME = /^cutover_snap_[a-z0-9]{1,12}_[0-9a-f]{20}$/;

export function checkKeyColumns(
  keyColumns: string[],
  columns: Column[],
  dialect: Dialect,
): string[] {
  return (keyColumns ?? []).map(key => {
    checkKeyName(key);
    const found = columns.find(c =>
      dialect === 'pg'
        ? c.name === key
        : c.name.toLowerCase() === key.toLowerCase(),
    );
    if (!found) {
      throw new InputError(
        `Key column '${key}' is not a stored column of the table`,
      );
    }
    return found.name;
  });
}

/**
 * Name of the table holding a dataset's copy in a snapshot: `cutover_snap_<slug>_<hash>`, where the
 * slug is up to 12 lower-case letters and digits of the snapshot id and the hash covers the whole
 * snapshot id, the dataset and the table (so ids sharing a slug never collide).
 */
export function snapshotTableName(
  snapshotId: string,
  target: Pick<CutoverDatasetTarget, 'dataset' | 'table'>,
): string {
  const slug =
    snapshotId
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '')
      .slice(0, 12) || 'x';
  const hash = createHash('sha256')
    .update(JSON.stringify([snapshotId, target.dataset, target.table]))
    .digest('hex')
    .slice(0, 20);
  return `${SNAPSHOT_PREFIX}${slug}_${hash}`;
}

export function parseLocation(
  location: string,
  dialect: Dialect,
): { schema?: string; name: string } {
  const parts = typeof location === 'string' ? location.split('.') : [];
  const expected = dialect === 'pg' ? 2 : 1;
  if (
    parts.length !== expected ||
    !SNAPSHOT_NAME.test(parts[parts.length - 1])
  ) {
    throw new InputError(
      `Snapshot location '${location}' is not one of this provider's copies`,
    );
  }
  if (dialect === 'pg') {
    return {
      schema: checkCatalogName(parts[0], 'Schema'),
      name: parts[1],
    };
  }
  return { name: parts[0] };
}

export function checkTag(checksum: string, tag: string) {
  if (typeof checksum !== 'string' || !checksum.startsWith(`${tag}:`)) {
    throw new InputError(
      `Snapshot checksum '${checksum}' was not made by this provider's ${tag} algorithm; refusing to restore`,
    );
  }
}

export function sameColumnNames(a: Column[], b: Column[]) {
  const names = (cs: Column[]) => cs.map(c => c.name).sort();
  return JSON.stringify(names(a)) === JSON.stringify(names(b));
}

/** The error of a whole replace refused because other tables reference the table. */
export function referencedError(target: CutoverDatasetTarget): ConflictError {
  return new ConflictError(
    `Dataset '${target.dataset}' cannot be restored by difference, and '${target.table}' is referenced by other tables' foreign keys, so its contents cannot be replaced whole; nothing was restored`,
  );
}
