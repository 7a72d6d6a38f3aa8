/**
 * Portfolio benchmark on PostgreSQL (issue 16: beyond one migration).
 *
 * 1,000 migrations of 50 datasets each (50,000 datasets), applied through HTTP as plans, their
 * summaries built by the backend itself (debounced refresh after each change); then
 * GET /portfolio latency p50 / p95 / p99 for every owner (the worst case: all 1,000 rows are
 * read, permission-filtered, counted and paged), for the caller's groups (the page's default) and
 * with a filter. Target: p95 < 100 ms. Prints the machine's load average, as the machine is shared.
 *
 * Run: ./test/bench/run.sh portfolio   (PostgreSQL at SWITCHYARD_BENCH_POSTGRES_URL,
 * default postgresql://postgres@127.0.0.1:5432)
 */
import knexFactory, { Knex } from 'knex';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { as, startCutoverBackend } from '../../plugins/cutover-backend/src/__testUtils__/backend';

const MIGRATIONS = Number(process.env.BENCH_MIGRATIONS ?? 1000);
const DATASETS = 50;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const OWNERS = [
  'group:default/orders-team',
  'group:default/billing-team',
  'group:default/readers',
  'group:default/incident-managers',
];
const DAY = 86_400_000;

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

const load = () =>
  os
    .loadavg()
    .map(l => l.toFixed(2))
    .join(' / ');

async function main() {
  const url = process.env.SWITCHYARD_BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const knex = await freshDatabase(url, 'switchyard_bench_portfolio');
  const { api, backend } = await startCutoverBackend({
    knex,
    config: { cutover: { portfolio: { debounceMs: 200 } } },
  });
  console.log(`machine: ${os.cpus().length} cores, load average (1/5/15 min) ${load()} before`);

  // 1,000 plans through HTTP, 8 at a time, each laid out around now.
  const now = Date.now();
  const t0 = performance.now();
  let next = 0;
  const applyOne = async (i: number) => {
    const id = `bench-${String(i).padStart(4, '0')}`;
    const res = await api()
      .put(`/api/cutover/migrations/${id}`)
      .set('authorization', as.job)
      .send({
        id,
        title: `Benchmark migration ${i}`,
        owner: OWNERS[i % OWNERS.length],
        entityRefs: [`component:default/service-${i % 100}`],
        plannedStart: new Date(now - (i % 20) * DAY).toISOString(),
        plannedEnd: new Date(now + ((i % 30) + 1) * DAY).toISOString(),
        datasets: Array.from({ length: DATASETS }, (_, d) => ({
          name: `dataset_${String(d).padStart(2, '0')}`,
          tier: d < 5 ? 1 : 2,
          table: `t_${i}_${d}`,
          keyColumns: ['id'],
          totalRecords: 100_000,
        })),
        milestones: [{ id: 'golive', name: 'Go live', plannedDate: new Date(now + 10 * DAY).toISOString() }],
      });
    if (res.status !== 201) throw new Error(`apply ${id}: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
  };
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < MIGRATIONS) await applyOne(next++);
    }),
  );
  const [{ datasets }] = await knex('cutover_datasets').count({ datasets: '*' });
  console.log(
    `applied ${MIGRATIONS} plans (${Number(datasets).toLocaleString('en-US')} datasets) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );

  // The backend refreshes each migration's summary after the change (debounced): wait for all.
  const t1 = performance.now();
  for (;;) {
    const [{ n }] = await knex('cutover_migration_summaries').count({ n: '*' });
    if (Number(n) >= MIGRATIONS) break;
    if (performance.now() - t1 > 30 * 60_000) throw new Error(`only ${n} summaries after 30 minutes`);
    await new Promise(r => setTimeout(r, 500));
  }
  console.log(
    `summaries of all ${MIGRATIONS} migrations built by the backend in ${((performance.now() - t1) / 1000).toFixed(1)} s after the last plan (${(
      (performance.now() - t1) /
      MIGRATIONS
    ).toFixed(1)} ms each)`,
  );
  await knex.raw('ANALYZE');

  const measure = async (label: string, query: string, who: string, expectTotal?: number) => {
    const latencies: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const s = performance.now();
      const res = await api().get(`/api/cutover/portfolio${query}`).set('authorization', who);
      latencies.push(performance.now() - s);
      if (res.status !== 200) throw new Error(`${label}: ${res.status} ${JSON.stringify(res.body)}`);
      if (expectTotal !== undefined && res.body.totalCount !== expectTotal)
        throw new Error(`${label}: totalCount ${res.body.totalCount}, expected ${expectTotal}`);
    }
    latencies.sort((a, b) => a - b);
    const r = { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) };
    console.log(
      `GET /portfolio${query} (${label}): ${REQUESTS} requests, p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`,
    );
    return r;
  };
  // Warm up connections and caches.
  for (let i = 0; i < 20; i++) await api().get('/api/cutover/portfolio?owner=all').set('authorization', as.owner);
  const all = await measure('every owner, risk order, first page of 50', '?owner=all', as.owner, MIGRATIONS);
  const mine = await measure("the caller's groups (default)", '', as.owner, MIGRATIONS / OWNERS.length);
  const filtered = await measure('every owner, one status, by title', '?owner=all&status=PLANNED&sort=title', as.owner);
  const worst = Math.max(all.p95, mine.p95, filtered.p95);
  console.log(`load average (1/5/15 min) ${load()} after`);
  console.log(
    worst < 100
      ? `target met: p95 ${worst.toFixed(1)} ms < 100 ms (${MIGRATIONS} migrations, ${Number(datasets).toLocaleString('en-US')} datasets, PostgreSQL)`
      : `TARGET MISSED: p95 ${worst.toFixed(1)} ms >= 100 ms`,
  );
  await backend.stop();
  await knex.destroy();
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
