/**
 * Introspection: what the toolkit reads of a table from the catalogs (its columns, the server's
 * facts), and lookups of relations by name.
 */
import { InputError, NotFoundError } from '@backstage/errors';
import { CutoverDatasetTarget } from '@switchyard/plugin-cutover-node';
import { Db, Dialect, rows, Run } from './dialect';
import { Fragment, sql, val } from './fragment';
import { checkCatalogName, parseTableName } from './identifiers';

/** The error for a dataset's table that is not there. */
export function tableNotFound(target: Pick<CutoverDatasetTarget, 'table' | 'dataset'>): NotFoundError {
  return new NotFoundError(`Table '${target.table}' of dataset '${target.dataset}' does not exist`);
}

/** `format('%I.%I', schema, name)`: a parsed table name as to_regclass reads it. */
export function pgQuotedName(table: { schema?: string; name: string }): Fragment {
  return table.schema
    ? sql`format('%I.%I', ${val(table.schema)}::text, ${val(table.name)}::text)`
    : sql`format('%I', ${val(table.name)}::text)`;
}

export interface Column {
  name: string;
  /** PostgreSQL: type name (base type of domains); SQLite: declared type, upper case. */
  type: string;
  notNull: boolean;
  /** PostgreSQL type modifier, -1 for none (an unconstrained numeric can hold infinities). */
  typmod?: number;
  /** PostgreSQL: the column's collation orders text by its UTF-8 bytes (its index serves ranges). */
  byteOrder?: boolean;
}


export interface TableInfo {
  dialect: Dialect;
  /** For `??`: `schema.table` or `table`. */
  qualified: string;
  columns: Column[];
  /** PostgreSQL server_version_num. */
  version?: number;
  encoding?: string;
}
export async function pgTableInfo(run: Run, target: CutoverDatasetTarget): Promise<TableInfo> {
  const table = parseTableName(target.table, 'pg');
  const name = pgQuotedName(table);
  // One statement: the relation, its columns (domains as their base type) and the server's facts.
  const found = await run<{
    schema: string;
    name: string;
    kind: string;
    version: string;
    encoding: string;
    column: string | null;
    type: string;
    notNull: boolean;
    typmod: number;
    byteOrder: boolean | null;
  }>(
    sql`SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind,
          current_setting('server_version_num') AS version, current_setting('server_encoding') AS encoding,
          a.attname AS "column", CASE WHEN t.typtype = 'd' THEN bt.typname ELSE t.typname END AS type,
          a.attnotnull AS "notNull", CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS typmod,
          CASE WHEN co.collname IN ('C', 'POSIX', 'ucs_basic') THEN true
            WHEN co.collname = 'default' THEN (
              SELECT array_agg(x ORDER BY x) = array_agg(x ORDER BY x COLLATE "C")
              FROM unnest(ARRAY['a', 'B', 'b', 'A', 'é', 'e', 'z', 'Z', 'ä', 'ß', 'ss', ' x', '-x', '_x', '0', '~',
                'Ω', '日本', 'ﬁ', 'fi', 'x y', 'xy']) x)
            ELSE false END AS "byteOrder"
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        LEFT JOIN pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
        LEFT JOIN pg_collation co ON co.oid = a.attcollation
        WHERE c.oid = to_regclass(${name})
        ORDER BY a.attnum`,
  );
  const relation = found[0];
  if (!relation) {
    throw tableNotFound(target);
  }
  if (!['r', 'p', 'v', 'm', 'f'].includes(relation.kind)) {
    throw new InputError(`'${target.table}' of dataset '${target.dataset}' is not a table or view`);
  }
  return {
    dialect: 'pg',
    qualified: `${checkCatalogName(relation.schema, 'Schema')}.${checkCatalogName(relation.name, 'Table')}`,
    columns: found
      .filter(c => c.column !== null)
      .map(c => ({
        name: checkCatalogName(c.column!, 'Column'),
        type: c.type,
        notNull: c.notNull,
        typmod: Number(c.typmod),
        byteOrder: c.byteOrder === true,
      })),
    version: Number(relation.version),
    encoding: relation.encoding,
  };
}

export async function sqliteTableInfo(run: Run, target: CutoverDatasetTarget): Promise<TableInfo> {
  const table = parseTableName(target.table, 'sqlite');
  const [found] = await run<{ name: string }>(
    sql`SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name = ${val(table.name)} COLLATE NOCASE`,
  );
  if (!found) {
    throw tableNotFound(target);
  }
  const columns = await run<{ name: string; type: string | null; notnull: number; hidden: number }>(
    sql`SELECT name, type, "notnull", hidden FROM pragma_table_xinfo(${val(found.name)})`,
  );
  return {
    dialect: 'sqlite',
    qualified: checkCatalogName(found.name, 'Table'),
    columns: columns
      .filter(c => Number(c.hidden) !== 1)
      .map(c => ({
        name: checkCatalogName(c.name, 'Column'),
        type: (c.type ?? '').toUpperCase(),
        notNull: Number(c.notnull) === 1,
      })),
  };
}

/**
 * The targets ordered so that a table referencing another (by a foreign key) comes before the table
 * it references; tables without references among them keep their order, and a cycle keeps the
 * order given for its members.
 */
export async function referencingFirst(
  trx: Db,
  dialect: Dialect,
  targets: CutoverDatasetTarget[],
): Promise<CutoverDatasetTarget[]> {
  if (targets.length < 2) return targets;
  const names = targets.map(t =>
    parseTableName(t.table, dialect).name.toLowerCase(),
  );
  const edges: Array<[referencing: string, referenced: string]> = [];
  if (dialect === 'pg') {
    const found = await rows<{ referencing: string; referenced: string }>(
      trx,
      'pg',
      sql`SELECT lower(c.conrelid::regclass::text) AS referencing, lower(c.confrelid::regclass::text) AS referenced
          FROM pg_constraint c WHERE c.contype = 'f'`,
    );
    for (const f of found) {
      const a = f.referencing.split('.').pop()!.replace(/"/g, '');
      const b = f.referenced.split('.').pop()!.replace(/"/g, '');
      if (names.includes(a) && names.includes(b) && a !== b) edges.push([a, b]);
    }
  } else {
    for (const name of names) {
      const found = await rows<{ table: string }>(
        trx,
        'sqlite',
        sql`SELECT "table" FROM pragma_foreign_key_list(${val(name)})`,
      );
      for (const f of found) {
        const b = String(f.table).toLowerCase();
        if (names.includes(b) && b !== name) edges.push([name, b]);
      }
    }
  }
  const ordered: CutoverDatasetTarget[] = [];
  const placed = new Set<number>();
  // Repeatedly place a table nothing unplaced references (a referencing table goes first).
  while (ordered.length < targets.length) {
    const next = targets.findIndex(
      (_, i) =>
        !placed.has(i) &&
        !edges.some(
          ([from, to]) => to === names[i] && !placed.has(names.indexOf(from)),
        ),
    );
    const i = next >= 0 ? next : targets.findIndex((_, j) => !placed.has(j));
    placed.add(i);
    ordered.push(targets[i]);
  }
  return ordered;
}
