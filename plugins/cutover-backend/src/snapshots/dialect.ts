/**
 * What the snapshot provider needs of a database engine. The restore routine (restore.ts) is
 * written once against this interface; pgDialect.ts and sqliteDialect.ts implement it.
 */
import {
  CutoverDatasetTarget,
  ProgressReporter,
  SnapshotDatasetFigures,
} from '@switchyard/plugin-cutover-node';
import { Knex } from 'knex';
import { Dialect } from '../sql/dialect';
import { Fragment } from '../sql/fragment';
import { Column, Measured, RestoreCounts } from './names';

/** The live table and the snapshot's copy of it, as a restore found them (locked). */
export interface RestoreTables {
  /** The live table, for `??` (`schema.table` on PostgreSQL). */
  live: string;
  /** The copy, for `??`. */
  copy: string;
  /** The copy's columns (the same names and types as the live table's). */
  columns: Column[];
  /** PostgreSQL: columns `GENERATED ALWAYS AS IDENTITY` (inserted overriding, never updated). */
  identityAlways: Set<string>;
  /** PostgreSQL: the live table's oid; its kind (`r` plain, `p` partitioned). */
  oid?: string;
  kind?: string;
}

/** One engine's part of creating, measuring and restoring snapshots. */
export interface SnapshotDialect {
  readonly name: Dialect;
  /** Tag of its checksum format (the first part of the checksum string). */
  readonly checksumTag: string;
  /** Prepares a transaction (SQLite: registers the checksum functions on its connection). */
  prepare(trx: Knex.Transaction): Promise<void>;
  /** Copies the live table into the snapshot's copy, in one consistent state, and measures it. */
  create(
    knex: Knex,
    snapshotId: string,
    target: CutoverDatasetTarget,
    progress: ProgressReporter,
  ): Promise<SnapshotDatasetFigures>;
  /** Count, checksum and size of the live table. */
  measure(knex: Knex, target: CutoverDatasetTarget): Promise<Omit<SnapshotDatasetFigures, 'location'>>;
  /**
   * Locks the live table for a restore (writers wait), finds it and the copy (NotFoundError) and
   * checks that their columns still agree (ConflictError).
   */
  openRestore(
    trx: Knex.Transaction,
    target: CutoverDatasetTarget,
    figures: SnapshotDatasetFigures,
    location: { schema?: string; name: string },
  ): Promise<RestoreTables>;
  /** Count and checksum of a table. */
  checksum(trx: Knex.Transaction, table: string, columns: Column[]): Promise<Measured>;
  /** Whether only the differences can be applied (else the contents are replaced whole). */
  canApplyDifferences(tables: RestoreTables, keys: string[]): boolean;
  /** Run before the differential path, outside its savepoint (SQLite: indexes the copy's keys). */
  prepareDifferences?(trx: Knex.Transaction, tables: RestoreTables, keys: string[]): Promise<void>;
  /** Applies the differences between the copy and the live table; the caller verifies. */
  applyDifferences(
    trx: Knex.Transaction,
    tables: RestoreTables,
    names: string[],
    keys: string[],
    onCompared: (differences: number | undefined) => void,
  ): Promise<RestoreCounts>;
  /** Refuses (ConflictError) a whole replace of a table other tables reference by foreign key. */
  refuseIfReferenced(trx: Knex.Transaction, tables: RestoreTables, target: CutoverDatasetTarget): Promise<void>;
  /** An expression equal for two rows exactly when they are equal (for counting differences). */
  rowValue(names: string[], alias: string): Fragment;
  /** `least(a, b)` / `min(a, b)`. */
  smaller(a: Fragment, b: Fragment): Fragment;
  /** `DELETE FROM live` then `INSERT INTO live SELECT ... FROM copy`. */
  replaceContents(trx: Knex.Transaction, tables: RestoreTables, names: string[]): Promise<void>;
  /** Drops a copy if it exists. */
  dropCopy(knex: Knex, location: { schema?: string; name: string }): Promise<void>;
}
