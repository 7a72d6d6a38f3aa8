/**
 * The built-in snapshot provider: copies of datasets kept as tables inside the destination
 * database itself, on PostgreSQL or SQLite.
 *
 * Files: this one (the provider), restore.ts (the one restore routine), dialect.ts (what it needs
 * of an engine), pgDialect.ts and sqliteDialect.ts (the engines), names.ts (copies' names); the
 * SQL toolkit (fragments, identifiers, introspection, SQLite functions) is in ../sql.
 *
 * Why copies in the same database
 * -------------------------------
 * A restore is then a few set-based statements inside ONE transaction on the same server: it is
 * atomic (any failure, including a failed verification, rolls everything back and leaves the live
 * table exactly as it was), no row ever leaves the database, and nothing is serialised, sent over
 * the network or parsed again, which makes it the fastest option as well. The cost is disk space in
 * the destination database; `delete` drops the copy.
 *
 * Storage
 * -------
 * One table per dataset per snapshot, `cutover_snap_<up to 12 characters of the snapshot id>_<20
 * hex characters of sha256(snapshot id, dataset, table)>` (at most 46 characters), in the schema of
 * the live table on PostgreSQL. The copy has the live table's columns (generated columns excepted:
 * the database computes them again), in the same order, with no constraints or indexes (on SQLite
 * the first restore adds an index on the key columns, dropped with the copy). `location` is
 * `<schema>.<name>` on PostgreSQL and `<name>` on SQLite; restore
 * only accepts a location whose name is the one derived from its snapshot id, dataset and table,
 * so a snapshot can never be restored into another table.
 *
 * Identifiers
 * -----------
 * Table and key column names come from plans: they must be plain identifiers
 * (`[A-Za-z_][A-Za-z0-9_]*`, at most 63 characters, `schema.table` on PostgreSQL). Every identifier
 * reaches SQL through knex `??` bindings, which quote it; SQL text is never built from names.
 * Column and schema names read from the catalog are accepted unless they contain characters knex
 * cannot quote faithfully (`.`, `?`, quotes, ` as `).
 *
 * Checksum
 * --------
 * Order-independent: `<tag>:<row count>:<sum of a 64-bit hash of every row>`, the sum taken without
 * overflow (PostgreSQL numeric, JavaScript BigInt), over the live table's columns in ordinal order.
 * Equal rows give equal checksums whatever their physical order; any changed value changes the
 * row's hash and so the sum (but for a 2^-64 chance).
 * - PostgreSQL (`pg-hte64-v1`): `hashtextextended(ROW(col, ...)::text, 0)`. The row's text form
 *   quotes values that need it and writes NULL as nothing and '' as `""`, so NULL, '' and 0 differ.
 *   Text output of dates, times, intervals, floats, bytea and money depends on session settings:
 *   they are pinned (transaction-local `set_config`) for every checksum and put back afterwards.
 *   `hashtextextended` is PostgreSQL's built-in 64-bit hash of text, the one hash partitioning
 *   relies on (so PostgreSQL keeps its results stable); on a 1M-row table it is about 2.5 times
 *   faster than `md5()`, whose per-call OpenSSL set-up dominates the scan. Should it ever change
 *   between a snapshot and its restore (a major upgrade in between), the restore's verification
 *   fails and the restore is refused: safe, not silent.
 * - SQLite (`sqlite-md5x64-v1`): the aggregate `cutover_checksum(...)` registered on the
 *   connection (see `prepareSqliteConnection`), hashing each row's values with their storage class
 *   (NULL, integer, real, text, blob) so NULL, '', 0, 1 and 1.0 all differ.
 *
 * Size: PostgreSQL `pg_total_relation_size` (for the live table, summed over its partitions).
 * SQLite: the pages of the table and its indexes from the `dbstat` virtual table when the SQLite
 * build has it (better-sqlite3's does); otherwise an estimate, the sum of `length()` of all values.
 *
 * Create
 * ------
 * PostgreSQL: one REPEATABLE READ transaction, so the copy is one consistent state of the table
 * while writers go on. Its first statement locks the live table in ACCESS SHARE mode, before the
 * transaction's snapshot is taken, so a concurrent TRUNCATE (not MVCC-safe) or DROP/ALTER waits
 * instead of making the table look empty or changed. Then `CREATE TABLE copy AS SELECT cols FROM
 * live` (bulk-inserted, no index maintenance; the copy is an ordinary logged table, so it survives
 * a crash), then one checksum pass over the copy. SQLite: the same in one transaction. The
 * checksum is computed once, over the copy that restore will read.
 *
 * Restore
 * -------
 * One transaction. On PostgreSQL (READ COMMITTED) its first statement locks the live table in
 * EXCLUSIVE mode (readers go on and see the old rows until commit; writers wait until the restore
 * commits or rolls back), so every later statement sees the table's final state; on SQLite the
 * transaction holds the database's write lock from its first write. Then, inside a savepoint, only
 * the differences are applied:
 * - PostgreSQL (plain tables): one full join of live and copy on the key columns classifies rows
 *   into a temporary table of row addresses (ctid): in live only, in the copy only, or in both with
 *   a different binary image (`*<>`, which also sees 1.0 vs 1.00 or -0 vs 0). Then DELETE the
 *   first, UPDATE the second in place, INSERT the third, each by ctid (TID scans). The join runs
 *   with a transaction-local `work_mem` of 128MB (option `restoreWorkMem`) so that it stays in
 *   memory for a few million rows. Partitioned tables (whose ctids are per partition) go straight
 *   to the full replace below.
 * - SQLite (tables with key columns): DELETE rows whose key is not in the copy, UPDATE ... FROM
 *   rows whose row hash differs, INSERT the copy's rows whose key is not in live.
 * Changed rows are UPDATEd, not deleted and inserted again, so rows of other tables referencing
 * them are untouched; rows that did not exist in the snapshot are deleted, with the foreign keys'
 * own ON DELETE actions (a NO ACTION/RESTRICT reference makes the restore fail and roll back).
 * Then the live table's count and checksum are computed again, in the same transaction, and must
 * equal the snapshot's figures. If they do not (keys not unique, a unique constraint swapped
 * between rows, a non-key identity column changed), or a statement of the differential path fails,
 * the savepoint is rolled back and the table is replaced whole: `DELETE FROM live` then
 * `INSERT INTO live SELECT ... FROM copy`, verified the same way. That path refuses tables other
 * tables reference by foreign key (their ON DELETE actions would reach rows the snapshot does not
 * cover). If the final verification fails, the restore throws and the transaction rolls back: the
 * live table is never left half restored.
 * TRUNCATE is not used: it needs an ACCESS EXCLUSIVE lock (blocking readers), fails when other
 * tables reference the table (or, with CASCADE, empties them), and is not MVCC-safe for concurrent
 * REPEATABLE READ readers.
 *
 * Counts: `recordsDeleted` are live rows whose key is not in the snapshot; `recordsRestored` are the
 * snapshot's rows inserted or changed back, by key (on the full-replace path: the snapshot's rows
 * without an identical live row, counted as multisets). Keys are matched with `=`, so a row with a
 * NULL key column is counted as deleted and restored (and is restored exactly). Without key
 * columns, the whole row is the key.
 *
 * Caveats: triggers on the live table fire during restore; a trigger that changes the rows it
 * writes makes the verification fail, and the restore is refused. Sequences are not reset. On
 * SQLite, rows' hidden rowids may change (INTEGER PRIMARY KEY columns are kept).
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  CutoverDatasetTarget,
  ProgressReporter,
  SnapshotDatasetFigures,
  SnapshotProvider,
} from '@switchyard/plugin-cutover-node';
import { Knex } from 'knex';
import { dialectOfClient } from '../sql/dialect';
import { parseTableName } from '../sql/identifiers';
import { referencingFirst } from '../sql/introspection';
import { safeProgress } from '../sql/progress';
import { CutoverConnections } from './connections';
import { SnapshotDialect } from './dialect';
import {
  checkTag,
  parseLocation,
  RestoreCounts,
  SNAPSHOT_PREFIX,
  snapshotTableName,
} from './names';
import { pgSnapshotDialect } from './pgDialect';
import { restoreDataset, SnapshotFaultInjection } from './restore';
import { sqliteSnapshotDialect } from './sqliteDialect';

export { parseTableName } from '../sql/identifiers';
export { snapshotTableName } from './names';
export { PG_CHECKSUM_TAG } from './pgDialect';
export type { SnapshotFaultInjection } from './restore';

/** Options of {@link KnexSnapshotProvider}. */
export interface KnexSnapshotProviderOptions {
  logger?: LoggerService;
  faultInjection?: SnapshotFaultInjection;
  /**
   * PostgreSQL `work_mem` for the restore's comparison join, set for that transaction only, so
   * that the join of a few million rows stays in memory. Default `128MB`.
   */
  restoreWorkMem?: string;
}

/**
 * {@link SnapshotProvider} keeping copies as tables in the destination database (PostgreSQL or
 * SQLite). See the comment at the top of this file for the design.
 */
export class KnexSnapshotProvider implements SnapshotProvider {
  readonly id = 'knex';
  readonly #connections: CutoverConnections;
  readonly #options: KnexSnapshotProviderOptions;
  readonly #dialects: Record<'pg' | 'sqlite', SnapshotDialect>;

  constructor(
    connections: CutoverConnections,
    options: KnexSnapshotProviderOptions = {},
  ) {
    this.#connections = connections;
    this.#options = options;
    this.#dialects = {
      pg: pgSnapshotDialect({ restoreWorkMem: options.restoreWorkMem }),
      sqlite: sqliteSnapshotDialect(),
    };
  }

  async supports(target: CutoverDatasetTarget): Promise<boolean> {
    return this.#connections.isSupported(target.connection);
  }

  async create(
    snapshotId: string,
    target: CutoverDatasetTarget,
    reporter: ProgressReporter,
  ): Promise<SnapshotDatasetFigures> {
    const { knex, dialect } = this.#database(target);
    const progress = safeProgress(reporter);
    progress(0, `Copying ${target.dataset}`);
    const figures = await dialect.create(knex, snapshotId, target, progress);
    progress(100, `Copied ${figures.recordCount} records of ${target.dataset}`);
    return figures;
  }

  async restore(
    snapshotId: string,
    target: CutoverDatasetTarget,
    figures: SnapshotDatasetFigures,
    reporter: ProgressReporter,
  ): Promise<RestoreCounts> {
    const [counts] = await this.restoreAll(snapshotId, [{ target, figures }], reporter);
    return counts;
  }

  /**
   * Restores several datasets of one connection in ONE transaction: all of them or none. Tables
   * that reference others (foreign keys among the restored tables) are restored first, so rows a
   * restore deletes are no longer referenced when their parents' turn comes.
   */
  async restoreAll(
    snapshotId: string,
    items: Array<{
      target: CutoverDatasetTarget;
      figures: SnapshotDatasetFigures;
    }>,
    reporter: ProgressReporter,
  ): Promise<RestoreCounts[]> {
    if (!items.length) return [];
    const connections = new Set(items.map(i => i.target.connection));
    if (connections.size > 1) {
      throw new InputError(
        `Datasets of one restore must share a connection; got ${[...connections].join(', ')}`,
      );
    }
    const { knex, dialect } = this.#database(items[0].target);
    const resolved = items.map(({ target, figures }) => {
      const location = this.#location(snapshotId, target, figures, dialect);
      const expected = snapshotTableName(snapshotId, target);
      if (location.name !== expected) {
        throw new InputError(
          `Snapshot location '${figures.location}' does not belong to snapshot '${snapshotId}' of dataset '${target.dataset}' (table '${target.table}')`,
        );
      }
      checkTag(figures.checksum, dialect.checksumTag);
      return { target, figures, location };
    });
    const progress = safeProgress(reporter);
    const counts = new Map<string, RestoreCounts>();
    const context = {
      dialect,
      logger: this.#options.logger,
      faultInjection: this.#options.faultInjection,
    };
    await knex.transaction(async trx => {
      await dialect.prepare(trx);
      const order = await referencingFirst(trx, dialect.name, resolved.map(r => r.target));
      for (const [i, target] of order.entries()) {
        const r = resolved.find(x => x.target === target)!;
        const share: ProgressReporter = (p, message) =>
          progress(((i + Math.min(100, Math.max(0, p)) / 100) / order.length) * 100, message);
        share(0, `Restoring ${target.dataset}`);
        counts.set(
          target.dataset,
          await restoreDataset(trx, context, target, r.figures, r.location, share),
        );
        share(100, `Restored ${target.dataset}`);
      }
      await this.#options.faultInjection?.beforeCommitAll?.(items[0].target, trx as Knex.Transaction);
    });
    return items.map(i => counts.get(i.target.dataset)!);
  }

  async measure(
    target: CutoverDatasetTarget,
  ): Promise<Omit<SnapshotDatasetFigures, 'location'>> {
    const { knex, dialect } = this.#database(target);
    return dialect.measure(knex, target);
  }

  async delete(
    snapshotId: string,
    target: CutoverDatasetTarget,
    figures: SnapshotDatasetFigures,
  ): Promise<void> {
    const { knex, dialect } = this.#database(target);
    const location = this.#location(snapshotId, target, figures, dialect);
    // Only ever drop one of this snapshot's copies (the table of the dataset may have been renamed
    // in the plan since, so the dataset hash is not required to match).
    const slug = snapshotTableName(snapshotId, target).split('_')[2];
    if (!location.name.startsWith(`${SNAPSHOT_PREFIX}${slug}_`)) {
      throw new InputError(
        `Snapshot location '${figures.location}' does not belong to snapshot '${snapshotId}'`,
      );
    }
    await dialect.dropCopy(knex, location);
  }

  /**
   * Where a dataset's copy is. Without a recorded location (a job that died after copying, before
   * recording it), the copy is where this snapshot's copy of the dataset would be: its derived
   * name, beside the table.
   */
  #location(
    snapshotId: string,
    target: CutoverDatasetTarget,
    figures: SnapshotDatasetFigures,
    dialect: SnapshotDialect,
  ): { schema?: string; name: string } {
    return figures.location
      ? parseLocation(figures.location, dialect.name)
      : {
          schema: parseTableName(target.table, dialect.name).schema,
          name: snapshotTableName(snapshotId, target),
        };
  }

  #database(target: CutoverDatasetTarget): { knex: Knex; dialect: SnapshotDialect } {
    const knex = this.#connections.get(target.connection);
    return { knex, dialect: this.#dialects[dialectOfClient(this.#connections.client(target.connection))] };
  }
}
