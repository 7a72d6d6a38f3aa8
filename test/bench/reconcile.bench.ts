/**
 * Reconciliation benchmark (issue: reconciliation at the cost of a count, at ten times the size).
 *
 * On a fresh PostgreSQL database, for two table shapes (`orders`: 6 columns; `wide`: 9 columns),
 * two equal BENCH_ROWS-row tables (default 1,000,000) are created and
 *   (a) the knex reconciler is timed on the equal tables beside `select count(*)` on both tables
 *       (one after the other), BENCH_ROUNDS times (default 5), alternating; medians compared:
 *       target reconcile <= 3x count(*), at 6 AND at 9 columns. EXPLAIN ANALYZE of both root
 *       statements shows the parallel workers each got (every function of the hashing statement is
 *       parallel safe, so it gets them as count(*) does);
 *   (b) 100 differences are planted (changed rows of every column kind, deleted, inserted,
 *       including the first and the last key) and must be found exactly;
 *   (c) on `orders`, 1% drift (every 100th row changed, spread over the table) must be found
 *       exactly, in under 10x the equal-tables time;
 *   (d) the process's RSS growth over all runs is printed: target < 200 MB (flat memory);
 *   (e) with BENCH_ROWS above 1,000,000 (only `orders` then), it is also run at 1,000,000 rows: linear growth,
 *       target BENCH_ROWS/1M x 1.1 (10M within 11x of 1M);
 *   (f) across engines: a SQLite source (the legacy representations: REAL amounts, ISO text and
 *       epoch-millisecond timestamps) and a PostgreSQL destination, min(BENCH_ROWS, 1,000,000) rows
 *       (BENCH_CROSS_ROWS): rows compared per second and the ratio to count(*) on both sides,
 *       target 5x; the faithful copy must compare equal and planted differences be found exactly.
 * Every ratio is printed with the machine's load average; each part prints its verdict.
 *
 * Run: ./test/bench/run.sh reconcile   (PostgreSQL at SWITCHYARD_BENCH_POSTGRES_URL, default
 * postgresql://postgres@127.0.0.1:5432; BENCH_ROWS=10000000 for the ten-times variant;
 * BENCH_ONLY=cross for the cross-engine part alone)
 */
import knexFactory, { Knex } from 'knex';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KnexReconciler, KnexReconcilerStats } from '../../plugins/cutover-backend/src/reconcile/KnexReconciler';
import { CutoverConnections } from '../../plugins/cutover-backend/src/snapshots/connections';
import { explain, freshDatabase, load as loadAverage, mb, median, ms, n, rss, timed, verdict } from './harness';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BASE_ROWS = 1_000_000;
const CROSS_ROWS = Number(process.env.BENCH_CROSS_ROWS ?? Math.min(ROWS, BASE_ROWS));
const DATABASE = 'switchyard_bench_reconcile';
const TARGET_RATIO = 3;
/** BENCH_ONLY=cross runs the cross-engine part alone. */
const ONLY_CROSS = process.env.BENCH_ONLY === 'cross';

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
    decides: false, // the 1% drift check runs on `orders` only
  },
];

// The shapes' SQL is this file's own text (no input): it is passed as raw SQL, values as bindings.
async function load(knex: Knex, shape: Shape, source: string, destination: string | undefined, rows: number) {
  await knex.raw(`CREATE TABLE ?? (id bigint PRIMARY KEY, ${shape.columns})`, [source]);
  await knex.raw(`INSERT INTO ?? SELECT g, ${shape.values} FROM generate_series(1, ?::bigint) g`, [source, rows]);
  await knex.raw('VACUUM ANALYZE ??', [source]);
  if (!destination) return;
  await knex.raw('CREATE TABLE ?? (LIKE ?? INCLUDING ALL)', [destination, source]);
  await knex.raw('INSERT INTO ?? SELECT * FROM ??', [destination, source]);
  await knex.raw('VACUUM ANALYZE ??', [destination]);
}

/** 40 changed rows, 30 deleted, 30 inserted; returns the expected figures. */
async function plantDifferences(knex: Knex, shape: Shape, destination: string, rows: number) {
  const step = Math.floor(rows / 40);
  const changed = Array.from({ length: 40 }, (_, i) => (i === 0 ? 1 : i * step + 17));
  changed[39] = rows; // the last key
  const deleted = Array.from({ length: 30 }, (_, i) => i * step + 29);
  const inserted = Array.from({ length: 30 }, (_, i) => rows + 1 + i * 3);
  for (const [i, id] of changed.entries()) {
    await knex.raw(`UPDATE ?? SET ${shape.updates[i % shape.updates.length]} WHERE id = ?`, [destination, id]);
  }
  await knex.raw('DELETE FROM ?? WHERE id = ANY(?::bigint[])', [destination, deleted]);
  await knex.raw(`INSERT INTO ?? SELECT g, ${shape.inserted} FROM unnest(?::bigint[]) g`, [destination, inserted]);
  await knex.raw('VACUUM ANALYZE ??', [destination]);
  return { mismatched: changed.length, missingInDestination: deleted.length, missingInSource: inserted.length };
}

interface ShapeResult {
  name: string;
  ratio: number;
  equalMedian: number;
  checks: boolean[];
}

function reconcilerFor(knex: Knex, sourceTable: string, destinationTable: string, dataset: string) {
  const connections = new CutoverConnections({ source: knex, destination: knex });
  const stats: { last?: KnexReconcilerStats } = {};
  const reconciler = new KnexReconciler(connections, { onStats: s => (stats.last = s) });
  const source = { migrationId: 'bench', dataset, connection: 'source', table: sourceTable, keyColumns: ['id'] };
  const destination = { ...source, connection: 'destination', table: destinationTable };
  return { stats, run: () => reconciler.reconcile(source, destination, () => {}) };
}

/** The root statement the reconciler hashes a table with, as it sent it (for EXPLAIN). */
async function rootStatement(knex: Knex, table: string, run: () => Promise<unknown>): Promise<string> {
  const seen: Array<{ sql: string; bindings: unknown[] }> = [];
  const listener = (q: { sql: string; bindings?: unknown[] }) => seen.push({ sql: q.sql, bindings: q.bindings ?? [] });
  knex.on('query', listener);
  await run();
  knex.removeListener('query', listener);
  const root = seen.find(q => q.sql.includes('count(*)::text AS n') && q.sql.includes(`"${table}"`) && !q.sql.includes('GROUP BY'));
  if (!root || root.bindings.length) throw new Error('Root hashing statement not found (or it has bindings)');
  return root.sql;
}

async function explainBoth(knex: Knex, table: string, hashing: string) {
  return knex.transaction(async trx => {
    await trx.raw('SET LOCAL jit = off');
    const count = await explain(trx, `SELECT count(*) FROM "${table}"`);
    const hash = await explain(trx, hashing);
    console.log(
      `  EXPLAIN ANALYZE on ${table}: count(*) ${count.ms.toFixed(0)} ms with ${count.workersLaunched}/${count.workersPlanned} workers; ` +
        `hashing ${hash.ms.toFixed(0)} ms (${(hash.ms / count.ms).toFixed(2)}x) with ${hash.workersLaunched}/${hash.workersPlanned} workers [${loadAverage()}]`,
    );
    return hash.workersLaunched >= count.workersLaunched;
  });
}

async function benchShape(knex: Knex, shape: Shape, rows: number, options: { drift: boolean; rounds: number }): Promise<ShapeResult> {
  const sourceTable = `${shape.name}_${rows}_source`;
  const destinationTable = `${shape.name}_${rows}_destination`;
  const [, loadTime] = await timed(() => load(knex, shape, sourceTable, destinationTable, rows));
  console.log(`\n${shape.name}: ${shape.description}`);
  console.log(`tables ${sourceTable}, ${destinationTable}: ${n(rows)} rows each, loaded in ${ms(loadTime)} [${loadAverage()}]`);
  const { stats, run } = reconcilerFor(knex, sourceTable, destinationTable, shape.name);
  const countBoth = async () => {
    const a = await knex.raw('SELECT count(*) AS n FROM ??', [sourceTable]);
    const b = await knex.raw('SELECT count(*) AS n FROM ??', [destinationTable]);
    return Number(a.rows[0].n) + Number(b.rows[0].n);
  };

  // Warm-up (page cache, connections), not measured; it also yields the hashing statement.
  await countBoth();
  const hashing = await rootStatement(knex, sourceTable, run);
  const parallel = await explainBoth(knex, sourceTable, hashing);

  const counts: number[] = [];
  const equalRuns: number[] = [];
  let exactEqual = true;
  for (let round = 1; round <= options.rounds; round++) {
    const [total, countTime] = await timed(countBoth);
    const [figures, reconcileTime] = await timed(run);
    counts.push(countTime);
    equalRuns.push(reconcileTime);
    const exact = total === 2 * rows && figures.driftRatio === 0 && figures.sourceCount === rows;
    exactEqual = exactEqual && exact;
    console.log(
      `  round ${round}: count(*) x2 ${ms(countTime)}, reconcile (equal) ${ms(reconcileTime)} = ${(reconcileTime / countTime).toFixed(2)}x` +
        ` [${stats.last?.hashScheme} hashing, ${stats.last?.queries} statements] [${loadAverage()}]${exact ? '' : ' - WRONG RESULT'}`,
    );
  }

  const expected = await plantDifferences(knex, shape, destinationTable, rows);
  const diffRuns: number[] = [];
  let exactDiff = true;
  for (let round = 1; round <= Math.max(1, Math.ceil(options.rounds / 2)); round++) {
    const [figures, time] = await timed(run);
    diffRuns.push(time);
    const exact =
      figures.mismatched === expected.mismatched &&
      figures.missingInDestination === expected.missingInDestination &&
      figures.missingInSource === expected.missingInSource;
    exactDiff = exactDiff && exact;
    console.log(
      `  round ${round}: reconcile (100 differences) ${ms(time)}: ${figures.mismatched} mismatched, ` +
        `${figures.missingInDestination} missing in destination, ${figures.missingInSource} missing in source ` +
        `[${stats.last?.levels} level(s), ${stats.last?.queries} statements, ${n(stats.last?.leafRowsFetched ?? 0)} leaf rows fetched]` +
        `${exact ? '' : ' - WRONG RESULT'}`,
    );
  }
  const countMedian = median(counts);
  const equalMedian = median(equalRuns);
  const ratio = equalMedian / countMedian;
  console.log(`  median count(*) on both tables:    ${ms(countMedian)}`);
  console.log(`  median reconcile, equal tables:    ${ms(equalMedian)} (${n(Math.round(rows / equalMedian))} rows compared per second)`);
  console.log(`  median reconcile, 100 differences: ${ms(median(diffRuns))}`);
  const checks = [
    verdict(`${shape.name} (${n(rows)} rows): equal tables equal, 100 differences found exactly`, exactEqual && exactDiff ? 'exact' : 'NOT EXACT', 'exact', exactEqual && exactDiff),
    verdict(`${shape.name} (${n(rows)} rows): hashing statement gets the parallel workers count(*) gets`, parallel ? 'yes' : 'no', 'yes', parallel),
    verdict(`${shape.name} (${n(rows)} rows): reconcile / count(*), equal tables`, `${ratio.toFixed(2)}x`, `<= ${TARGET_RATIO}x`, ratio <= TARGET_RATIO),
  ];

  if (options.drift) {
    // 1% drift spread over the table: every 100th row (ids ending in 37) changed.
    const [drifted] = await knex.raw(`UPDATE ?? SET status = 'drift' WHERE id % 100 = 37 AND id <= ?`, [destinationTable, rows]).then(
      (r: { rowCount: number }) => [r.rowCount],
    );
    await knex.raw('VACUUM ANALYZE ??', [destinationTable]);
    const [figures, time] = await timed(run);
    const exact =
      figures.mismatched === expected.mismatched + drifted &&
      figures.missingInDestination === expected.missingInDestination &&
      figures.missingInSource === expected.missingInSource;
    console.log(
      `  reconcile (${n(drifted)} drifted rows + the 100 differences) ${ms(time)}: ${n(figures.mismatched)} mismatched, ` +
        `${figures.missingInDestination} missing in destination, ${figures.missingInSource} missing in source ` +
        `[${stats.last?.levels} level(s), ${n(stats.last?.queries ?? 0)} statements, ${n(stats.last?.leafRowsFetched ?? 0)} leaf rows fetched, ` +
        `${n(stats.last?.leafRowsHeldPeak ?? 0)} held at most]`,
    );
    checks.push(verdict(`${shape.name} (${n(rows)} rows): 1% drift found exactly`, exact ? 'exact' : 'NOT EXACT', 'exact', exact));
    checks.push(
      verdict(`${shape.name} (${n(rows)} rows): 1% drift time / equal-tables time`, `${(time / equalMedian).toFixed(2)}x`, '< 10x', time / equalMedian < 10),
    );
  }
  await knex.raw('DROP TABLE ??, ??', [sourceTable, destinationTable]);
  return { name: shape.name, ratio, equalMedian, checks };
}

/** The legacy side in SQLite: the `orders` shape's values in SQLite's own representations. */
function loadSqlite(file: string, rows: number) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Database = require('better-sqlite3');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT NOT NULL, amount REAL, created_at DATETIME NOT NULL,
    note TEXT, status TEXT NOT NULL)`);
  const insert = db.prepare('INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?)');
  const statuses = ['new', 'paid', 'shipped'];
  db.transaction(() => {
    for (let g = 1; g <= rows; g++) {
      const at = Date.UTC(2024, 0, 1) + g * 60_000;
      insert.run(
        g,
        `customer ${g % 5000}`,
        (g % 100000) / 100,
        // Half as ISO text with a zone, half as epoch milliseconds (what knex writes for a Date).
        g % 2 ? new Date(at).toISOString() : at,
        g % 7 === 0 ? null : `note ${g}`,
        statuses[g % 3],
      );
    }
  })();
  db.close();
}

async function benchCrossEngine(pg: Knex, rows: number): Promise<boolean[]> {
  console.log(`\ncross-engine: SQLite source (legacy representations) -> PostgreSQL destination, ${n(rows)} rows`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-'));
  const file = path.join(dir, 'legacy.sqlite');
  const [, loadTime] = await timed(async () => {
    loadSqlite(file, rows);
    await load(pg, SHAPES[0], 'orders_modern', undefined, rows);
  });
  console.log(`  loaded in ${ms(loadTime)} [${loadAverage()}]`);
  const sqlite = knexFactory({ client: 'better-sqlite3', connection: { filename: file }, useNullAsDefault: true });
  try {
    const connections = new CutoverConnections({ legacy: sqlite, modern: pg });
    const stats: { last?: KnexReconcilerStats } = {};
    const reconciler = new KnexReconciler(connections, { onStats: s => (stats.last = s) });
    const source = { migrationId: 'bench', dataset: 'orders', connection: 'legacy', table: 'orders', keyColumns: ['id'] };
    const destination = { ...source, connection: 'modern', table: 'orders_modern' };
    const run = () => reconciler.reconcile(source, destination, () => {});
    const countBoth = async () => {
      const [a] = await sqlite.raw('SELECT count(*) AS n FROM orders');
      const b = await pg.raw('SELECT count(*) AS n FROM orders_modern');
      return Number(a.n) + Number(b.rows[0].n);
    };
    await countBoth();
    const counts: number[] = [];
    const runs: number[] = [];
    let exact = true;
    for (let round = 1; round <= ROUNDS; round++) {
      const [total, countTime] = await timed(countBoth);
      const [figures, time] = await timed(run);
      counts.push(countTime);
      runs.push(time);
      exact = exact && total === 2 * rows && figures.driftRatio === 0;
      console.log(
        `  round ${round}: count(*) SQLite + PostgreSQL ${ms(countTime)}, reconcile (faithful copy) ${ms(time)} = ${(time / countTime).toFixed(2)}x, ` +
          `${n(Math.round(rows / time))} rows compared per second [${stats.last?.hashScheme} hashing, ${stats.last?.sqliteHashing} on SQLite] [${loadAverage()}]` +
          `${figures.driftRatio === 0 ? '' : ` - NOT EQUAL: ${JSON.stringify(figures.sampleKeys.slice(0, 3))}`}`,
      );
    }
    // Differences planted on the PostgreSQL side: 3 changed (first, middle, last), 1 deleted.
    await pg.raw(`UPDATE orders_modern SET status = 'changed' WHERE id = ANY(?::bigint[])`, [[1, Math.floor(rows / 2), rows]]);
    await pg.raw('DELETE FROM orders_modern WHERE id = 77');
    const [figures, diffTime] = await timed(run);
    const found = figures.mismatched === 3 && figures.missingInDestination === 1 && figures.missingInSource === 0;
    console.log(
      `  reconcile (4 differences) ${ms(diffTime)}: ${figures.mismatched} mismatched, ${figures.missingInDestination} missing in destination ` +
        `[${stats.last?.levels} level(s), ${stats.last?.queries} statements]`,
    );
    const ratio = median(runs) / median(counts);
    return [
      verdict('cross-engine: faithful copy equal (canonical comparison exact), planted differences found exactly', exact && found ? 'exact' : 'NOT EXACT', 'exact', exact && found),
      verdict(
        `cross-engine: reconcile / count(*) on both sides (${n(Math.round(rows / median(runs)))} rows/s)`,
        `${ratio.toFixed(2)}x`,
        '<= 5x',
        ratio <= 5,
      ),
    ];
  } finally {
    await sqlite.destroy();
    await pg.raw('DROP TABLE IF EXISTS orders_modern');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const db = await freshDatabase(DATABASE);
  const knex = db.knex;
  try {
    console.log(`reconcile benchmark: ${n(ROWS)} rows, ${ROUNDS} rounds [${loadAverage()}]`);
    const before = rss();
    const results: ShapeResult[] = [];
    // The ten-times variant runs the deciding shape only (its targets: linear time, flat memory, drift).
    const shapes = ONLY_CROSS ? [] : ROWS > BASE_ROWS ? SHAPES.filter(shape => shape.decides) : SHAPES;
    for (const shape of shapes) results.push(await benchShape(knex, shape, ROWS, { drift: shape.decides, rounds: ROUNDS }));
    const after = rss();
    const checks = results.flatMap(r => r.checks);
    checks.push(
      verdict(
        `RSS growth over the ${n(ROWS)}-row runs (${mb(before.now)} before, ${mb(after.peak)} at most)`,
        mb(after.peak - before.now),
        '< 200 MB',
        after.peak - before.now < 200 * 1024 * 1024,
      ),
    );
    if (ROWS > BASE_ROWS && !ONLY_CROSS) {
      const base = await benchShape(knex, SHAPES[0], BASE_ROWS, { drift: false, rounds: ROUNDS });
      const growth = results[0].equalMedian / base.equalMedian;
      const limit = (ROWS / BASE_ROWS) * 1.1;
      checks.push(
        verdict(
          `linear: ${n(ROWS)} rows / ${n(BASE_ROWS)} rows, equal tables (${ms(results[0].equalMedian)} / ${ms(base.equalMedian)})`,
          `${growth.toFixed(2)}x`,
          `<= ${limit.toFixed(1)}x`,
          growth <= limit,
        ),
      );
    }
    if (CROSS_ROWS > 0) checks.push(...(await benchCrossEngine(knex, CROSS_ROWS)));
    const pass = checks.every(Boolean);
    console.log(
      `\n${results.map(r => `${r.name} ${r.ratio.toFixed(2)}x`).join(', ')} of count(*) (target <= ${TARGET_RATIO}x); ` +
        `${checks.filter(Boolean).length}/${checks.length} checks pass [${loadAverage()}]: ${pass ? 'PASS' : 'FAIL'}`,
    );
    if (!pass) process.exitCode = 1;
  } finally {
    await db.drop();
  }
}

main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
