/**
 * Reconciliation benchmark on PostgreSQL (issue: source/destination reconciliation).
 *
 * On a fresh database, for two table shapes, two equal 1,000,000-row tables are created and
 *   (a) the knex reconciler is timed on the equal tables, beside `select count(*)` on both tables
 *       (one after the other: the cheapest check anyone would run), BENCH_ROUNDS times (default
 *       5), alternating, medians compared: target reconcile <= 3x count(*);
 *   (b) 100 differences are planted (40 changed rows, of every column kind, 30 deleted, 30
 *       inserted, including the first and the last key), the reconciler is timed again and must
 *       find exactly those.
 * Shapes: `orders`, the table of the snapshot benchmark (bigint key, text, numeric(12,2),
 * timestamptz, nullable text, text), which decides PASS/FAIL; and `wide`, the same plus double
 * precision, boolean and date (9 columns), reported beside it: the reconciler hashes every column
 * while count(*) reads none, so the ratio grows with the number of columns.
 * Prints the times, the ratios, rows compared per second, and PASS/FAIL.
 *
 * Run: ./test/bench/run.sh reconcile   (PostgreSQL at SWITCHYARD_BENCH_POSTGRES_URL, default
 * postgresql://postgres@127.0.0.1:5432; BENCH_ROWS to change the table size)
 */
import knexFactory, { Knex } from 'knex';
import { performance } from 'node:perf_hooks';
import { KnexReconciler, KnexReconcilerStats } from '../../plugins/cutover-backend/src/reconcile/KnexReconciler';
import { CutoverConnections } from '../../plugins/cutover-backend/src/snapshots/connections';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DATABASE = 'switchyard_bench_reconcile';
const TARGET_RATIO = 3;

interface Shape {
  name: string;
  description: string;
  /** Column definitions after `id bigint PRIMARY KEY`. */
  columns: string;
  /** Values after `g` in `SELECT g, ... FROM generate_series(1, n) g`. */
  values: string;
  /** Updates planting differences of every column kind, in turn. */
  updates: string[];
  /** Values of an inserted row after its id. */
  inserted: string;
  decides: boolean;
}

const SHAPES: Shape[] = [
  {
    name: 'orders',
    description: 'bigint key, text, numeric(12,2), timestamptz, nullable text, text (the snapshot benchmark table)',
    columns: `customer text NOT NULL, amount numeric(12, 2), created_at timestamptz NOT NULL, note text,
      status text NOT NULL`,
    values: `'customer ' || (g % 5000), (g % 100000) / 100.0, timestamptz '2024-01-01' + g * interval '1 minute',
      CASE WHEN g % 7 = 0 THEN NULL ELSE 'note ' || g END, (ARRAY['new', 'paid', 'shipped'])[1 + g % 3]`,
    updates: [
      `amount = amount + 0.01`,
      `note = CASE WHEN note IS NULL THEN '' ELSE NULL END`,
      `created_at = created_at + interval '1 second'`,
      `amount = -amount`,
      `status = 'changed'`,
    ],
    inserted: `'late', 1, now(), NULL, 'new'`,
    decides: true,
  },
  {
    name: 'wide',
    description: 'the same plus double precision, boolean and date, with NULLs (9 columns)',
    columns: `customer text NOT NULL, amount numeric(12, 2), ratio double precision, active boolean,
      created_on date, created_at timestamptz NOT NULL, note text, status text NOT NULL`,
    values: `'customer ' || (g % 5000), CASE WHEN g % 11 = 0 THEN NULL ELSE (g % 100000) / 100.0 END, g / 7.0,
      CASE WHEN g % 13 = 0 THEN NULL ELSE g % 3 = 0 END, date '2000-01-01' + (g % 9000)::int,
      timestamptz '2024-01-01' + g * interval '1 minute', CASE WHEN g % 7 = 0 THEN NULL ELSE 'note ' || g END,
      (ARRAY['new', 'paid', 'shipped'])[1 + g % 3]`,
    updates: [
      `amount = coalesce(amount, 0) + 0.01`,
      `note = CASE WHEN note IS NULL THEN '' ELSE NULL END`,
      `active = NOT coalesce(active, false)`,
      `created_at = created_at + interval '1 second'`,
      `ratio = ratio * -1`,
      `created_on = created_on + 1`,
    ],
    inserted: `'late', 1, 1, true, date '2030-01-01', now(), NULL, 'new'`,
    decides: false,
  },
];

function databaseUrl(base: string, name: string) {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

async function freshDatabase(base: string, name: string): Promise<Knex> {
  const admin = knexFactory({ client: 'pg', connection: databaseUrl(base, 'postgres') });
  await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
  await admin.raw('CREATE DATABASE ??', [name]);
  await admin.destroy();
  return knexFactory({ client: 'pg', connection: databaseUrl(base, name), pool: { min: 2, max: 6 } });
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const result = await fn();
  return [result, (performance.now() - t0) / 1000];
}

function median(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const ms = (seconds: number) => `${(seconds * 1000).toFixed(0)} ms`;
const n = (x: number) => x.toLocaleString('en-US');

// The shapes' SQL is this file's own text (no input): it is passed as raw SQL, values as bindings.
async function load(knex: Knex, shape: Shape, source: string, destination: string) {
  await knex.raw(`CREATE TABLE ?? (id bigint PRIMARY KEY, ${shape.columns})`, [source]);
  await knex.raw(`INSERT INTO ?? SELECT g, ${shape.values} FROM generate_series(1, ?::bigint) g`, [source, ROWS]);
  await knex.raw('CREATE TABLE ?? (LIKE ?? INCLUDING ALL)', [destination, source]);
  await knex.raw('INSERT INTO ?? SELECT * FROM ??', [destination, source]);
  await knex.raw('VACUUM ANALYZE ??', [source]);
  await knex.raw('VACUUM ANALYZE ??', [destination]);
}

/** 40 changed rows, 30 deleted, 30 inserted; returns the expected figures. */
async function plantDifferences(knex: Knex, shape: Shape, destination: string) {
  const step = Math.floor(ROWS / 40);
  const changed = Array.from({ length: 40 }, (_, i) => (i === 0 ? 1 : i * step + 17));
  changed[39] = ROWS; // the last key
  const deleted = Array.from({ length: 30 }, (_, i) => i * step + 29);
  const inserted = Array.from({ length: 30 }, (_, i) => ROWS + 1 + i * 3);
  for (const [i, id] of changed.entries()) {
    await knex.raw(`UPDATE ?? SET ${shape.updates[i % shape.updates.length]} WHERE id = ?`, [destination, id]);
  }
  await knex.raw('DELETE FROM ?? WHERE id = ANY(?::bigint[])', [destination, deleted]);
  await knex.raw(`INSERT INTO ?? SELECT g, ${shape.inserted} FROM unnest(?::bigint[]) g`, [destination, inserted]);
  await knex.raw('VACUUM ANALYZE ??', [destination]);
  return { mismatched: changed.length, missingInDestination: deleted.length, missingInSource: inserted.length };
}

async function benchShape(knex: Knex, shape: Shape) {
  const sourceTable = `${shape.name}_source`;
  const destinationTable = `${shape.name}_destination`;
  const [, loadTime] = await timed(() => load(knex, shape, sourceTable, destinationTable));
  console.log(`\n${shape.name}: ${shape.description}`);
  console.log(`tables ${sourceTable}, ${destinationTable}: ${n(ROWS)} rows each, loaded in ${ms(loadTime)}`);

  const connections = new CutoverConnections({ source: knex, destination: knex });
  let lastStats: KnexReconcilerStats | undefined;
  const reconciler = new KnexReconciler(connections, { onStats: s => (lastStats = s) });
  const source = { migrationId: 'bench', dataset: shape.name, connection: 'source', table: sourceTable, keyColumns: ['id'] };
  const destination = { ...source, connection: 'destination', table: destinationTable };
  const countBoth = async () => {
    const a = await knex.raw('SELECT count(*) AS n FROM ??', [sourceTable]);
    const b = await knex.raw('SELECT count(*) AS n FROM ??', [destinationTable]);
    return Number(a.rows[0].n) + Number(b.rows[0].n);
  };

  // Warm-up (page cache, connections), not measured.
  await countBoth();
  await reconciler.reconcile(source, destination, () => {});

  const counts: number[] = [];
  const equalRuns: number[] = [];
  let ok = true;
  for (let round = 1; round <= ROUNDS; round++) {
    const [total, countTime] = await timed(countBoth);
    const [figures, reconcileTime] = await timed(() => reconciler.reconcile(source, destination, () => {}));
    counts.push(countTime);
    equalRuns.push(reconcileTime);
    const exact = total === 2 * ROWS && figures.driftRatio === 0 && figures.sourceCount === ROWS;
    ok = ok && exact;
    console.log(
      `  round ${round}: count(*) x2 ${ms(countTime)}, reconcile (equal) ${ms(reconcileTime)} = ${(reconcileTime / countTime).toFixed(2)}x` +
        ` [${lastStats?.hashScheme} hashing, ${lastStats?.queries} statements]${exact ? '' : ' - WRONG RESULT'}`,
    );
  }

  const expected = await plantDifferences(knex, shape, destinationTable);
  const diffRuns: number[] = [];
  for (let round = 1; round <= Math.max(1, Math.ceil(ROUNDS / 2)); round++) {
    const [figures, time] = await timed(() => reconciler.reconcile(source, destination, () => {}));
    diffRuns.push(time);
    const exact =
      figures.mismatched === expected.mismatched &&
      figures.missingInDestination === expected.missingInDestination &&
      figures.missingInSource === expected.missingInSource;
    ok = ok && exact;
    console.log(
      `  round ${round}: reconcile (100 differences) ${ms(time)}: ${figures.mismatched} mismatched, ` +
        `${figures.missingInDestination} missing in destination, ${figures.missingInSource} missing in source ` +
        `[${lastStats?.levels} level(s), ${lastStats?.queries} statements, ${n(lastStats?.leafRowsFetched ?? 0)} leaf rows fetched]` +
        `${exact ? '' : ' - WRONG RESULT'}`,
    );
  }
  const countMedian = median(counts);
  const equalMedian = median(equalRuns);
  const diffMedian = median(diffRuns);
  const ratio = equalMedian / countMedian;
  console.log(`  median count(*) on both tables:    ${ms(countMedian)}`);
  console.log(
    `  median reconcile, equal tables:    ${ms(equalMedian)} (${n(Math.round(ROWS / equalMedian))} rows compared per second)`,
  );
  console.log(
    `  median reconcile, 100 differences: ${ms(diffMedian)} (${n(Math.round(ROWS / diffMedian))} rows compared per second)`,
  );
  const pass = ok && ratio <= TARGET_RATIO;
  console.log(
    `  ${shape.name}: ratio reconcile / count(*) (equal tables) = ${ratio.toFixed(2)}x (target <= ${TARGET_RATIO}x)` +
      `${ok ? '' : ' - RESULTS NOT EXACT'}: ${pass ? 'PASS' : 'FAIL'}${shape.decides ? '' : ' (for information)'}`,
  );
  await knex.raw('DROP TABLE ??, ??', [sourceTable, destinationTable]);
  return { pass, ok, ratio };
}

async function main() {
  const base = process.env.SWITCHYARD_BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432';
  const knex = await freshDatabase(base, DATABASE);
  try {
    const results = [];
    for (const shape of SHAPES) results.push({ shape, ...(await benchShape(knex, shape)) });
    const deciding = results.filter(r => r.shape.decides);
    const pass = deciding.every(r => r.pass) && results.every(r => r.ok);
    console.log(
      `\n${results.map(r => `${r.shape.name} ${r.ratio.toFixed(2)}x`).join(', ')} (target <= ${TARGET_RATIO}x on ${deciding
        .map(r => r.shape.name)
        .join(', ')}): ${pass ? 'PASS' : 'FAIL'}`,
    );
    if (!pass) process.exitCode = 1;
  } finally {
    await knex.destroy();
    const admin = knexFactory({ client: 'pg', connection: databaseUrl(base, 'postgres') });
    await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [DATABASE]).catch(() => {});
    await admin.destroy();
  }
}

main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
