import { InputError } from '@backstage/errors';
import { Knex } from 'knex';

/** One table of a schema, as a plan draft needs it. */
export interface CatalogTable {
  /** Name without schema, as the database spells it. */
  name: string;
  columns: string[];
  /** Primary key columns in key order; empty: the table has none. */
  primaryKey: string[];
  /** Foreign keys to tables of the same schema. */
  foreignKeys: Array<{
    columns: string[];
    references: string;
    referencedColumns: string[];
  }>;
  /** Row count: exact, estimated from the planner's statistics, or unknown (null). */
  rows: number | null;
  rowsAre: 'exact' | 'estimate' | 'unknown';
}

/** Tables up to this many pages (8 kB each, 10 MB) are counted exactly when statistics are missing. */
const EXACT_COUNT_MAX_PAGES = 1280;

function isPg(knex: Knex): boolean {
  const client = (knex.client.config as { client?: unknown }).client;
  return client === 'pg' || client === 'postgres' || client === 'postgresql';
}

/**
 * Reads every table of one schema with its columns, primary key, foreign keys and row count, in a
 * fixed number of catalog queries on PostgreSQL (three, plus exact counts of small tables the
 * planner has no statistics for), so that a schema of a thousand tables is read in well under a
 * second. SQLite has only `main`, and no statistics: its tables are counted exactly.
 */
export async function readSchemaCatalog(
  knex: Knex,
  schema?: string,
): Promise<CatalogTable[]> {
  return isPg(knex)
    ? readPg(knex, schema ?? 'public')
    : readSqlite(knex, schema);
}

async function readPg(knex: Knex, schema: string): Promise<CatalogTable[]> {
  const rowsOf = <T>(r: { rows: T[] }) => r.rows;
  const tables = rowsOf<{
    oid: number;
    name: string;
    reltuples: number;
    relpages: number;
  }>(
    await knex.raw(
      `SELECT c.oid::int8 AS oid, c.relname AS name, c.reltuples::float8 AS reltuples, c.relpages::int8 AS relpages
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ? AND c.relkind IN ('r', 'p') AND NOT c.relispartition
        ORDER BY c.relname`,
      [schema],
    ),
  );
  if (tables.length === 0) {
    const exists = rowsOf<{ found: boolean }>(
      await knex.raw(
        'SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = ?) AS found',
        [schema],
      ),
    )[0];
    if (!exists?.found)
      throw new InputError(
        `Invalid request: schema: "${schema}" does not exist`,
      );
    return [];
  }
  const columns = rowsOf<{ oid: number; name: string }>(
    await knex.raw(
      `SELECT a.attrelid::int8 AS oid, a.attname AS name
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ? AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attrelid, a.attnum`,
      [schema],
    ),
  );
  const constraints = rowsOf<{
    oid: number;
    kind: 'p' | 'f';
    columns: string[];
    references: string | null;
    referencedColumns: string[] | null;
    sameSchema: boolean | null;
  }>(
    await knex.raw(
      `SELECT con.conrelid::int8 AS oid, con.contype AS kind,
              ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
              rc.relname AS "references",
              CASE WHEN con.contype = 'f' THEN ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) END AS "referencedColumns",
              rn.nspname = n.nspname AS "sameSchema"
         FROM pg_constraint con
         JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_class rc ON rc.oid = con.confrelid LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
        WHERE n.nspname = ? AND con.contype IN ('p', 'f')
        ORDER BY con.conrelid, con.conname`,
      [schema],
    ),
  );
  const byOid = new Map<number, CatalogTable>();
  for (const t of tables) {
    const estimate = Number(t.reltuples);
    // reltuples is -1 (PostgreSQL 14+) or 0 with no pages before the first ANALYZE / VACUUM.
    const known = estimate > 0 || (estimate === 0 && Number(t.relpages) > 0);
    byOid.set(Number(t.oid), {
      name: t.name,
      columns: [],
      primaryKey: [],
      foreignKeys: [],
      rows: known ? Math.round(estimate) : null,
      rowsAre: known ? 'estimate' : 'unknown',
    });
  }
  for (const c of columns) byOid.get(Number(c.oid))?.columns.push(c.name);
  for (const c of constraints) {
    const table = byOid.get(Number(c.oid));
    if (!table) continue;
    if (c.kind === 'p') table.primaryKey = c.columns;
    else if (c.sameSchema && c.references && c.referencedColumns) {
      table.foreignKeys.push({
        columns: c.columns,
        references: c.references,
        referencedColumns: c.referencedColumns,
      });
    }
  }
  const small = tables.filter(t => {
    const table = byOid.get(Number(t.oid))!;
    return (
      table.rowsAre === 'unknown' && Number(t.relpages) <= EXACT_COUNT_MAX_PAGES
    );
  });
  for (let i = 0; i < small.length; i += 200) {
    const chunk = small.slice(i, i + 200);
    const union = chunk
      .map(
        () => `SELECT ?::int8 AS oid, (SELECT count(*) FROM ??.??)::int8 AS n`,
      )
      .join(' UNION ALL ');
    const bindings = chunk.flatMap(t => [Number(t.oid), schema, t.name]);
    for (const r of rowsOf<{ oid: number; n: number }>(
      await knex.raw(union, bindings),
    )) {
      const table = byOid.get(Number(r.oid))!;
      table.rows = Number(r.n);
      table.rowsAre = 'exact';
    }
  }
  return [...byOid.values()];
}

async function readSqlite(
  knex: Knex,
  schema?: string,
): Promise<CatalogTable[]> {
  if (schema && schema.toLowerCase() !== 'main') {
    throw new InputError(
      `Invalid request: schema: SQLite databases have only "main", not "${schema}"`,
    );
  }
  const names = (
    (await knex.raw(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`,
    )) as Array<{ name: string }>
  ).map(r => r.name);
  const tables: CatalogTable[] = [];
  for (const name of names) {
    const info = (await knex.raw(
      'SELECT name, pk FROM pragma_table_info(?) ORDER BY cid',
      [name],
    )) as Array<{
      name: string;
      pk: number;
    }>;
    const fks = (await knex.raw(
      'SELECT id, seq, "table" AS ref, "from" AS col, "to" AS refcol FROM pragma_foreign_key_list(?) ORDER BY id, seq',
      [name],
    )) as Array<{
      id: number;
      ref: string;
      col: string;
      refcol: string | null;
    }>;
    const foreignKeys = new Map<number, CatalogTable['foreignKeys'][number]>();
    for (const fk of fks) {
      const entry = foreignKeys.get(fk.id) ?? {
        columns: [],
        references: fk.ref,
        referencedColumns: [],
      };
      entry.columns.push(fk.col);
      if (fk.refcol) entry.referencedColumns.push(fk.refcol);
      foreignKeys.set(fk.id, entry);
    }
    const [{ n }] = (await knex.raw('SELECT count(*) AS n FROM ??', [
      name,
    ])) as Array<{ n: number }>;
    tables.push({
      name,
      columns: info.map(c => c.name),
      primaryKey: info
        .filter(c => Number(c.pk) > 0)
        .sort((a, b) => a.pk - b.pk)
        .map(c => c.name),
      foreignKeys: [...foreignKeys.values()],
      rows: Number(n),
      rowsAre: 'exact',
    });
  }
  // A foreign key that names no columns on the other side references that table's primary key.
  const byName = new Map(tables.map(t => [t.name.toLowerCase(), t]));
  for (const t of tables) {
    for (const fk of t.foreignKeys) {
      if (fk.referencedColumns.length === 0)
        fk.referencedColumns =
          byName.get(fk.references.toLowerCase())?.primaryKey ?? [];
    }
  }
  return tables;
}
