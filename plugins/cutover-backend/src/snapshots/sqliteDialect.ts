/** The SQLite dialect of the snapshot provider (see KnexSnapshotProvider.ts for the design). */
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { CutoverDatasetTarget } from '@switchyard/plugin-cutover-node';
import { Knex } from 'knex';
import { Db, exec, rows } from '../sql/dialect';
import { columnList, Fragment, ident, join, sql, val } from '../sql/fragment';
import { checkCatalogName, parseTableName } from '../sql/identifiers';
import { tableNotFound } from '../sql/introspection';
import { sqliteTransactionConnection } from '../sql/sqliteFunctions';
import { prepareSqliteConnection, SQLITE_CHECKSUM, SQLITE_CHECKSUM_TAG, SQLITE_ROW_HASH } from './connections';
import { SnapshotDialect } from './dialect';
import {
  checkKeyColumns,
  Column,
  Measured,
  referencedError,
  sameColumnNames,
  snapshotTableName,
} from './names';


export async function sqlitePrepare(trx: Knex.Transaction): Promise<void> {
  prepareSqliteConnection(await sqliteTransactionConnection(trx));
}

export async function sqliteFind(
  db: Db,
  name: string,
): Promise<{ name: string } | undefined> {
  const [row] = await rows<{ name: string; sql: string | null }>(
    db,
    'sqlite',
    sql`SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name = ${val(
      name,
    )} COLLATE NOCASE`,
  );
  if (row && /^\s*create\s+virtual\b/i.test(row.sql ?? '')) {
    throw new InputError(
      `'${name}' is a virtual table; snapshots of virtual tables are not supported`,
    );
  }
  return row ? { name: checkCatalogName(row.name, 'Table') } : undefined;
}

export async function sqliteLiveTable(
  db: Db,
  target: CutoverDatasetTarget,
): Promise<string> {
  const live = await sqliteFind(
    db,
    parseTableName(target.table, 'sqlite').name,
  );
  if (!live) {
    throw tableNotFound(target);
  }
  return live.name;
}

export async function sqliteColumns(db: Db, table: string): Promise<Column[]> {
  const result = await rows<{ name: string; hidden: number }>(
    db,
    'sqlite',
    sql`SELECT name, hidden FROM pragma_table_xinfo(${val(
      table,
    )}) ORDER BY cid`,
  );
  const stored = result.filter(c => Number(c.hidden) === 0);
  if (!stored.length)
    throw new InputError(`Table '${table}' has no stored columns`);
  return stored.map(c => ({
    name: checkCatalogName(c.name, 'Column'),
    type: '',
    identityAlways: false,
  }));
}

export async function sqliteChecksum(
  db: Db,
  table: string,
  columns: Column[],
): Promise<Measured> {
  const [row] = await rows<{ c: string }>(
    db,
    'sqlite',
    sql`SELECT ${ident(SQLITE_CHECKSUM)}(${columnList(
      columns.map(c => c.name),
    )}) AS c FROM ${ident(table)}`,
  );
  const count = Number(row.c.split(':')[1]);
  return { recordCount: count, checksum: row.c };
}

export async function sqliteSize(
  db: Db,
  table: string,
  columns: Column[],
): Promise<number> {
  try {
    const [row] = await rows<{ size: number | null }>(
      db,
      'sqlite',
      sql`SELECT sum(pgsize) AS size FROM dbstat
          WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name = ${val(
            table,
          )} COLLATE NOCASE)`,
    );
    return Number(row?.size ?? 0);
  } catch {
    // No dbstat in this SQLite build: estimate from the stored values' lengths.
    const lengths = join(
      columns.map(c => sql`coalesce(length(${ident(c.name)}), 0)`),
      ' + ',
    );
    const [row] = await rows<{ size: number | null }>(
      db,
      'sqlite',
      sql`SELECT sum(${lengths}) AS size FROM ${ident(table)}`,
    );
    return Number(row?.size ?? 0);
  }
}

export function sqliteRowHash(names: string[], alias: string): Fragment {
  return sql`${ident(SQLITE_ROW_HASH)}(${columnList(names, alias)})`;
}

/** The SQLite dialect. */
export function sqliteSnapshotDialect(): SnapshotDialect {
  return {
    name: 'sqlite',
    checksumTag: SQLITE_CHECKSUM_TAG,
    prepare: sqlitePrepare,

    create: (knex, snapshotId, target, progress) =>
      knex.transaction(async trx => {
        await sqlitePrepare(trx);
        const live = await sqliteLiveTable(trx, target);
        const columns = await sqliteColumns(trx, live);
        checkKeyColumns(target.keyColumns, columns, 'sqlite');
        const copy = snapshotTableName(snapshotId, target);
        if (await sqliteFind(trx, copy)) {
          throw new ConflictError(`Snapshot copy ${copy} already exists; delete it first`);
        }
        await exec(
          trx,
          'sqlite',
          sql`CREATE TABLE ${ident(copy)} AS SELECT ${columnList(columns.map(c => c.name))} FROM ${ident(live)}`,
        );
        progress(60, `Checksumming the copy of ${target.dataset}`);
        const measured = await sqliteChecksum(trx, copy, columns);
        const sizeBytes = await sqliteSize(trx, copy, columns);
        return { dataset: target.dataset, ...measured, sizeBytes, location: copy };
      }),

    measure: (knex, target) =>
      knex.transaction(async trx => {
        await sqlitePrepare(trx);
        const live = await sqliteLiveTable(trx, target);
        const columns = await sqliteColumns(trx, live);
        const measured = await sqliteChecksum(trx, live, columns);
        return { dataset: target.dataset, ...measured, sizeBytes: await sqliteSize(trx, live, columns) };
      }),

    // The transaction holds SQLite's write lock from its first write.
    openRestore: async (trx, target, _figures, location) => {
      const live = await sqliteLiveTable(trx, target);
      const copy = location.name;
      if (!(await sqliteFind(trx, copy))) {
        throw new NotFoundError(
          `Snapshot copy ${copy} of dataset '${target.dataset}' does not exist; nothing was restored`,
        );
      }
      const liveColumns = await sqliteColumns(trx, live);
      const columns = await sqliteColumns(trx, copy);
      if (!sameColumnNames(liveColumns, columns)) {
        throw new ConflictError(
          `The columns of '${target.table}' changed since the snapshot; restore it by hand or revert the schema first`,
        );
      }
      return { live, copy, columns, identityAlways: new Set() };
    },

    checksum: (trx, table, columns) => sqliteChecksum(trx, table, columns),

    canApplyDifferences: (_tables, keys) => keys.length > 0,

    prepareDifferences: async (trx, { copy }, keys) => {
      // The copy is looked up by key; the index goes with the copy (dropped with it).
      await exec(
        trx,
        'sqlite',
        sql`CREATE INDEX IF NOT EXISTS ${ident(`${copy}_key`)} ON ${ident(copy)} (${columnList(keys)})`,
      );
    },

    applyDifferences: async (trx, { live, copy }, names, keys, onCompared) => {
      onCompared(undefined);
      const match = join(
        keys.map(k => sql`${ident(`s.${k}`)} = ${ident(`l.${k}`)}`),
        ' AND ',
      );
      const deleted = await exec(
        trx,
        'sqlite',
        sql`DELETE FROM ${ident(live)} AS l WHERE NOT EXISTS (SELECT 1 FROM ${ident(copy)} AS s WHERE ${match})`,
      );
      const changed = await exec(
        trx,
        'sqlite',
        sql`UPDATE ${ident(live)} AS l SET ${join(
          names.map(n => sql`${ident(n)} = ${ident(`s.${n}`)}`),
          ', ',
        )}
            FROM ${ident(copy)} AS s
            WHERE ${match} AND ${sqliteRowHash(names, 'l')} IS NOT ${sqliteRowHash(names, 's')}`,
      );
      // A LEFT JOIN (not NOT EXISTS) so SQLite can build an automatic index when live has none on
      // the keys; a matched row has non-NULL keys, so a NULL key means no match.
      const inserted = await exec(
        trx,
        'sqlite',
        sql`INSERT INTO ${ident(live)} (${columnList(names)})
            SELECT ${columnList(names, 's')} FROM ${ident(copy)} AS s LEFT JOIN ${ident(live)} AS l ON ${match}
            WHERE ${ident(`l.${keys[0]}`)} IS NULL`,
      );
      return { recordsRestored: changed + inserted, recordsDeleted: deleted };
    },

    refuseIfReferenced: async (trx, { live }, target) => {
      const [enforced] = await rows<{ foreign_keys: number }>(trx, 'sqlite', sql`PRAGMA foreign_keys`);
      if (!Number(enforced?.foreign_keys)) return;
      const [referenced] = await rows<{ n: number }>(
        trx,
        'sqlite',
        sql`SELECT count(*) AS n FROM sqlite_master AS m, pragma_foreign_key_list(m.name) AS f
            WHERE m.type = 'table' AND f."table" = ${val(live)} COLLATE NOCASE AND m.name <> ${val(live)} COLLATE NOCASE`,
      );
      if (Number(referenced?.n) > 0) throw referencedError(target);
    },

    rowValue: (names, alias) => sqliteRowHash(names, alias),
    smaller: (a, b) => sql`min(${a}, ${b})`,

    replaceContents: async (trx, { live, copy }, names) => {
      await exec(trx, 'sqlite', sql`DELETE FROM ${ident(live)}`);
      await exec(
        trx,
        'sqlite',
        sql`INSERT INTO ${ident(live)} (${columnList(names)}) SELECT ${columnList(names)} FROM ${ident(copy)}`,
      );
    },

    dropCopy: async (knex, location) => {
      await exec(knex, 'sqlite', sql`DROP TABLE IF EXISTS ${ident(location.name)}`);
    },
  };
}
