/**
 * One side of a comparison: its read-only session and the SQL it is asked (aggregate, row hash,
 * key text and order, bounds) in its dialect.
 */
import { Knex } from 'knex';
import { Dialect, PG_TEXT_OUTPUT_SETTINGS, rows } from '../sql/dialect';
import { pgCursor, RowStream, sqliteIterator } from '../sql/stream';
import { Fragment, ident, join, sql, val } from '../sql/fragment';
import { sqliteTransactionConnection } from '../sql/sqliteFunctions';
import { KnexReconcilerStats } from './options';
import { Plan } from './plan';
import { pgCanonical, pgNativeChain, pgTextStep } from './pgSql';
import { prepareSqliteReconciliation, SqliteHashing } from './sqliteFunctions';
import { TableInfo } from '../sql/introspection';

export interface Side {
  role: 'source' | 'destination';
  dialect: Dialect;
  session: Session;
  table: Fragment;
  /** `count(*) AS n, <checksum> AS s` */
  aggregate: Fragment;
  /** Row hash as decimal text. */
  rowHash: Fragment;
  /** Canonical text of each key column. */
  keyText: Fragment[];
  /** Ordering expression of each key column (with its collation). */
  keyOrder: Fragment[];
  /** Raw key columns. */
  keyColumns: Fragment[];
  keyNullable: boolean[];
  /** Rows with a NULL key part, if the side can have any. */
  special?: Fragment;
  /** A key bound (canonical text) as a value of key column `i`. */
  bind(i: number, value: string): Fragment;
  /** Integer first key: bound as an integer. */
  bindInt(value: bigint): Fragment;
  /** Runs a whole-table GROUP BY pass with settings that favour parallel hash aggregation. */
  groupPass<T>(fragment: Fragment): Promise<T[]>;
  /** Runs `work` (which streams a whole-table GROUP BY) under the settings of groupPass. */
  grouping<T>(work: () => Promise<T>): Promise<T>;
}

/**
 * PostgreSQL plans a GROUP BY on a computed bucket expecting as many groups as rows, and so sorts
 * the whole table; with sorting discouraged and gathering rows made free it aggregates in parallel
 * workers with small hash tables instead (about twice as fast on a 1M-row table). The settings are
 * put back afterwards.
 */
export function pgGroupPass<T>(session: Session, fragment: Fragment): Promise<T[]> {
  return pgGrouping(session, () => session.rows<T>(fragment));
}

/** Runs `work` under pgGroupPass's settings. */
export async function pgGrouping<T>(session: Session, work: () => Promise<T>): Promise<T> {
  const [previous] = await session.rows<{ sort: string; tuple: string }>(
    sql`SELECT current_setting('enable_sort') AS sort, current_setting('parallel_tuple_cost') AS tuple,
          set_config('enable_sort', 'off', true), set_config('parallel_tuple_cost', '0', true)`,
  );
  try {
    return await work();
  } finally {
    await session.rows(
      sql`SELECT set_config('enable_sort', ${val(previous.sort)}, true), set_config('parallel_tuple_cost', ${val(previous.tuple)}, true)`,
    );
  }
}

export function buildSide(role: 'source' | 'destination', info: TableInfo, plan: Plan, session: Session): Side {
  const columns = plan.pairs.map(p => (role === 'source' ? p.src : p.dst));
  const colRefs = columns.map(c => ident(c.name));
  const keyPairs = plan.pairs.slice(0, plan.keyCount);
  const keyColumns = colRefs.slice(0, plan.keyCount);
  const keyNullable = columns.slice(0, plan.keyCount).map(c => !c.notNull);
  const special = keyNullable.some(Boolean)
    ? join(
        keyColumns.filter((_, i) => keyNullable[i]).map(c => sql`${c} IS NULL`),
        ' OR ',
      )
    : undefined;
  if (info.dialect === 'pg') {
    let chain: Fragment;
    if (plan.scheme === 'native') {
      chain = pgNativeChain(plan, columns, colRefs);
    } else {
      chain = sql`0::int8`;
      columns.forEach((column, i) => {
        chain = pgTextStep(colRefs[i], column, plan.pairs[i].code, chain);
      });
    }
    const keyText = keyPairs.map((p, i) => pgCanonical(keyColumns[i], columns[i].type, p.code, columns[i].typmod));
    const keyOrder = keyPairs.map((p, i) => {
      // A column already in byte order is compared as it is, so that its index serves ranges.
      if (p.order === 'int' || (p.order === 'text' && columns[i].byteOrder)) return keyColumns[i];
      if (p.order === 'text') return sql`${keyColumns[i]} COLLATE "C"`;
      return sql`(${keyText[i]}) COLLATE "C"`;
    });
    return {
      role,
      dialect: 'pg',
      session,
      table: ident(info.qualified),
      aggregate: sql`count(*)::text AS n, coalesce(sum(${chain}), 0)::text AS s`,
      rowHash: sql`(${chain})::text`,
      keyText,
      keyOrder,
      keyColumns,
      keyNullable,
      special,
      bind: (i, value) => (keyPairs[i].order === 'int' ? sql`CAST(${val(value)} AS bigint)` : val(value)),
      bindInt: value => sql`CAST(${val(value.toString())} AS bigint)`,
      groupPass: <T>(fragment: Fragment) => pgGroupPass<T>(session, fragment),
      grouping: <T>(work: () => Promise<T>) => pgGrouping(session, work),
    };
  }
  const spec = val(plan.pairs.map(p => p.code).join(','));
  const all = join(colRefs, ', ');
  const keyText = keyPairs.map((p, i) => sql`cutover_recon_canon(${val(p.code)}, ${keyColumns[i]})`);
  const keyOrder = keyPairs.map((p, i) => {
    if (p.order === 'int') return keyColumns[i];
    if (p.order === 'text') return sql`${keyColumns[i]} COLLATE BINARY`;
    return sql`${keyText[i]} COLLATE BINARY`;
  });
  // The extension hashes in C and leaves the values it does not handle to the JavaScript function.
  const native = session.sqliteHashing === 'native';
  const nativeHash = sql`coalesce(cutover_recon_hash_n(${spec}, ${all}), cutover_recon_hash(${spec}, ${all}))`;
  // better-sqlite3 binds JavaScript numbers as REAL; BigInt binds as INTEGER.
  const asInteger = (value: string): unknown => BigInt(value);
  return {
    role,
    dialect: 'sqlite',
    session,
    table: ident(info.qualified),
    aggregate: native
      ? sql`count(*) AS n, cutover_recon_isum(${nativeHash}) AS s`
      : sql`count(*) AS n, cutover_recon_sum(${spec}, ${all}) AS s`,
    rowHash: native ? sql`CAST(${nativeHash} AS TEXT)` : sql`cutover_recon_hash(${spec}, ${all})`,
    keyText,
    keyOrder,
    keyColumns,
    keyNullable,
    special,
    bind: (i, value) => (keyPairs[i].order === 'int' && /^-?\d+$/.test(value) ? val(asInteger(value)) : val(value)),
    bindInt: value => val(asInteger(value.toString())),
    groupPass: <T>(fragment: Fragment) => session.rows<T>(fragment),
    grouping: <T>(work: () => Promise<T>) => work(),
  };
}

// ---------------------------------------------------------------------------------------------
// Sessions: one read-only transaction per side (shared by both sides on one SQLite instance)

export interface Session {
  /** SQLite: how this session's connection hashes rows. */
  sqliteHashing?: SqliteHashing;
  rows<T>(fragment: Fragment): Promise<T[]>;
  /**
   * Reads a statement's rows in batches of at most `batchRows` (PostgreSQL: a cursor of the
   * session's transaction; SQLite: the statement's row iterator), never all at once.
   */
  stream<T>(fragment: Fragment, batchRows: number): RowStream<T>;
  close(): Promise<void>;
}

/** Session settings pinned on PostgreSQL for the comparison's transaction. */
export function pgSettings(workMem: string): ReadonlyArray<readonly [string, string]> {
  return [
    ...PG_TEXT_OUTPUT_SETTINGS,
    ['jit', 'off'],
    ['work_mem', workMem],
  ];
}

export async function openSession(
  knex: Knex,
  dialect: Dialect,
  stats: KnexReconcilerStats,
  options: { workMem: string; nativeSqlite: boolean },
): Promise<Session> {
  const trx =
    dialect === 'pg'
      ? await knex.transaction({ isolationLevel: 'repeatable read', readOnly: true })
      : await knex.transaction();
  let sqliteHashing: SqliteHashing | undefined;
  try {
    if (dialect === 'pg') {
      const calls = pgSettings(options.workMem).map(([name, value]) => sql`set_config(${val(name)}, ${val(value)}, true)`);
      await rows(trx, 'pg', sql`SELECT ${join(calls, ', ')}`);
    } else {
      sqliteHashing = prepareSqliteReconciliation(await sqliteTransactionConnection(trx), { native: options.nativeSqlite });
      // Both SQLite sides of one run say the same (one process, one extension); JavaScript wins a tie.
      stats.sqliteHashing = stats.sqliteHashing === 'javascript' ? 'javascript' : sqliteHashing;
    }
  } catch (error) {
    await trx.rollback().catch(() => {});
    throw error;
  }
  let cursors = 0;
  return {
    sqliteHashing,
    stream: <T>(fragment: Fragment, batchRows: number): RowStream<T> => {
      stats.queries += 1;
      return dialect === 'pg'
        ? pgCursor<T>(trx, `cutover_leaf_${++cursors}`, fragment, batchRows)
        : sqliteIterator<T>(trx, fragment, batchRows);
    },
    rows: async <T>(fragment: Fragment) => {
      stats.queries += 1;
      const result = await rows<T>(trx, dialect, fragment);
      stats.rowsFetched += result.length;
      return result;
    },
    close: async () => {
      if (!trx.isCompleted()) await trx.commit();
    },
  };
}
