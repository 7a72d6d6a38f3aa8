/**
 * Load benchmark on PostgreSQL (issue: hardening / scale): one backend with the signals backend
 * (and the events backend, as a scaled-out deployment runs it), driven at once by
 *   - 1,000 signal subscribers: websocket clients of /api/signals subscribed to the migration's
 *     channel (`cutover:bench`), in worker threads;
 *   - 100 dashboard requests per second, open loop (requests leave on schedule whether or not
 *     earlier ones answered, so a slow server shows as latency);
 *   - ingest writers posting batches of samples at a fixed rate (each batch makes the backend
 *     publish a signal; the publisher coalesces changes to one signal per 250 ms and migration).
 * After a warm-up of the same load (not measured: a cold backend answers its first seconds of
 * load slowly while code is compiled, modules are loaded and pools fill), prints dashboard
 * latency p50 / p95 / p99 and errors, signals delivered to subscribers (count,
 * share of the expected, delivery latency from publication to receipt), ingest samples/s, the
 * machine's load average, and PASS / FAIL against: 1,000 subscribers and 100 dashboard requests/s
 * at p95 < 100 ms with ingest running.
 *
 * Run: SWITCHYARD_SKIP_INSTALL=1 ./test/bench/run.sh load   (PostgreSQL at
 * SWITCHYARD_BENCH_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432). Knobs:
 * BENCH_SECONDS (default 30, after BENCH_WARMUP_SECONDS, default 10), BENCH_SUBSCRIBERS (1000), BENCH_DASHBOARD_RPS (100),
 * BENCH_INGEST_BATCHES_PER_S (4), BENCH_BATCH (500), BENCH_DATASETS (100).
 */
import eventsPlugin from '@backstage/plugin-events-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import signalsPlugin from '@backstage/plugin-signals-backend';
import { mockCredentials } from '@backstage/backend-test-utils';
import knexFactory, { Knex } from 'knex';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { WebSocket } from 'ws';
import { as, startCutoverBackend } from '../../plugins/cutover-backend/src/__testUtils__/backend';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 10);
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const DASHBOARD_RPS = Number(process.env.BENCH_DASHBOARD_RPS ?? 100);
const BATCHES_PER_S = Number(process.env.BENCH_INGEST_BATCHES_PER_S ?? 4);
const BATCH = Number(process.env.BENCH_BATCH ?? 500);
const DATASETS = Number(process.env.BENCH_DATASETS ?? 100);
const SUBSCRIBER_WORKERS = 2;
const READER_WORKERS = 2;
const WRITER_WORKERS = 2;
const TARGET_P95_MS = 100;
const DATABASE = 'switchyard_bench_load';

/**
 * The subscribers' worker (CommonJS, evaluated): opens its share of websockets, subscribes each to
 * the channel, reports when all are connected, records the delay from each signal's publication
 * (`message.at`, same clock: same process) to its receipt, and reports when told to stop.
 */
const SUBSCRIBER_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { WebSocket } = require('ws');
const { url, protocol, channel, count, concurrency } = workerData;
const sockets = [];
const latencies = [];
const perSignal = new Map();
let messages = 0;
let failedConnects = 0;
let droppedConnections = 0;
let stopping = false;

function connect() {
  return new Promise(resolve => {
    const ws = new WebSocket(url, protocol);
    const timer = setTimeout(() => { ws.terminate(); resolve(undefined); }, 10000);
    ws.once('open', () => {
      clearTimeout(timer);
      ws.on('message', data => {
        const received = Date.now();
        const signal = JSON.parse(String(data));
        if (signal.channel !== channel) return;
        messages += 1;
        latencies.push(received - Date.parse(signal.message.at));
        perSignal.set(signal.message.at, (perSignal.get(signal.message.at) || 0) + 1);
      });
      ws.on('close', () => { if (!stopping) droppedConnections += 1; });
      ws.send(JSON.stringify({ action: 'subscribe', channel }));
      resolve(ws);
    });
    ws.once('error', () => { clearTimeout(timer); resolve(undefined); });
  });
}

async function connectWithRetry() {
  for (let attempt = 0; attempt < 3; attempt++) {
    const ws = await connect();
    if (ws) return ws;
    failedConnects += 1;
  }
  return undefined;
}

(async () => {
  for (let i = 0; i < count; i += concurrency) {
    const batch = await Promise.all(Array.from({ length: Math.min(concurrency, count - i) }, connectWithRetry));
    for (const ws of batch) if (ws) sockets.push(ws);
  }
  parentPort.postMessage({ type: 'ready', connected: sockets.length });
  parentPort.on('message', command => {
    if (command === 'reset') {
      latencies.length = 0;
      perSignal.clear();
      messages = 0;
      return;
    }
    stopping = true;
    const open = sockets.filter(ws => ws.readyState === WebSocket.OPEN).length;
    for (const ws of sockets) ws.terminate();
    parentPort.postMessage({
      type: 'done', connected: sockets.length, openAtEnd: open, failedConnects, droppedConnections,
      messages, latencies, perSignal: [...perSignal.entries()],
    });
  });
})();
`;

interface SubscriberReport {
  connected: number;
  openAtEnd: number;
  failedConnects: number;
  droppedConnections: number;
  messages: number;
  latencies: number[];
  perSignal: Array<[string, number]>;
}

interface LoadReport {
  done: number;
  errors: number;
  latencies: number[];
}

async function freshDatabase(base: string): Promise<Knex> {
  const url = (name: string) => {
    const u = new URL(base);
    u.pathname = `/${name}`;
    return u.toString();
  };
  const admin = knexFactory({ client: 'pg', connection: url('postgres') });
  await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [DATABASE]);
  await admin.raw('CREATE DATABASE ??', [DATABASE]);
  await admin.destroy();
  return knexFactory({ client: 'pg', connection: url(DATABASE), pool: { min: 2, max: 20 } });
}

function percentile(sorted: number[], p: number) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const load = () => os.loadavg().map(x => x.toFixed(2)).join(' ');

/** Reader or writer of test/bench/load-worker.mjs (open loop when intervalMs is given). */
function loadWorker(data: object): Promise<LoadReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(path.resolve(process.cwd(), 'test/bench/load-worker.mjs'), { workerData: data });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

/** Starts a subscribers' worker; resolves when its sockets are connected, with a stop function. */
function subscriberWorker(data: object): Promise<{ connected: number; reset: () => void; stop: () => Promise<SubscriberReport> }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(SUBSCRIBER_WORKER, { eval: true, workerData: data });
    worker.once('error', reject);
    worker.once('message', (ready: { connected: number }) => {
      resolve({
        connected: ready.connected,
        reset: () => worker.postMessage('reset'),
        stop: () =>
          new Promise<SubscriberReport>(done => {
            worker.once('message', report => {
              done(report);
              void worker.terminate();
            });
            worker.postMessage('stop');
          }),
      });
    });
  });
}

/**
 * The signals router installs its upgrade handler when the first upgrade request passes through
 * it as a plain HTTP request, and leaves that request unanswered: open (and drop) one connection
 * first, as the signals frontend's reconnect would.
 */
async function warmUpSignals(url: string) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const ws = new WebSocket(url, mockCredentials.user.token());
    const opened = await new Promise<boolean>(resolve => {
      const timer = setTimeout(() => resolve(false), 2000);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve(true);
      });
      ws.once('error', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    ws.terminate();
    if (opened) return;
  }
  throw new Error(`Could not open a signals connection to ${url}`);
}

async function main() {
  const base = process.env.SWITCHYARD_BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432';
  console.log(`machine: ${os.cpus().length} CPUs, load average ${load()} (1, 5, 15 min) before start`);
  const knex = await freshDatabase(base);
  const { api, backend } = await startCutoverBackend({
    knex,
    // Short event-bus long polls, so that the backend stops quickly at the end.
    config: { events: { notifyTimeoutMs: 5000 } },
    extraFeatures: [eventsServiceFactory, eventsPlugin, signalsPlugin],
  });
  const names = Array.from({ length: DATASETS }, (_, i) => `dataset_${String(i).padStart(3, '0')}`);
  const created = await api()
    .put('/api/cutover/migrations/bench')
    .set('authorization', as.job)
    .send({
      id: 'bench',
      title: 'Load benchmark migration',
      owner: 'group:default/orders-team',
      datasets: names.map((name, i) => ({ name, tier: i < 10 ? 1 : 2, table: name, keyColumns: ['id'], totalRecords: 10_000_000 })),
    });
  if (created.status !== 201) throw new Error(`create failed: ${created.status} ${JSON.stringify(created.body)}`);
  const firstAt = Date.now() - 10 * 60_000;
  const seeded = await api()
    .post('/api/cutover/migrations/bench/metrics')
    .set('authorization', as.job)
    .send({ samples: names.map(dataset => ({ dataset, at: new Date(firstAt - 1000).toISOString(), importedRecords: 1, completeness: 99, validity: 97 })) });
  if (seeded.status !== 200) throw new Error(`seed failed: ${seeded.status} ${JSON.stringify(seeded.body)}`);

  const port = (backend.server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}/api/cutover`;
  const signalsUrl = `ws://127.0.0.1:${port}/api/signals`;
  await warmUpSignals(signalsUrl);

  // 1. Subscribers connect (and stay connected through the measured phase).
  const connectStarted = Date.now();
  const subscribers = await Promise.all(
    Array.from({ length: SUBSCRIBER_WORKERS }, (_, w) =>
      subscriberWorker({
        url: signalsUrl,
        protocol: mockCredentials.user.token(),
        channel: 'cutover:bench',
        count: Math.floor(SUBSCRIBERS / SUBSCRIBER_WORKERS) + (w < SUBSCRIBERS % SUBSCRIBER_WORKERS ? 1 : 0),
        concurrency: 50,
      }),
    ),
  );
  const connected = subscribers.reduce((s, x) => s + x.connected, 0);
  console.log(`subscribers: ${connected} of ${SUBSCRIBERS} websockets connected and subscribed in ${((Date.now() - connectStarted) / 1000).toFixed(1)} s`);
  await new Promise(r => setTimeout(r, 1000)); // subscriptions are registered when the server reads them

  // 2. Dashboard readers and ingest writers at fixed rates: a warm-up (JIT, modules loaded and
  // transpiled on first use, connection pools filling up), then SECONDS measured.
  const perWriter = Math.ceil(DATASETS / WRITER_WORKERS);
  const drive = (seconds: number, samplesFrom: number, startImported: number) =>
    Promise.all([
      Promise.all(
        Array.from({ length: READER_WORKERS }, () =>
          loadWorker({
            baseUrl, role: 'reader', durationMs: seconds * 1000, auth: as.reader, expectDatasets: DATASETS,
            intervalMs: (1000 * READER_WORKERS) / DASHBOARD_RPS,
          }),
        ),
      ),
      Promise.all(
        Array.from({ length: WRITER_WORKERS }, (_, w) =>
          loadWorker({
            baseUrl, role: 'writer', durationMs: seconds * 1000, auth: as.job, batch: BATCH, writer: w,
            names: names.slice(w * perWriter, (w + 1) * perWriter), firstAt: samplesFrom, startImported,
            intervalMs: (1000 * WRITER_WORKERS) / BATCHES_PER_S,
          }),
        ),
      ),
    ]);
  const [warmReaders] = await drive(WARMUP_SECONDS, firstAt, 1);
  const warm = warmReaders.flatMap(r => r.latencies).sort((a, b) => a - b);
  console.log(`warm-up: ${WARMUP_SECONDS} s of the same load, not measured (dashboard p95 ${percentile(warm, 95).toFixed(1)} ms, max ${warm.length ? warm[warm.length - 1].toFixed(0) : 'NaN'} ms)`);
  await new Promise(r => setTimeout(r, 2000)); // the warm-up's last signals arrive before the counts restart
  for (const s of subscribers) s.reset();
  console.log(`load average ${load()} when the measured phase starts`);
  const eluStart = performance.eventLoopUtilization();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  // Newer samples with higher counters than the warm-up's, so every batch moves the figures.
  const [readers, writers] = await drive(SECONDS, firstAt + 5 * 60_000, 1_000_000);
  const loadAtEnd = load();
  // How busy the backend's event loop was, and the CPU this process (backend and load workers) used.
  const elu = performance.eventLoopUtilization(eluStart).utilization;
  loopDelay.disable();
  const cpu = process.cpuUsage(cpuStart);
  const cpuShare = (cpu.user + cpu.system) / 1000 / (performance.now() - wallStart);
  await new Promise(r => setTimeout(r, 2000)); // the last signals still travel
  const reports = await Promise.all(subscribers.map(s => s.stop()));

  // 3. Figures.
  const dash = readers.flatMap(r => r.latencies).sort((a, b) => a - b);
  const dashErrors = readers.reduce((s, r) => s + r.errors, 0);
  const dashRate = dash.length / SECONDS;
  const ingested = writers.reduce((s, r) => s + r.done, 0);
  const writeErrors = writers.reduce((s, r) => s + r.errors, 0);
  const batchLatency = writers.flatMap(r => r.latencies).sort((a, b) => a - b);
  const delivery = reports.flatMap(r => r.latencies).sort((a, b) => a - b);
  const perSignal = new Map<string, number>();
  for (const r of reports) for (const [at, n] of r.perSignal) perSignal.set(at, (perSignal.get(at) ?? 0) + n);
  const delivered = reports.reduce((s, r) => s + r.messages, 0);
  const expected = perSignal.size * connected;
  const openAtEnd = reports.reduce((s, r) => s + r.openAtEnd, 0);
  const dropped = reports.reduce((s, r) => s + r.droppedConnections, 0);
  const failedConnects = reports.reduce((s, r) => s + r.failedConnects, 0);

  console.log(
    `dashboard: ${dash.length} requests in ${SECONDS} s (${dashRate.toFixed(1)}/s, open loop at ${DASHBOARD_RPS}/s), ` +
      `p50 ${percentile(dash, 50).toFixed(1)} ms, p95 ${percentile(dash, 95).toFixed(1)} ms, p99 ${percentile(dash, 99).toFixed(1)} ms, ` +
      `max ${dash.length ? dash[dash.length - 1].toFixed(1) : 'NaN'} ms, errors=${dashErrors}`,
  );
  console.log(
    `ingest: ${ingested.toLocaleString('en-US')} samples = ${Math.round(ingested / SECONDS).toLocaleString('en-US')} samples/s ` +
      `(${WRITER_WORKERS} writers, ${BATCHES_PER_S} batches/s of ${BATCH} over ${DATASETS} datasets; batch p50 ${percentile(batchLatency, 50).toFixed(0)} ms, ` +
      `p95 ${percentile(batchLatency, 95).toFixed(0)} ms), errors=${writeErrors}`,
  );
  console.log(
    `signals: ${perSignal.size} signals published on cutover:bench, ${delivered.toLocaleString('en-US')} deliveries of ` +
      `${expected.toLocaleString('en-US')} expected (${expected ? ((100 * delivered) / expected).toFixed(2) : 'NaN'}%) to ${connected} subscribers; ` +
      `delivery latency p50 ${percentile(delivery, 50).toFixed(0)} ms, p95 ${percentile(delivery, 95).toFixed(0)} ms, p99 ${percentile(delivery, 99).toFixed(0)} ms ` +
      `(from publication; the publisher coalesces changes for up to 250 ms before it); connections open at end ${openAtEnd}, ` +
      `dropped ${dropped}, failed connect attempts ${failedConnects}`,
  );
  console.log(
    `load average ${loadAtEnd} at the end of the measured phase; backend event loop busy ${(100 * elu).toFixed(0)}% of the time, ` +
      `its delay p99 ${(loopDelay.percentile(99) / 1e6).toFixed(0)} ms, max ${(loopDelay.max / 1e6).toFixed(0)} ms; ` +
      `this process (backend + load workers) used ${cpuShare.toFixed(2)} of the machine's ${os.cpus().length} CPUs`,
  );

  const checks: Array<[string, boolean]> = [
    [`${SUBSCRIBERS} subscribers connected and still open`, connected === SUBSCRIBERS && openAtEnd === SUBSCRIBERS && dropped === 0],
    [`dashboard at ${DASHBOARD_RPS}/s (>= 95% of requests sent and answered, no errors)`, dash.length >= 0.95 * DASHBOARD_RPS * SECONDS && dashErrors === 0],
    [`dashboard p95 < ${TARGET_P95_MS} ms`, percentile(dash, 95) < TARGET_P95_MS],
    ['ingest running without errors', ingested > 0 && writeErrors === 0],
    ['every signal delivered to every subscriber', perSignal.size > 0 && delivered === expected],
  ];
  for (const [what, ok] of checks) console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  console.log(checks.every(([, ok]) => ok) ? 'PASS' : 'FAIL');

  await backend.stop();
  await knex.destroy();
}

main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
