/**
 * The demo migration job of the example portal. It really migrates generated data from a legacy
 * SQLite database to a new one, dataset by dataset (tier 1 first), validating rows as it goes, and
 * reports progress, quality, errors and phases to Switchyard through the typed client. It honours
 * pause and cancel from the portal.
 *
 * Environment: CUTOVER_URL, CUTOVER_TOKEN; DEMO_DIR (where the databases go), DEMO_PACE_MS (delay
 * between chunks, default 1000), DEMO_CHUNK (rows per chunk, default 200).
 */
import {
  CutoverClient,
  layOutPlan,
  MetricSample,
  MilestoneUpdate,
  PhaseUpdate,
  SubTaskUpdate,
} from '@switchyard/plugin-cutover-common';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import {
  createInventoryDatabases,
  createLegacyDatabase,
  createNewDatabase,
  SIZES,
} from './data';
import {
  DatasetTally,
  emptyTally,
  moveChunk,
  qualityOf,
  resourcesOf,
} from './migrate';

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const DAY = 86_400_000;

function log(message: string) {
  process.stdout.write(`[demo-job] ${message}\n`);
}

/**
 * The example portal keeps its data in memory, so a backend restarted in development (when files
 * change) no longer knows the migration: on a 404 the job calls `onLost` (which applies the plans
 * again and replays what it reported), once per call, and tries the call again. Network errors and
 * a backend answering 502/503/504 are the client's to retry (see `retry` below).
 */
function resilient(
  client: CutoverClient,
  onLost: () => Promise<void>,
): CutoverClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || prop === 'request') return value;
      return async (...args: unknown[]) => {
        const deadline = Date.now() + 120_000;
        let restored = false;
        for (let delay = 500; ; delay = Math.min(delay * 2, 10_000)) {
          try {
            return await value.apply(target, args);
          } catch (e: any) {
            const lost =
              e?.response?.status === 404 &&
              !restored &&
              prop !== 'applyPlan' &&
              Date.now() + delay < deadline;
            if (!lost) throw e;
            // Either the plugin is not mounted yet (a backend still starting) or the data is gone.
            log(
              'the backend no longer knows the migration (restarted on an in-memory database?): applying the plans again',
            );
            try {
              await onLost();
              restored = true;
            } catch (again: any) {
              log(`not yet (${again?.message}); retrying in ${delay} ms`);
              await sleep(delay);
            }
          }
        }
      };
    },
  });
}

/** Runs the demo migration. @public */
export async function runDemo(options: {
  url: string;
  token?: string;
  dir: string;
  paceMs: number;
  chunk: number;
  examplesDir: string;
}) {
  // The example plans carry a calendar of their own; the demo lays them out from the moment it
  // starts: orders-v2 began a day ago (the timeline's "today" falls inside its first phase, on
  // schedule), billing-ledger starts in two weeks, search-index (another team's) began five days
  // ago and is half way. The same dates are replayed after a restart.
  const startedAt = Date.now();
  const read = (file: string) =>
    YAML.parse(
      fs.readFileSync(
        path.join(options.examplesDir, 'migrations', file),
        'utf8',
      ),
    );
  const plan = layOutPlan(read('orders-v2.yaml'), startedAt - DAY);
  const other = layOutPlan(read('billing-ledger.yaml'), startedAt + 14 * DAY);
  const third = layOutPlan(read('search-index.yaml'), startedAt - 5 * DAY);
  for (const d of plan.datasets)
    d.totalRecords = SIZES[d.name as keyof typeof SIZES];
  const id: string = plan.id;
  const tallies = new Map<string, DatasetTally>(
    plan.datasets.map((d: any) => [d.name, emptyTally(d.totalRecords)]),
  );
  const sampleOf =
    (at: string) =>
    (name: string): MetricSample => {
      const t = tallies.get(name)!;
      return {
        dataset: name,
        at,
        totalRecords: t.total,
        importedRecords: t.imported,
        failedRecords: t.failed,
        skippedRecords: t.skipped,
        ...qualityOf(t),
        errors: {
          critical: t.critical,
          high: t.high,
          medium: t.medium,
          low: t.low,
        },
        // Bytes, CPU, memory, cost and errors by type: the resources panel and the drawer.
        ...resourcesOf(t),
      };
    };

  // A restarting backend must not end the job: idempotent calls are retried for about two
  // minutes. Samples carry an idempotency key, so that a retried report applies once.
  const raw = CutoverClient.fromBaseUrl(options.url, {
    token: options.token,
    retry: {
      retries: 20,
      minDelayMs: 500,
      maxDelayMs: 10_000,
      onRetry: e =>
        log(`backend unavailable (${e.reason}); retrying in ${e.delayMs} ms`),
    },
  });
  let reports = 0;
  const reportKey = () => `demo-${startedAt}-${++reports}`;
  /** What the job reported to phases and milestones, to replay after a restart lost it. */
  const phases = new Map<string, PhaseUpdate>();
  const milestones = new Map<string, MilestoneUpdate>();
  const subTasks = new Map<
    string,
    { phaseId: string; subTaskId: string; update: SubTaskUpdate }
  >();
  const client = resilient(raw, async () => {
    await raw.applyPlan(plan);
    await raw.applyPlan(other);
    await raw.applyPlan(third);
    await raw.reportMetrics(
      id,
      [...tallies.keys()].map(sampleOf(new Date().toISOString())),
      { idempotencyKey: reportKey() },
    );
    for (const [phaseId, update] of phases)
      await raw.putPhase(id, phaseId, update);
    for (const [milestoneId, update] of milestones)
      await raw.putMilestone(id, milestoneId, update);
    for (const { phaseId, subTaskId, update } of subTasks.values())
      await raw.updateSubTask(id, phaseId, subTaskId, update);
  });
  const putPhase = (phaseId: string, update: PhaseUpdate) => {
    phases.set(phaseId, { ...phases.get(phaseId), ...update });
    return client.putPhase(id, phaseId, update);
  };
  /** The one sub-task the plan gives each phase: the phase's progress rolls up from it. */
  const subTaskOf = (phaseId: string): string =>
    plan.phases.find((p: any) => p.id === phaseId)?.subTasks?.[0]?.id;
  const updateSubTask = (phaseId: string, update: SubTaskUpdate) => {
    const subTaskId = subTaskOf(phaseId);
    if (!subTaskId) return Promise.resolve(undefined);
    const key = `${phaseId}/${subTaskId}`;
    subTasks.set(key, {
      phaseId,
      subTaskId,
      update: { ...subTasks.get(key)?.update, ...update },
    });
    return client.updateSubTask(id, phaseId, subTaskId, update);
  };
  const putMilestone = (milestoneId: string, update: MilestoneUpdate) => {
    milestones.set(milestoneId, { ...milestones.get(milestoneId), ...update });
    return client.putMilestone(id, milestoneId, update);
  };

  fs.mkdirSync(options.dir, { recursive: true });
  log(`generating the legacy database in ${options.dir}`);
  const legacy = createLegacyDatabase(path.join(options.dir, 'legacy.db'));
  const target = createNewDatabase(path.join(options.dir, 'new.db'));
  createInventoryDatabases(options.dir);

  // The portal's catalog loads its entities a few seconds after the backend starts; until it knows
  // the plans' owners and approvers, applying a plan is refused (400 naming them): wait for it.
  for (const p of [plan, other, third]) {
    for (let waited = 0; ; waited += 2000) {
      try {
        await client.applyPlan(p);
        break;
      } catch (e: any) {
        const catalogLoading =
          e?.response?.status === 400 &&
          /in the catalog/.test(String(e?.body?.error?.message ?? e?.message));
        if (!catalogLoading || waited > 180_000) throw e;
        if (!waited)
          log(
            "the catalog does not know the plan's owner or approvers yet; waiting for it to load",
          );
        await sleep(2000);
      }
    }
  }
  log(`applied plans "${plan.id}", "${other.id}" and "${third.id}"`);
  // The search team's job reported for a while: its index is half rebuilt, with one open alert.
  await reportSearchProgress(client, third.id, startedAt);

  const report = async (names: string[]) => {
    await client.reportMetrics(
      id,
      names.map(sampleOf(new Date().toISOString())),
      { idempotencyKey: reportKey() },
    );
  };

  /**
   * Waits while paused (the migration, or the phase moving `dataset`); returns false when
   * cancelled.
   */
  const mayContinue = async (dataset?: string): Promise<boolean> => {
    for (;;) {
      const { controlState } = await client.getControl(
        id,
        dataset ? { dataset } : undefined,
      );
      if (controlState === 'RUN') return true;
      if (controlState === 'CANCEL') return false;
      await sleep(2000);
    }
  };

  await putPhase('extract', { status: 'IN_PROGRESS' });
  await updateSubTask('extract', { progressPercent: 50 });
  await report(plan.datasets.map((d: any) => d.name));
  await sleep(options.paceMs);
  await updateSubTask('extract', { status: 'COMPLETED' });
  await putPhase('extract', { status: 'COMPLETED' });

  const tiers: Array<[string, string[]]> = [
    [
      'tier1',
      plan.datasets.filter((d: any) => d.tier === 1).map((d: any) => d.name),
    ],
    [
      'tier2',
      plan.datasets.filter((d: any) => d.tier === 2).map((d: any) => d.name),
    ],
  ];
  for (const [phaseId, names] of tiers) {
    await putPhase(phaseId, { status: 'IN_PROGRESS' });
    const tierTotal = names.reduce((s, n) => s + tallies.get(n)!.total, 0);
    for (const name of names) {
      const tally = tallies.get(name)!;
      log(`moving ${name} (${tally.total} rows)`);
      for (let offset = 0; offset < tally.total; ) {
        if (!(await mayContinue(name))) {
          log('migration cancelled from the portal: stopping');
          return;
        }
        offset += moveChunk(legacy, target, name, offset, options.chunk, tally);
        await report([name]);
        const done = names.reduce((s, n) => {
          const t = tallies.get(n)!;
          return s + t.imported + t.failed + t.skipped;
        }, 0);
        // The phase's one sub-task carries the progress; the phase rolls up from it.
        await updateSubTask(phaseId, {
          progressPercent: Math.min(99, Math.floor((done / tierTotal) * 100)),
        });
        await sleep(options.paceMs);
      }
    }
    await updateSubTask(phaseId, { status: 'COMPLETED' });
    await putPhase(phaseId, { status: 'COMPLETED' });
    if (phaseId === 'tier1')
      await putMilestone('master-data', { completed: true });
  }
  await putPhase('validate', { status: 'IN_PROGRESS' });
  await updateSubTask('validate', { progressPercent: 10 });
  log(
    'all datasets moved; validation phase started (the rest of the cutover is for people to decide)',
  );
}

if (require.main === module) {
  // run.sh starts the job from examples/demo.
  const examplesDir =
    process.env.EXAMPLES_DIR ?? path.resolve(process.cwd(), '..');
  runDemo({
    url: process.env.CUTOVER_URL ?? 'http://localhost:7007/api/cutover',
    token: process.env.CUTOVER_TOKEN,
    dir:
      process.env.DEMO_DIR ?? path.resolve(examplesDir, '../.switchyard/demo'),
    paceMs: Number(process.env.DEMO_PACE_MS ?? 1000),
    chunk: Number(process.env.DEMO_CHUNK ?? 200),
    examplesDir,
  }).catch(e => {
    process.stderr.write(`[demo-job] failed: ${e?.stack ?? e}\n`);
    process.exitCode = 1;
  });
}

/** What the search team's (imagined) job reported so far: two samples four minutes apart (the portal's rate window is five), one alert. */
async function reportSearchProgress(
  client: CutoverClient,
  id: string,
  now: number,
) {
  const MINUTE = 60_000;
  const at = (ms: number) => new Date(now + ms).toISOString();
  const existing = await client.listAlerts(id, { status: 'OPEN' }).catch(() => undefined);
  await client.reportMetrics(
    id,
    [
      { dataset: 'products_index', at: at(-4 * MINUTE), importedRecords: 52000, completeness: 99, validity: 97 },
      { dataset: 'suggestions', at: at(-4 * MINUTE), importedRecords: 90000, completeness: 96, validity: 92 },
      { dataset: 'products_index', at: at(0), importedRecords: 61000, failedRecords: 120, completeness: 99, validity: 97 },
      { dataset: 'suggestions', at: at(0), importedRecords: 118000, failedRecords: 900, completeness: 95, validity: 91 },
    ],
    { idempotencyKey: `demo-search-${now}` },
  );
  if (!existing?.items.some(a => a.title === 'Suggestion ranking differs')) {
    await client.raiseAlert(id, {
      alertType: 'WARNING',
      severity: 'HIGH',
      title: 'Suggestion ranking differs',
      message: 'Top-10 suggestions differ from the legacy cluster for 4% of sampled queries',
      dataset: 'suggestions',
    });
  }
  log(`reported progress of "${id}"`);
}
