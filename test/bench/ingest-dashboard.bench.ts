/**
 * Ingest and dashboard benchmark on PostgreSQL (issue: migration progress).
 *
 * Prints: samples/s ingested through HTTP in batches (target >= 10,000/s), and dashboard latency
 * p50 / p95 / p99 with 200 datasets and 1,000,000 stored samples while ingest runs
 * (target p95 < 50 ms).
 *
 * Run: ./test/bench/run.sh ingest-dashboard   (PostgreSQL at SWITCHYARD_BENCH_POSTGRES_URL,
 * default postgresql://postgres@127.0.0.1:5432)
 */
import knexFactory, { Knex } from 'knex';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { as, startCutoverBackend } from '../../plugins/cutover-backend/src/__testUtils__/backend';

const DATASETS = 200;
const STORED_SAMPLES = 1_000_000;
const BATCH = 1000;
const INGEST_SECONDS = Number(process.env.BENCH_SECONDS ?? 15);

async function freshDatabase(url: string, name: string): Promise<Knex> {
  const admin = knexFactory({ client: 'pg', connection: url });
  await admin.raw('DROP DATABASE IF EXISTS ??', [name]);
  await admin.raw('CREATE DATABASE ??', [name]);
  await admin.destroy();
  const u = new URL(url);
  u.pathname = `/${name}`;
  return knexFactory({ client: 'pg', connection: u.toString(), pool: { min: 2, max: 20 } });
}

function percentile(sorted: number[], p: number) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function runWorker(data: object): Promise<{ done: number; errors: number; latencies: number[] }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(path.resolve(process.cwd(), 'test/bench/load-worker.mjs'), { workerData: data });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

async function main() {
  const url = process.env.SWITCHYARD_BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const knex = await freshDatabase(url, 'switchyard_bench');
  const { api, backend } = await startCutoverBackend({ knex });
  const names = Array.from({ length: DATASETS }, (_, i) => `dataset_${String(i).padStart(3, '0')}`);
  const created = await api()
    .put('/api/cutover/migrations/bench')
    .set('authorization', as.job)
    .send({
      id: 'bench',
      title: 'Benchmark migration',
      owner: 'group:default/orders-team',
      datasets: names.map((name, i) => ({ name, tier: i < 20 ? 1 : 2, table: name, keyColumns: ['id'], totalRecords: 10_000_000 })),
    });
  if (created.status !== 201) throw new Error(`create failed: ${created.status} ${JSON.stringify(created.body)}`);

  // 1,000,000 stored samples: 5,000 per dataset, one a minute, ending now.
  const perDataset = STORED_SAMPLES / DATASETS;
  const end = Date.now() - 60_000;
  const t0 = performance.now();
  await knex.raw(
    `INSERT INTO cutover_metric_samples (migration_id, dataset, at, total_records, imported_records, failed_records,
       skipped_records, completeness, validity, consistency, accuracy, errors_critical, errors_high, errors_medium, errors_low)
     SELECT 'bench', d.name, ?::bigint - (?::bigint - s.i) * 60000, 10000000, s.i * 100, s.i, 0, 99, 97, 98, 96, 0, 1, 2, 3
     FROM unnest(?::text[]) AS d(name), generate_series(1, ?::int) AS s(i)`,
    [end, perDataset, names, perDataset],
  );
  await knex.raw('ANALYZE cutover_metric_samples');
  const [{ count }] = await knex('cutover_metric_samples').count({ count: '*' });
  console.log(`stored samples: ${Number(count).toLocaleString('en-US')} in ${DATASETS} datasets (loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);

  // Load comes from worker threads, so the backend under test keeps its own event loop.
  const address = backend.server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${address.port}/api/cutover`;
  const durationMs = INGEST_SECONDS * 1000;
  let firstAt = end + 60_000;
  const writers = (count: number) =>
    Array.from({ length: count }, (_, w) => {
      const data = {
        baseUrl, role: 'writer', durationMs, auth: as.job, batch: BATCH, writer: w,
        names: names.slice(w * 50, w * 50 + 50), firstAt, startImported: perDataset * 100,
      };
      return runWorker(data);
    });
  const reader = (intervalMs: number) =>
    runWorker({ baseUrl, role: 'reader', durationMs, auth: as.reader, expectDatasets: DATASETS, intervalMs });
  const summary = (r: { latencies: number[] }[]) => {
    const l = r.flatMap(x => x.latencies).sort((a, b) => a - b);
    return { n: l.length, p50: percentile(l, 50), p95: percentile(l, 95), p99: percentile(l, 99) };
  };

  // 1. Ingest throughput: 4 writers, batches of 1,000 samples over 50 datasets each.
  const ingestRun = await Promise.all(writers(4));
  const ingested = ingestRun.reduce((s, r) => s + r.done, 0);
  const ingestErrors = ingestRun.reduce((s, r) => s + r.errors, 0);
  const rate = ingested / INGEST_SECONDS;
  const batches = summary(ingestRun);
  console.log(`ingest: ${ingested.toLocaleString('en-US')} samples in ${INGEST_SECONDS} s = ${Math.round(rate).toLocaleString('en-US')} samples/s through HTTP (batches of ${BATCH}, 4 writers, batch p50 ${batches.p50.toFixed(0)} ms; target >= 10,000/s) errors=${ingestErrors}`);

  // 2. Dashboard alone, 10 requests/s.
  const alone = summary([await reader(100)]);
  console.log(`dashboard alone (200 datasets, ${(STORED_SAMPLES + ingested).toLocaleString('en-US')} samples): ${alone.n} requests at 10/s, p50 ${alone.p50.toFixed(1)} ms, p95 ${alone.p95.toFixed(1)} ms, p99 ${alone.p99.toFixed(1)} ms`);

  // 3. Dashboard at 10 requests/s while 2 writers ingest as fast as they can.
  firstAt = Date.now();
  const mixed = await Promise.all([...writers(2), reader(100)]);
  const during = summary([mixed[2]]);
  const readErrors = mixed[2].errors;
  const mixedRate = (mixed[0].done + mixed[1].done) / INGEST_SECONDS;
  console.log(`dashboard while ingesting ${Math.round(mixedRate).toLocaleString('en-US')} samples/s: ${during.n} requests at 10/s, p50 ${during.p50.toFixed(1)} ms, p95 ${during.p95.toFixed(1)} ms, p99 ${during.p99.toFixed(1)} ms (target p95 < 50 ms) errors=${readErrors + mixed[0].errors + mixed[1].errors}`);
  const ok = rate >= 10_000 && during.p95 < 50 && mixedRate > 0 && !ingestErrors && !readErrors && !mixed[0].errors && !mixed[1].errors;
  console.log(ok ? 'targets met' : 'TARGETS MISSED');
  await backend.stop();
  await knex.destroy();
}

main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
