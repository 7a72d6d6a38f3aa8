import { InputError } from '@backstage/errors';
import type {
  GoldenQuery,
  GoldenQueryResult,
  Migration,
  RelationCheckResult,
} from '@switchyard/plugin-cutover-common';
import { Knex } from 'knex';
import { canonicalValue } from '../reconcile/canonical';

/** Orphans kept per relation as examples. */
const SAMPLE_ORPHANS = 10;
/** Rows shown per golden query that differs. */
const SAMPLE_DIFFERENCES = 5;
/** A golden query is a check, not an export: more rows than this and it fails. */
export const GOLDEN_QUERY_MAX_ROWS = 100_000;
/** Default statement timeout of a golden query. */
export const GOLDEN_QUERY_TIMEOUT_MS = 30_000;

type Dialect = 'pg' | 'sqlite';

function dialectOf(knex: Knex): Dialect {
  const driver = (knex.client as { driverName?: string }).driverName;
  const configured = knex.client.config?.client;
  const name = driver ?? (typeof configured === 'string' ? configured : '');
  if (name === 'pg' || name === 'postgres' || name === 'postgresql')
    return 'pg';
  if (name === 'better-sqlite3' || name === 'sqlite3') return 'sqlite';
  throw new InputError(
    `Integrity checks support PostgreSQL and SQLite connections, not '${name}'`,
  );
}

/** Elapsed milliseconds of a monotonic timer (a duration, not a point in time). */
function stopwatch(): () => number {
  const start = process.hrtime.bigint();
  return () => Number(process.hrtime.bigint() - start) / 1e6;
}

/** A relation to check: datasets resolved to their destination tables. */
export interface RelationSpec {
  name: string;
  origin: 'CONSTRAINT' | 'PLAN';
  dataset: string;
  table: string;
  columns: string[];
  /** The child's key columns, shown with each orphan. */
  keyColumns: string[];
  references: { dataset: string; table: string; columns: string[] };
}

const lower = (s: string) => s.toLocaleLowerCase('en-US');

/** `schema.table` or `table`, without a default schema, lower case: for matching names. */
function tableKey(table: string, dialect: Dialect): string {
  const parts = lower(table).split('.');
  if (parts.length === 2 && parts[0] === (dialect === 'pg' ? 'public' : 'main'))
    return parts[1];
  return parts.join('.');
}

/** A plan's table name quoted the way Knex's `??` quotes it, for `to_regclass`. */
function quotedName(table: string): string {
  return table
    .split('.')
    .map(p => `"${p.replace(/"/g, '""')}"`)
    .join('.');
}

/**
 * Runs work inside a read-only transaction bounded by a statement timeout. PostgreSQL cancels a
 * statement past the timeout; SQLite has none, so a statement that took longer fails afterwards.
 * On SQLite `query_only` refuses writes for the duration.
 */
async function readOnly<T>(
  knex: Knex,
  timeoutMs: number,
  work: (trx: Knex.Transaction) => Promise<T>,
): Promise<T> {
  const dialect = dialectOf(knex);
  return knex.transaction(async trx => {
    if (dialect === 'pg') {
      await trx.raw('SET TRANSACTION READ ONLY');
      await trx.raw(`SET LOCAL statement_timeout = ${Math.round(timeoutMs)}`);
      return work(trx);
    }
    await trx.raw('PRAGMA query_only = 1');
    try {
      const elapsed = stopwatch();
      const result = await work(trx);
      if (elapsed() > timeoutMs)
        throw new Error(
          `canceling statement due to statement timeout (${timeoutMs} ms; SQLite checks it afterwards)`,
        );
      return result;
    } finally {
      await trx.raw('PRAGMA query_only = 0');
    }
  });
}

function rowsOf(result: unknown, dialect: Dialect): Record<string, unknown>[] {
  if (dialect === 'pg')
    return (result as { rows: Record<string, unknown>[] }).rows;
  return result as Record<string, unknown>[];
}

/**
 * Foreign keys between the given destination tables, read from the database's catalog (PostgreSQL:
 * pg_constraint; SQLite: pragma_foreign_key_list). Only relations whose both ends are tables of the
 * plan are returned: the checks never read another table.
 */
export async function discoverRelations(
  knex: Knex,
  datasets: Array<{ name: string; table: string; keyColumns: string[] }>,
): Promise<RelationSpec[]> {
  const dialect = dialectOf(knex);
  const byKey = new Map(datasets.map(d => [tableKey(d.table, dialect), d]));
  const found: RelationSpec[] = [];
  const add = (
    name: string,
    child: (typeof datasets)[number],
    parent: (typeof datasets)[number] | undefined,
    columns: string[],
    parentColumns: string[],
  ) => {
    if (!parent || !columns.length || columns.length !== parentColumns.length)
      return;
    found.push({
      name,
      origin: 'CONSTRAINT',
      dataset: child.name,
      table: child.table,
      columns,
      keyColumns: child.keyColumns,
      references: {
        dataset: parent.name,
        table: parent.table,
        columns: parentColumns,
      },
    });
  };
  if (dialect === 'pg') {
    const names = datasets.map(d => quotedName(d.table));
    const result = await knex.raw(
      `WITH plan_tables AS (
         SELECT t.name, to_regclass(t.name) AS oid FROM unnest(?::text[]) AS t(name)
       )
       SELECT c.conname::text AS name, child.name AS child, parent.name AS parent,
         ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(num, ord)
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num ORDER BY k.ord) AS columns,
         ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(num, ord)
               JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.num ORDER BY k.ord) AS parent_columns
       FROM pg_constraint c
       JOIN plan_tables child ON child.oid = c.conrelid
       JOIN plan_tables parent ON parent.oid = c.confrelid
       WHERE c.contype = 'f'
       ORDER BY c.conname`,
      [names],
    );
    const byQuoted = new Map(datasets.map(d => [quotedName(d.table), d]));
    for (const row of rowsOf(result, dialect)) {
      add(
        String(row.name),
        byQuoted.get(String(row.child))!,
        byQuoted.get(String(row.parent)),
        row.columns as string[],
        row.parent_columns as string[],
      );
    }
    return found;
  }
  for (const d of datasets) {
    const [schema, table] = d.table.includes('.')
      ? d.table.split('.')
      : ['main', d.table];
    const rows = (await knex.raw(
      `SELECT id, seq, "table" AS parent, "from" AS col, "to" AS ref
         FROM pragma_foreign_key_list(?, ?) ORDER BY id, seq`,
      [table, schema],
    )) as Array<{
      id: number;
      parent: string;
      col: string;
      ref: string | null;
    }>;
    const groups = new Map<number, typeof rows>();
    for (const r of rows) groups.set(r.id, [...(groups.get(r.id) ?? []), r]);
    for (const group of groups.values()) {
      const parentName = group[0].parent;
      const parent = byKey.get(
        tableKey(
          schema === 'main' ? parentName : `${schema}.${parentName}`,
          dialect,
        ),
      );
      let refs = group.map(r => r.ref);
      if (parent && refs.some(r => r === null)) {
        // REFERENCES parent without columns: the parent's primary key.
        const [ps, pt] = parent.table.includes('.')
          ? parent.table.split('.')
          : ['main', parent.table];
        const pk = (await knex.raw(
          `SELECT name FROM pragma_table_info(?, ?) WHERE pk > 0 ORDER BY pk`,
          [pt, ps],
        )) as Array<{ name: string }>;
        refs = pk.map(p => p.name);
      }
      add(
        `${table}_${group.map(r => r.col).join('_')}_fkey`,
        d,
        parent,
        group.map(r => r.col),
        refs as string[],
      );
    }
  }
  return found;
}

/**
 * Checks one relation inside the destination database: how many child rows have the referencing
 * columns set, and how many of them point at no parent row (an anti-join, NOT EXISTS), with up to
 * ten orphans by key. Nothing leaves the database but the counts and the samples.
 */
export async function checkRelation(
  knex: Knex,
  spec: RelationSpec,
  timeoutMs: number,
): Promise<RelationCheckResult> {
  const elapsed = stopwatch();
  const base: RelationCheckResult = {
    name: spec.name,
    origin: spec.origin,
    dataset: spec.dataset,
    columns: spec.columns,
    references: {
      dataset: spec.references.dataset,
      columns: spec.references.columns,
    },
    status: 'FAILED',
    checked: null,
    orphans: null,
    sampleKeys: [],
    durationMs: null,
    error: null,
  };
  try {
    return await readOnly(knex, timeoutMs, async trx => {
      const children = () => {
        const q = trx({ c: spec.table });
        for (const col of spec.columns) q.whereNotNull(`c.${col}`);
        return q;
      };
      const orphans = () =>
        children().whereNotExists(function parentRow() {
          this.select(trx.raw('1')).from({ p: spec.references.table });
          spec.columns.forEach((col, i) =>
            this.where(`p.${spec.references.columns[i]}`, trx.ref(`c.${col}`)),
          );
        });
      const [checked] = await children().count({ n: '*' });
      const [missing] = await orphans().count({ n: '*' });
      const shown = [...new Set([...spec.keyColumns, ...spec.columns])];
      const samples = Number(missing.n)
        ? await orphans()
            .select(shown.map(col => `c.${col}`))
            .orderBy(shown.map(col => ({ column: `c.${col}` })))
            .limit(SAMPLE_ORPHANS)
        : [];
      return {
        ...base,
        status: 'SUCCEEDED' as const,
        checked: Number(checked.n),
        orphans: Number(missing.n),
        sampleKeys: samples.map((r: Record<string, unknown>) =>
          Object.fromEntries(
            Object.entries(r).map(([k, v]) => [
              k,
              typeof v === 'bigint' ? v.toString() : v,
            ]),
          ),
        ),
        durationMs: Math.round(elapsed()),
      };
    });
  } catch (e) {
    return {
      ...base,
      durationMs: Math.round(elapsed()),
      error: e instanceof Error ? e.message : String(e),
    };
  }
}

/** Relations declared in the plan, resolved to destination tables. */
export function declaredRelations(migration: Migration): RelationSpec[] {
  const datasets = new Map(migration.datasets.map(d => [d.name, d]));
  const specs: RelationSpec[] = [];
  for (const r of migration.integrity?.relations ?? []) {
    const child = datasets.get(r.dataset);
    const parent = datasets.get(r.references.dataset);
    if (!child?.destinationTable || !parent?.destinationTable) {
      throw new InputError(
        `Relation ${r.name ?? r.dataset}: datasets ${r.dataset} and ${
          r.references.dataset
        } need destination tables in the plan`,
      );
    }
    specs.push({
      name:
        r.name ??
        `${r.dataset}(${r.columns.join(',')}) -> ${r.references.dataset}`,
      origin: 'PLAN',
      dataset: r.dataset,
      table: child.destinationTable,
      columns: r.columns,
      keyColumns: child.keyColumns.map(k => child.columnMap?.[k] ?? k),
      references: {
        dataset: r.references.dataset,
        table: parent.destinationTable,
        columns: r.references.columns,
      },
    });
  }
  return specs;
}

// ---------------------------------------------------------------------------------------------
// Golden queries

/** SQL without comments and string literals, for looking at its shape. */
function codeOf(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'/g, "''");
}

/** Whether the result's order is part of its meaning: the query ends with ORDER BY (outside parentheses). */
export function isOrdered(sql: string): boolean {
  const code = codeOf(sql);
  let depth = 0;
  let outer = '';
  for (const c of code) {
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0) outer += c;
  }
  return /\border\s+by\b/i.test(outer);
}

/**
 * The tables a query reads, as the database plans it: PostgreSQL's EXPLAIN names every relation
 * scanned (views are expanded); SQLite's bytecode opens each table or index by its root page.
 * A query reading a virtual table (SQLite) is refused.
 */
async function tablesRead(
  trx: Knex.Transaction,
  dialect: Dialect,
  sql: string,
): Promise<string[]> {
  if (dialect === 'pg') {
    const result = await trx.raw(`EXPLAIN (VERBOSE, FORMAT JSON) ${sql}`);
    const plan = rowsOf(result, dialect)[0]['QUERY PLAN'];
    const doc = typeof plan === 'string' ? JSON.parse(plan) : plan;
    const found = new Set<string>();
    const walk = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        const n = node as Record<string, unknown>;
        if (typeof n['Relation Name'] === 'string')
          found.add(
            tableKey(`${n.Schema ?? 'public'}.${n['Relation Name']}`, dialect),
          );
        Object.values(n).forEach(walk);
      }
    };
    walk(doc);
    return [...found];
  }
  const program = (await trx.raw(`EXPLAIN ${sql}`)) as Array<{
    opcode: string;
    p2: number;
    p3: number;
  }>;
  if (program.some(op => op.opcode === 'VOpen'))
    throw new InputError('reads a virtual table');
  const pages = new Set(
    program
      .filter(op => op.opcode === 'OpenRead' || op.opcode === 'ReopenIdx')
      .map(op => `${op.p3}:${op.p2}`),
  );
  if (!pages.size) return [];
  const schema = (await trx.raw(
    `SELECT tbl_name, rootpage FROM sqlite_master WHERE rootpage > 0`,
  )) as Array<{ tbl_name: string; rootpage: number }>;
  const found = new Set<string>();
  for (const page of pages) {
    const [db, root] = page.split(':').map(Number);
    const entry =
      db === 0 ? schema.find(s => Number(s.rootpage) === root) : undefined;
    // Attached or temporary databases are never a plan's table.
    found.add(
      entry
        ? tableKey(entry.tbl_name, dialect)
        : `<database ${db} page ${root}>`,
    );
  }
  return [...found];
}

/** One side's answer to a golden query. */
export interface GoldenSide {
  rows: unknown[][];
  columns: string[];
  /** Best of the timed executions, in milliseconds. */
  ms: number;
}

/**
 * Runs a golden query on one side: refused unless every table it reads is one of `allowedTables`
 * (the plan's tables on that side), then executed `repeats` times in a read-only transaction with
 * a statement timeout; the fastest execution is its time.
 */
export async function runGoldenQuery(
  knex: Knex,
  sql: string,
  options: { timeoutMs: number; allowedTables: string[]; repeats?: number },
): Promise<GoldenSide> {
  const dialect = dialectOf(knex);
  const statement = sql.trim().replace(/;\s*$/, '');
  const allowed = new Set(options.allowedTables.map(t => tableKey(t, dialect)));
  return readOnly(knex, options.timeoutMs, async trx => {
    const read = await tablesRead(trx, dialect, statement);
    const outside = read.filter(t => !allowed.has(t));
    if (outside.length)
      throw new InputError(
        `reads ${outside.join(', ')}, which ${
          outside.length === 1 ? 'is' : 'are'
        } not a table of the plan's datasets on this side`,
      );
    let best = Infinity;
    let rows: unknown[][] = [];
    let columns: string[] = [];
    for (let i = 0; i < Math.max(1, options.repeats ?? 3); i++) {
      const elapsed = stopwatch();
      const result = await trx.raw(statement);
      const ms = elapsed();
      best = Math.min(best, ms);
      if (i > 0) continue;
      const objects = rowsOf(result, dialect);
      if (objects.length > GOLDEN_QUERY_MAX_ROWS)
        throw new InputError(
          `returns more than ${GOLDEN_QUERY_MAX_ROWS} rows; a golden query should aggregate`,
        );
      const fields =
        dialect === 'pg'
          ? (result as { fields: Array<{ name: string }> }).fields.map(
              f => f.name,
            )
          : Object.keys(objects[0] ?? {});
      columns = objects.length ? Object.keys(objects[0]) : fields;
      if (new Set(fields).size !== fields.length)
        throw new InputError(
          'has two result columns of the same name; give each an alias',
        );
      const names = columns;
      rows = objects.map(o => names.map(c => o[c]));
    }
    return { rows, columns, ms: Math.round(best * 1000) / 1000 };
  });
}

const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** Canonical form of a column from the values both sides returned in it. */
function columnCode(values: unknown[]): string {
  const present = values.filter(v => v !== null && v !== undefined);
  if (!present.length) return 't';
  if (present.some(v => v instanceof Date)) return 'ts';
  if (present.some(v => typeof v === 'boolean')) return 'b';
  if (present.some(v => v instanceof Uint8Array)) return 'x';
  const numeric = present.every(
    v =>
      typeof v === 'number' ||
      typeof v === 'bigint' ||
      (typeof v === 'string' && DECIMAL.test(v)),
  );
  if (numeric && present.some(v => typeof v !== 'string')) {
    // Exact unless a side computed a fraction in floating point.
    return present.some(v => typeof v === 'number' && !Number.isInteger(v))
      ? 'f15'
      : 'n';
  }
  if (numeric) return 'n';
  return 't';
}

function canonicalCell(code: string, v: unknown): string | null {
  if (v instanceof Date) return canonicalValue(code, v.toISOString());
  if (typeof v === 'boolean') return canonicalValue(code, v ? 1 : 0);
  return canonicalValue(code, v);
}

/**
 * Compares the two sides' results in canonical form, with the reconciler's canonical value
 * functions: numbers exact (15 significant digits when a side computed in floating point),
 * timestamps as UTC instants, booleans as true/false. Columns are matched by position; rows as a
 * multiset unless the query orders them.
 */
export function compareGolden(
  query: GoldenQuery,
  source: GoldenSide,
  destination: GoldenSide,
): Pick<GoldenQueryResult, 'status' | 'differences' | 'ordered' | 'error'> {
  const ordered = isOrdered(query.destinationSql ?? query.sql);
  const width = Math.max(
    source.rows[0]?.length ?? source.columns.length,
    destination.rows[0]?.length ?? destination.columns.length,
  );
  if (source.columns.length !== destination.columns.length) {
    return {
      status: 'DIFFERENT',
      ordered,
      differences: [],
      error: `the source returns ${source.columns.length} columns, the destination ${destination.columns.length}`,
    };
  }
  const codes = Array.from({ length: width }, (_, i) =>
    columnCode([
      ...source.rows.map(r => r[i]),
      ...destination.rows.map(r => r[i]),
    ]),
  );
  const text = (rows: unknown[][]) =>
    rows.map(r => r.map((v, i) => canonicalCell(codes[i], v)) as string[]);
  const a = text(source.rows);
  const b = text(destination.rows);
  const differences: GoldenQueryResult['differences'] = [];
  if (ordered) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (JSON.stringify(a[i]) === JSON.stringify(b[i])) continue;
      if (differences.length >= SAMPLE_DIFFERENCES) break;
      if (a[i]) differences.push({ side: 'source', row: a[i] });
      if (b[i] && differences.length < SAMPLE_DIFFERENCES)
        differences.push({ side: 'destination', row: b[i] });
    }
  } else {
    const counts = new Map<string, number>();
    for (const r of a) {
      const k = JSON.stringify(r);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    for (const r of b) {
      const k = JSON.stringify(r);
      counts.set(k, (counts.get(k) ?? 0) - 1);
    }
    for (const [k, n] of counts) {
      if (n === 0) continue;
      if (differences.length >= SAMPLE_DIFFERENCES) break;
      differences.push({
        side: n > 0 ? 'source' : 'destination',
        row: JSON.parse(k),
      });
    }
  }
  const equal =
    a.length === b.length &&
    (ordered
      ? a.every((r, i) => JSON.stringify(r) === JSON.stringify(b[i]))
      : differences.length === 0);
  return {
    status: equal ? 'EQUAL' : 'DIFFERENT',
    ordered,
    differences: equal ? [] : differences,
    error: null,
  };
}
