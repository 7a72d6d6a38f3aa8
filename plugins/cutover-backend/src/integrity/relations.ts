// Referential integrity in the destination: relations discovered or declared, each checked by an anti-join.
import { InputError } from '@backstage/errors';
import type {
  Migration,
  RelationCheckResult,
} from '@switchyard/plugin-cutover-common';
import type { Knex } from 'knex';
import {
  dialectOf,
  quotedName,
  readOnly,
  rowsOf,
  stopwatch,
  tableKey,
} from './sqlAccess';

/** Orphans kept per relation as examples. */
const SAMPLE_ORPHANS = 10;

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
