/**
 * The restore routine, written once for both engines (their differences are in pgDialect.ts and
 * sqliteDialect.ts): inside the caller's transaction, lock and check the tables, apply only the
 * differences inside a savepoint and verify them; if that fails or does not reproduce the
 * snapshot, roll the savepoint back and replace the contents whole, verified the same way. See
 * KnexSnapshotProvider.ts for the design.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  CutoverDatasetTarget,
  ProgressReporter,
  SnapshotDatasetFigures,
} from '@switchyard/plugin-cutover-node';
import { Knex } from 'knex';
import { rows } from '../sql/dialect';
import { ident, join, sql } from '../sql/fragment';
import { SnapshotDialect } from './dialect';
import { checkKeyColumns, RestoreCounts } from './names';

/** Hooks for tests, to make a restore fail at chosen points. */
export interface SnapshotFaultInjection {
  /**
   * Called after a dataset's restored data was written and verified (for a restore of one
   * dataset: just before the commit), with the restore's transaction (to look at the uncommitted
   * state). Throwing here must roll back every dataset of the restore.
   */
  beforeCommit?: (
    target: CutoverDatasetTarget,
    trx: Knex.Transaction,
  ) => void | Promise<void>;
  /** Called once every dataset of a restore was written, just before the commit (first dataset given). */
  beforeCommitAll?: (
    target: CutoverDatasetTarget,
    trx: Knex.Transaction,
  ) => void | Promise<void>;
  /**
   * Called after the differential path wrote its changes, before its verification; throwing here
   * exercises the fall-back to a full replace.
   */
  afterDifferentialApply?: (
    target: CutoverDatasetTarget,
    trx: Knex.Transaction,
  ) => void | Promise<void>;
}

/** What the routine needs besides the dataset. */
export interface RestoreContext {
  dialect: SnapshotDialect;
  logger?: LoggerService;
  faultInjection?: SnapshotFaultInjection;
}

/** Restores one dataset inside the caller's transaction; returns its counts. */
export async function restoreDataset(
  trx: Knex.Transaction,
  context: RestoreContext,
  target: CutoverDatasetTarget,
  figures: SnapshotDatasetFigures,
  location: { schema?: string; name: string },
  progress: ProgressReporter,
): Promise<RestoreCounts> {
  const { dialect } = context;
  const tables = await dialect.openRestore(trx, target, figures, location);
  const keys = checkKeyColumns(target.keyColumns, tables.columns, dialect.name);
  const names = tables.columns.map(c => c.name);
  const verify = async () => {
    const measured = await dialect.checksum(trx, tables.live, tables.columns);
    return measured.recordCount === Number(figures.recordCount) && measured.checksum === figures.checksum;
  };

  let counts: RestoreCounts | undefined;
  if (dialect.canApplyDifferences(tables, keys)) {
    await dialect.prepareDifferences?.(trx, tables, keys);
    progress(10, `Comparing ${target.dataset} with the snapshot`);
    counts = await tryDifferential(trx, context, target, progress, verify, () =>
      dialect.applyDifferences(trx, tables, names, keys, n =>
        progress(40, n === undefined ? `Applying the differences to ${target.dataset}` : `Applying ${n} differences to ${target.dataset}`),
      ),
    );
  }
  if (!counts) {
    await dialect.refuseIfReferenced(trx, tables, target);
    progress(40, `Replacing the contents of ${target.dataset}`);
    counts = await countDifferences(trx, dialect, tables.live, tables.copy, names, keys);
    await dialect.replaceContents(trx, tables, names);
    progress(70, `Verifying ${target.dataset}`);
    if (!(await verify())) {
      throw new Error(
        `Restore of dataset '${target.dataset}' failed verification (count or checksum differs from the snapshot's); rolled back, nothing was restored`,
      );
    }
  }
  await context.faultInjection?.beforeCommit?.(target, trx);
  return counts;
}

/**
 * Applies only the differences to the snapshot, inside a savepoint, and verifies the result; when
 * that fails or does not reproduce the snapshot, the savepoint is rolled back and `undefined`
 * returned, so the caller replaces the table's contents instead (same transaction either way).
 */
async function tryDifferential(
  trx: Knex.Transaction,
  context: RestoreContext,
  target: CutoverDatasetTarget,
  progress: ProgressReporter,
  verify: () => Promise<boolean>,
  apply: () => Promise<RestoreCounts>,
): Promise<RestoreCounts | undefined> {
  const fallback = (why: string) =>
    context.logger?.warn(
      `Restore of dataset '${target.dataset}': ${why}; replacing the table's contents instead`,
    );
  let counts: RestoreCounts | undefined;
  await trx.raw('SAVEPOINT cutover_restore_differential');
  try {
    counts = await apply();
    await context.faultInjection?.afterDifferentialApply?.(target, trx);
    progress(70, `Verifying ${target.dataset}`);
    if (!(await verify())) {
      fallback('applying differences did not reproduce the snapshot');
      counts = undefined;
    }
  } catch (error) {
    fallback(`applying differences failed (${(error as Error).message})`);
    counts = undefined;
  }
  if (!counts) await trx.raw('ROLLBACK TO SAVEPOINT cutover_restore_differential');
  await trx.raw('RELEASE SAVEPOINT cutover_restore_differential');
  return counts;
}

/**
 * The counts of a full replace, computed before it. `recordsRestored` is the number of the
 * snapshot's rows without an identical live row, as multisets (so duplicate rows count right);
 * `recordsDeleted` the number of live rows whose key is not in the snapshot (without key columns:
 * live rows without an identical snapshot row). As on the differential path, rows with a NULL key
 * column never match by key.
 */
async function countDifferences(
  trx: Knex.Transaction,
  dialect: SnapshotDialect,
  live: string,
  copy: string,
  names: string[],
  keys: string[],
): Promise<RestoreCounts> {
  const rowValue = (alias: string) => dialect.rowValue(names, alias);
  const keyed = (alias: string) =>
    keys.length
      ? join(
          keys.map(k => sql`${ident(`${alias}.${k}`)} IS NOT NULL`),
          ' AND ',
        )
      : sql`1 = 1`;
  const smaller = dialect.smaller(sql`c.n`, sql`l.n`);
  const keyMatch = join(
    keys.map(k => sql`${ident(`s.${k}`)} = ${ident(`l.${k}`)}`),
    ' AND ',
  );
  const deleted = keys.length
    ? sql`(SELECT count(*) FROM ${ident(live)} AS l
           WHERE NOT EXISTS (SELECT 1 FROM ${ident(
             copy,
           )} AS s WHERE ${keyMatch}))`
    : sql`(SELECT count(*) FROM ${ident(live)}) - (SELECT n FROM unchanged)`;
  const [row] = await rows<{
    deleted: string | number;
    restored: string | number;
  }>(
    trx,
    dialect.name,
    sql`WITH c AS (SELECT ${rowValue('s')} AS r, count(*) AS n FROM ${ident(
      copy,
    )} AS s WHERE ${keyed('s')} GROUP BY 1),
             l AS (SELECT ${rowValue('l')} AS r, count(*) AS n FROM ${ident(
      live,
    )} AS l WHERE ${keyed('l')} GROUP BY 1),
             unchanged AS (SELECT coalesce(sum(${smaller}), 0) AS n FROM c JOIN l ON l.r = c.r)
        SELECT ((SELECT count(*) FROM ${ident(
          copy,
        )}) - (SELECT n FROM unchanged)) AS restored,
               (${deleted}) AS deleted`,
  );
  return {
    recordsRestored: Number(row.restored),
    recordsDeleted: Number(row.deleted),
  };
}

