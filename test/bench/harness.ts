/**
 * The benchmarks' shared harness: one way to connect to PostgreSQL (a fresh database per
 * benchmark, dropped afterwards), time steps, summarise them (median, percentiles), and print every
 * figure with the machine's load average beside it, since the machines these run on are shared.
 *
 * PostgreSQL: SWITCHYARD_BENCH_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432.
 */
import knexFactory, { Knex } from 'knex';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

/** The server the benchmarks use (its `postgres` database is used to create and drop theirs). */
export const POSTGRES_URL = process.env.SWITCHYARD_BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432';

/** The URL of database `name` on the server at `base`. */
export function databaseUrl(name: string, base = POSTGRES_URL): string {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A PostgreSQL database of the benchmark's own, created afresh; `drop()` removes it. */
export interface BenchDatabase {
  knex: Knex;
  url: string;
  drop(): Promise<void>;
}

export async function freshDatabase(name: string, pool = { min: 1, max: 6 }): Promise<BenchDatabase> {
  const admin = knexFactory({ client: 'pg', connection: databaseUrl('postgres') });
  try {
    await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
    await admin.raw('CREATE DATABASE ??', [name]);
  } finally {
    await admin.destroy();
  }
  const url = databaseUrl(name);
  const knex = knexFactory({ client: 'pg', connection: url, pool });
  return {
    knex,
    url,
    drop: async () => {
      await knex.destroy().catch(() => {});
      const again = knexFactory({ client: 'pg', connection: databaseUrl('postgres') });
      await again.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]).catch(() => {});
      await again.destroy();
    },
  };
}

/** Runs `fn`, returning its result and how long it took, in seconds. */
export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const result = await fn();
  return [result, (performance.now() - t0) / 1000];
}

/** The `p`-th percentile (0..100) of the values, by nearest rank. */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `p50 x, p95 y, max z` of durations in seconds, printed in milliseconds. */
export function percentiles(values: number[]): string {
  return `p50 ${ms(percentile(values, 50))}, p95 ${ms(percentile(values, 95))}, max ${ms(Math.max(...values))}`;
}

/** The load average, as printed beside every figure: `load 1.23/1.10/0.98 on 2 cores`. */
export function load(): string {
  const [one, five, fifteen] = os.loadavg();
  return `load ${one.toFixed(2)}/${five.toFixed(2)}/${fifteen.toFixed(2)} on ${os.cpus().length} cores`;
}

export const ms = (seconds: number) => `${(seconds * 1000).toFixed(0)} ms`;
export const n = (x: number) => x.toLocaleString('en-US');
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** The process's resident set size now, and the most it has had, in bytes. */
export function rss(): { now: number; peak: number } {
  return { now: process.memoryUsage().rss, peak: process.resourceUsage().maxRSS * 1024 };
}

/**
 * Prints one verdict line: `<label>: <figure> (target <target>) [load ...]: PASS|FAIL`, and
 * returns whether it passed.
 */
export function verdict(label: string, figure: string, target: string, pass: boolean): boolean {
  console.log(`  ${label}: ${figure} (target ${target}) [${load()}]: ${pass ? 'PASS' : 'FAIL'}`);
  return pass;
}

/** What EXPLAIN ANALYZE says of a statement: its time and the parallel workers it launched. */
export async function explain(
  knex: Knex,
  statement: string,
  bindings: readonly unknown[] = [],
): Promise<{ ms: number; workersPlanned: number; workersLaunched: number }> {
  const result = await knex.raw(`EXPLAIN (ANALYZE, FORMAT JSON) ${statement}`, bindings as Knex.RawBinding[]);
  const [top] = result.rows[0]['QUERY PLAN'];
  let planned = 0;
  let launched = 0;
  const visit = (node: Record<string, unknown>) => {
    planned += Number(node['Workers Planned'] ?? 0);
    launched += Number(node['Workers Launched'] ?? 0);
    for (const child of (node.Plans as Array<Record<string, unknown>>) ?? []) visit(child);
  };
  visit(top.Plan);
  return { ms: Number(top['Execution Time']), workersPlanned: planned, workersLaunched: launched };
}
