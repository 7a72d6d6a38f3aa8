/** The PostgreSQL dialect of the snapshot provider (see KnexSnapshotProvider.ts for the design). */
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { CutoverDatasetTarget } from '@switchyard/plugin-cutover-node';
import { Db, exec, PG_TEXT_OUTPUT_SETTINGS, rows } from '../sql/dialect';
import { columnList, Fragment, ident, join, sql, val } from '../sql/fragment';
import { checkCatalogName, parseTableName } from '../sql/identifiers';
import { pgQuotedName, tableNotFound } from '../sql/introspection';
import { SnapshotDialect } from './dialect';
import {
  checkKeyColumns,
  Column,
  Measured,
  referencedError,
  sameColumnNames,
  snapshotTableName,
} from './names';


/** Tag of the PostgreSQL checksum format, the first part of the checksum string. */
export const PG_CHECKSUM_TAG = 'pg-hte64-v1';

export interface PgRelation {
  oid: string;
  schema: string;
  name: string;
  kind: string;
  hasChildren: boolean;
}

/**
 * Session settings the text output of values depends on, pinned while a checksum is computed so
 * that sessions with other settings get the same checksum.
 */
export const PG_OUTPUT_SETTINGS: ReadonlyArray<readonly [string, string]> = [
  ...PG_TEXT_OUTPUT_SETTINGS,
  ['lc_monetary', 'C'],
];

/**
 * Runs `fn` with {@link PG_OUTPUT_SETTINGS} set for the transaction, then puts the previous values
 * back (still transaction-local), so user code that runs later in the transaction (deferred
 * triggers at commit) sees the session's own settings.
 */
export async function pgWithOutputSettings<T>(
  db: Db,
  fn: () => Promise<T>,
): Promise<T> {
  const current = join(
    PG_OUTPUT_SETTINGS.map(
      ([name], i) => sql`current_setting(${val(name)}) AS ${ident(`s${i}`)}`,
    ),
    ', ',
  );
  const [previous] = await rows<Record<string, string>>(
    db,
    'pg',
    sql`SELECT ${current}`,
  );
  const setAll = async (values: string[]) => {
    const calls = join(
      PG_OUTPUT_SETTINGS.map(
        ([name], i) => sql`set_config(${val(name)}, ${val(values[i])}, true)`,
      ),
      ', ',
    );
    await rows(db, 'pg', sql`SELECT ${calls}`);
  };
  await setAll(PG_OUTPUT_SETTINGS.map(([, value]) => value));
  const result = await fn();
  await setAll(PG_OUTPUT_SETTINGS.map((_, i) => previous[`s${i}`]));
  return result;
}

export async function pgResolve(
  db: Db,
  table: { schema?: string; name: string },
): Promise<PgRelation | undefined> {
  const name = pgQuotedName(table);
  const [row] = await rows<PgRelation>(
    db,
    'pg',
    sql`SELECT c.oid::text AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind,
          EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhparent = c.oid) AS "hasChildren"
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.oid = to_regclass(${name})`,
  );
  return row;
}

export async function pgFind(
  db: Db,
  schema: string,
  name: string,
): Promise<PgRelation | undefined> {
  const [row] = await rows<PgRelation>(
    db,
    'pg',
    sql`SELECT c.oid::text AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind, false AS "hasChildren"
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ${val(schema)} AND c.relname = ${val(name)}`,
  );
  return row;
}

/**
 * Locks the live table by its name, as the first statement of a transaction. LOCK takes no
 * snapshot, so in a REPEATABLE READ transaction the snapshot is taken after the lock is held: a
 * concurrent TRUNCATE (not MVCC-safe) can then not make the table look empty to us, and the table
 * cannot be dropped or altered under us. ACCESS SHARE lets writers go on; EXCLUSIVE makes them
 * wait (readers still go on).
 */
export async function pgLock(
  db: Db,
  target: CutoverDatasetTarget,
  mode: 'ACCESS SHARE' | 'EXCLUSIVE',
) {
  const table = parseTableName(target.table, 'pg');
  const name = table.schema ? `${table.schema}.${table.name}` : table.name;
  const statement =
    mode === 'EXCLUSIVE'
      ? sql`LOCK TABLE ${ident(name)} IN EXCLUSIVE MODE`
      : sql`LOCK TABLE ${ident(name)} IN ACCESS SHARE MODE`;
  try {
    await exec(db, 'pg', statement);
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') {
      throw tableNotFound(target);
    }
    throw error;
  }
}

export async function pgLiveTable(
  db: Db,
  target: CutoverDatasetTarget,
): Promise<PgRelation & { qualified: string }> {
  const live = await pgResolve(db, parseTableName(target.table, 'pg'));
  if (!live) {
    throw tableNotFound(target);
  }
  if (live.kind !== 'r' && live.kind !== 'p') {
    throw new InputError(
      `'${target.table}' of dataset '${target.dataset}' is not a table`,
    );
  }
  if (live.kind === 'r' && live.hasChildren) {
    throw new InputError(
      `Table '${target.table}' has inheritance children; snapshots of inheritance trees are not supported`,
    );
  }
  checkCatalogName(live.schema, 'Schema');
  checkCatalogName(live.name, 'Table');
  return { ...live, qualified: `${live.schema}.${live.name}` };
}

/** The table and, if it is partitioned, all its partitions (`pg_partition_tree` is empty for plain tables). */
export function pgRelationTree(oid: string): Fragment {
  return sql`SELECT ${val(
    oid,
  )}::oid AS relid UNION SELECT relid FROM pg_partition_tree(${val(oid)}::oid)`;
}

export async function pgColumns(db: Db, oid: string): Promise<Column[]> {
  const result = await rows<{ name: string; type: string; identity: string }>(
    db,
    'pg',
    sql`SELECT attname AS name, atttypid::text AS type, attidentity AS identity
        FROM pg_attribute
        WHERE attrelid = ${val(
          oid,
        )}::oid AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
        ORDER BY attnum`,
  );
  if (!result.length) throw new InputError('The table has no stored columns');
  return result.map(c => ({
    name: checkCatalogName(c.name, 'Column'),
    type: c.type,
    identityAlways: c.identity === 'a',
  }));
}

export async function pgChecksum(
  db: Db,
  table: string,
  columns: Column[],
): Promise<Measured> {
  const [row] = await pgWithOutputSettings(db, () =>
    rows<{ n: string; s: string }>(
      db,
      'pg',
      sql`SELECT count(*)::text AS n,
            coalesce(sum(hashtextextended(ROW(${columnList(
              columns.map(c => c.name),
            )})::text, 0)), 0)::text AS s
          FROM ${ident(table)}`,
    ),
  );
  return {
    recordCount: Number(row.n),
    checksum: `${PG_CHECKSUM_TAG}:${row.n}:${row.s}`,
  };
}

/** `s.k1 = l.k1 AND ...`, or the whole row's text when there are no key columns. */
export function pgKeyMatch(keys: string[], names: string[]): Fragment {
  if (!keys.length) {
    return sql`ROW(${columnList(names, 's')})::text = ROW(${columnList(
      names,
      'l',
    )})::text`;
  }
  return join(
    keys.map(k => sql`${ident(`s.${k}`)} = ${ident(`l.${k}`)}`),
    ' AND ',
  );
}


/** The PostgreSQL dialect; `restoreWorkMem` is the restore comparison join's `work_mem`. */
export function pgSnapshotDialect(options: { restoreWorkMem?: string }): SnapshotDialect {
  return {
    name: 'pg',
    checksumTag: PG_CHECKSUM_TAG,
    prepare: async () => {},

    create: (knex, snapshotId, target, progress) =>
      knex.transaction(
        async trx => {
          await pgLock(trx, target, 'ACCESS SHARE');
          const live = await pgLiveTable(trx, target);
          const columns = await pgColumns(trx, live.oid);
          checkKeyColumns(target.keyColumns, columns, 'pg');
          const name = snapshotTableName(snapshotId, target);
          const copy = `${live.schema}.${name}`;
          if (await pgFind(trx, live.schema, name)) {
            throw new ConflictError(`Snapshot copy ${copy} already exists; delete it first`);
          }
          await exec(
            trx,
            'pg',
            sql`CREATE TABLE ${ident(copy)} AS SELECT ${columnList(columns.map(c => c.name))} FROM ${ident(live.qualified)}`,
          );
          progress(60, `Checksumming the copy of ${target.dataset}`);
          const measured = await pgChecksum(trx, copy, columns);
          const created = await pgFind(trx, live.schema, name);
          const [size] = await rows<{ size: string }>(
            trx,
            'pg',
            sql`SELECT pg_total_relation_size(${val(created!.oid)}::oid)::text AS size`,
          );
          return { dataset: target.dataset, ...measured, sizeBytes: Number(size.size), location: copy };
        },
        { isolationLevel: 'repeatable read' },
      ),

    measure: (knex, target) =>
      knex.transaction(
        async trx => {
          await pgLock(trx, target, 'ACCESS SHARE');
          const live = await pgLiveTable(trx, target);
          const columns = await pgColumns(trx, live.oid);
          const measured = await pgChecksum(trx, live.qualified, columns);
          const [size] = await rows<{ size: string }>(
            trx,
            'pg',
            sql`SELECT coalesce(sum(pg_total_relation_size(relid)), 0)::text AS size FROM (${pgRelationTree(live.oid)}) AS tree`,
          );
          return { dataset: target.dataset, ...measured, sizeBytes: Number(size.size) };
        },
        { isolationLevel: 'repeatable read', readOnly: true },
      ),

    // READ COMMITTED: every statement after the lock sees all writes committed before it.
    openRestore: async (trx, target, figures, location) => {
      await pgLock(trx, target, 'EXCLUSIVE');
      const live = await pgLiveTable(trx, target);
      const copyRelation = await pgFind(trx, location.schema!, location.name);
      if (!copyRelation) {
        throw new NotFoundError(
          `Snapshot copy ${figures.location} of dataset '${target.dataset}' does not exist; nothing was restored`,
        );
      }
      const liveColumns = await pgColumns(trx, live.oid);
      const columns = await pgColumns(trx, copyRelation.oid);
      const typeOf = new Map(liveColumns.map(c => [c.name, c.type]));
      if (!sameColumnNames(liveColumns, columns) || columns.some(c => typeOf.get(c.name) !== c.type)) {
        throw new ConflictError(
          `The columns of '${target.table}' changed since the snapshot; restore it by hand or revert the schema first`,
        );
      }
      return {
        live: live.qualified,
        copy: `${location.schema}.${location.name}`,
        columns,
        identityAlways: new Set(liveColumns.filter(c => c.identityAlways).map(c => c.name)),
        oid: live.oid,
        kind: live.kind,
      };
    },

    checksum: (trx, table, columns) => pgChecksum(trx, table, columns),

    // Partitioned tables' ctids are per partition: they go straight to the whole replace.
    canApplyDifferences: tables => tables.kind === 'r',

    applyDifferences: async (trx, { live, copy, identityAlways }, names, keys, onCompared) => {
      // Qualified with pg_temp, so no table of the same name in the search path can be meant.
      const diff = 'pg_temp.cutover_restore_diff';
      await rows(trx, 'pg', sql`SELECT set_config('work_mem', ${val(options.restoreWorkMem ?? '128MB')}, true)`);
      const differences = await exec(
        trx,
        'pg',
        sql`CREATE TEMPORARY TABLE ${ident(diff)} ON COMMIT DROP AS
            SELECT l.ctid AS lctid, s.ctid AS sctid
            FROM ${ident(live)} AS l FULL JOIN ${ident(copy)} AS s ON ${pgKeyMatch(keys, names)}
            WHERE l.ctid IS NULL OR s.ctid IS NULL
               OR ROW(${columnList(names, 'l')})::record *<> ROW(${columnList(names, 's')})::record`,
      );
      onCompared(differences);
      await exec(trx, 'pg', sql`ANALYZE ${ident(diff)}`);
      const deleted = await exec(
        trx,
        'pg',
        sql`DELETE FROM ${ident(live)} WHERE ctid = ANY (ARRAY(SELECT lctid FROM ${ident(diff)} WHERE sctid IS NULL))`,
      );
      const settable = names.filter(n => !identityAlways.has(n));
      let changed = 0;
      if (settable.length) {
        changed = await exec(
          trx,
          'pg',
          sql`UPDATE ${ident(live)} AS l SET ${join(
            settable.map(n => sql`${ident(n)} = ${ident(`s.${n}`)}`),
            ', ',
          )}
              FROM ${ident(diff)} AS d JOIN ${ident(copy)} AS s ON s.ctid = d.sctid
              WHERE l.ctid = d.lctid AND d.lctid IS NOT NULL AND d.sctid IS NOT NULL`,
        );
      }
      const inserted = await exec(
        trx,
        'pg',
        sql`INSERT INTO ${ident(live)} (${columnList(names)}) OVERRIDING SYSTEM VALUE
            SELECT ${columnList(names)} FROM ${ident(copy)}
            WHERE ctid = ANY (ARRAY(SELECT sctid FROM ${ident(diff)} WHERE lctid IS NULL))`,
      );
      await exec(trx, 'pg', sql`DROP TABLE ${ident(diff)}`);
      return { recordsRestored: changed + inserted, recordsDeleted: deleted };
    },

    refuseIfReferenced: async (trx, tables, target) => {
      const [referenced] = await rows<{ n: string }>(
        trx,
        'pg',
        sql`WITH tree AS (${pgRelationTree(tables.oid!)})
              SELECT count(*)::text AS n FROM pg_constraint
              WHERE contype = 'f' AND confrelid IN (SELECT relid FROM tree) AND conrelid NOT IN (SELECT relid FROM tree)`,
      );
      if (Number(referenced.n) > 0) throw referencedError(target);
    },

    rowValue: (names, alias) => sql`ROW(${columnList(names, alias)})::text`,
    smaller: (a, b) => sql`least(${a}, ${b})`,

    replaceContents: async (trx, { live, copy }, names) => {
      await exec(trx, 'pg', sql`DELETE FROM ${ident(live)}`);
      await exec(
        trx,
        'pg',
        sql`INSERT INTO ${ident(live)} (${columnList(names)}) OVERRIDING SYSTEM VALUE
              SELECT ${columnList(names)} FROM ${ident(copy)}`,
      );
    },

    dropCopy: async (knex, location) => {
      const table = location.schema ? `${location.schema}.${location.name}` : location.name;
      await exec(knex, 'pg', sql`DROP TABLE IF EXISTS ${ident(table)}`);
    },
  };
}
