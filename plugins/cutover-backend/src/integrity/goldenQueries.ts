// Golden queries: the same read-only query on both sides, compared row by row (ordered or as a multiset).
import { InputError } from '@backstage/errors';
import type {
  GoldenQuery,
  GoldenQueryResult,
} from '@switchyard/plugin-cutover-common';
import type { Knex } from 'knex';
import { canonicalValue } from '../reconcile/canonical';
import {
  type Dialect,
  dialectOf,
  readOnly,
  rowsOf,
  stopwatch,
  tableKey,
} from './sqlAccess';

/** Rows shown per golden query that differs. */
const SAMPLE_DIFFERENCES = 5;
/** A golden query is a check, not an export: more rows than this and it fails. */
export const GOLDEN_QUERY_MAX_ROWS = 100_000;
/** Default statement timeout of a golden query. */
export const GOLDEN_QUERY_TIMEOUT_MS = 30_000;

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
