// Load generator for the benchmarks, in a worker thread so the backend under test has its own
// event loop. Writers post metric batches; readers fetch the dashboard and record latencies.
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';

const { baseUrl, role, durationMs, auth, names, batch, firstAt, startImported, writer } = workerData;
const until = performance.now() + durationMs;
const latencies = [];
let done = 0;
let errors = 0;
let round = 0;

async function once() {
  const started = performance.now();
  let ok = false;
  try {
    if (role === 'writer') {
      round += 1;
      const samples = [];
      const per = batch / names.length;
      for (let i = 0; i < batch; i++) {
        const k = Math.floor(i / names.length);
        samples.push({
          dataset: names[i % names.length],
          at: new Date(firstAt + (round * per + k) * 10 + writer).toISOString(),
          importedRecords: startImported + round * per + k,
          completeness: 99,
          validity: 97,
        });
      }
      const res = await fetch(`${baseUrl}/migrations/bench/metrics`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({ samples }),
      });
      await res.text();
      ok = res.status === 200;
      if (ok) done += samples.length;
    } else {
      const res = await fetch(`${baseUrl}/migrations/bench/dashboard`, { headers: { authorization: auth } });
      const body = await res.json();
      ok = res.status === 200 && body.datasets.length === workerData.expectDatasets;
      if (ok) done += 1;
    }
  } catch {
    ok = false;
  }
  latencies.push(performance.now() - started);
  if (!ok) errors += 1;
}

if (workerData.intervalMs) {
  // Open loop: requests leave on schedule whether or not earlier ones have answered, so a slow
  // server shows as latency, not as fewer requests.
  const pending = [];
  const start = performance.now();
  for (let k = 0; start + k * workerData.intervalMs < until; k++) {
    const wait = start + k * workerData.intervalMs - performance.now();
    if (wait > 0) await new Promise(r => setTimeout(r, wait));
    pending.push(once());
  }
  await Promise.all(pending);
} else {
  while (performance.now() < until) await once();
}
parentPort.postMessage({ done, errors, latencies });
