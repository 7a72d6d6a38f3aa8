import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import eventsPlugin from '@backstage/plugin-events-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import signalsPlugin from '@backstage/plugin-signals-backend';
import {
  cutoverReconcilersExtensionPoint,
  cutoverSnapshotProvidersExtensionPoint,
  Reconciler,
  SnapshotProvider,
} from '@switchyard/plugin-cutover-node';
import { Knex } from 'knex';
import { WebSocket } from 'ws';
import { as, startCutoverBackend, testPlan } from '../__testUtils__/backend';
import { cutoverTestDatabases } from '../__testUtils__/databases';
import { CutoverConnections } from '../snapshots/connections';
import { KnexSnapshotProvider } from '../snapshots/KnexSnapshotProvider';

/*
 * Two backend instances on one PostgreSQL database, as a scaled-out deployment runs them: data
 * written through one is served by the other, signals cross instances through the events bus
 * (events-backend stores events in the database and wakes the other instances with NOTIFY),
 * scheduled work runs once, and background jobs run on the instance that accepted them.
 */

jest.setTimeout(180_000);

const databases = cutoverTestDatabases();
const onPostgres = databases
  .eachSupportedId()
  .some(([id]) => id === 'POSTGRES_15');
const m = '/api/cutover/migrations/orders-v2';
const channel = 'cutover:orders-v2';

type Features = NonNullable<
  Parameters<typeof startCutoverBackend>[0]['extraFeatures']
>;
type Instance = Awaited<ReturnType<typeof startCutoverBackend>> & {
  name: string;
  port: number;
};

/** A job step done by a provider or reconciler, and on which instance. */
interface Call {
  instance: string;
  op: 'snapshot' | 'restore' | 'reconcile';
  id: string;
}

/** Holds job steps while closed, to keep jobs running as long as a test needs. */
class Gate {
  private held?: Promise<void>;
  private release?: () => void;

  close() {
    this.held = new Promise(resolve => {
      this.release = resolve;
    });
  }

  open() {
    this.release?.();
    this.held = undefined;
  }

  async pass() {
    await this.held;
  }
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** The destination table snapshots copy and rollbacks restore. */
async function seedDestination(knex: Knex) {
  await knex.schema.createTable('dest_customers', t => {
    t.integer('id').primary();
    t.string('name', 100).notNullable();
  });
  await knex('dest_customers').insert(
    Array.from({ length: 50 }, (_, i) => ({
      id: i + 1,
      name: `Customer ${i + 1}`,
    })),
  );
}

/** A plan of the one table seedDestination fills, on the test connections. */
const customersPlan = () =>
  testPlan({
    source: { connection: 'src' },
    destination: { connection: 'dest' },
    datasets: [
      {
        name: 'customers',
        tier: 1,
        sourceTable: 'src_customers',
        destinationTable: 'dest_customers',
        keyColumns: ['id'],
        totalRecords: 50,
      },
    ],
  });

/** The built-in provider over the test database, recording each copy and restore with its instance. */
function recordingProvider(
  instance: string,
  knex: Knex,
  calls: Call[],
  gate: Gate,
): SnapshotProvider {
  const inner = new KnexSnapshotProvider(
    new CutoverConnections({ dest: knex }),
  );
  return {
    id: inner.id,
    supports: target => inner.supports(target),
    async create(snapshotId, target, progress) {
      calls.push({ instance, op: 'snapshot', id: snapshotId });
      await gate.pass();
      return inner.create(snapshotId, target, progress);
    },
    async restore(snapshotId, target, figures, progress) {
      calls.push({ instance, op: 'restore', id: snapshotId });
      await gate.pass();
      return inner.restore(snapshotId, target, figures, progress);
    },
    measure: target => inner.measure(target),
    delete: (snapshotId, target, figures) =>
      inner.delete(snapshotId, target, figures),
  };
}

/** A reconciler that finds no drift, recording each comparison with its instance. */
function recordingReconciler(
  instance: string,
  calls: Call[],
  gate: Gate,
): Reconciler {
  return {
    id: 'recording',
    supports: async () => true,
    async reconcile(source) {
      calls.push({ instance, op: 'reconcile', id: source.dataset });
      await gate.pass();
      return {
        sourceCount: 50,
        destinationCount: 50,
        missingInDestination: 0,
        missingInSource: 0,
        mismatched: 0,
        driftRatio: 0,
        sampleKeys: [],
      };
    },
  };
}

function jobsModule(instance: string, knex: Knex, calls: Call[], gate: Gate) {
  return createBackendModule({
    pluginId: 'cutover',
    moduleId: 'scale-out-jobs',
    register(reg) {
      reg.registerInit({
        deps: {
          providers: cutoverSnapshotProvidersExtensionPoint,
          reconcilers: cutoverReconcilersExtensionPoint,
        },
        async init({ providers, reconcilers }) {
          providers.addSnapshotProvider(
            recordingProvider(instance, knex, calls, gate),
          );
          reconcilers.addReconciler(recordingReconciler(instance, calls, gate));
        },
      });
    },
  });
}

/** Two instances on one fresh PostgreSQL database, started one after the other (both migrate). */
async function startPair(
  options: {
    signals?: boolean;
    jobs?: boolean;
    config?: Record<string, unknown>;
  } = {},
) {
  const knex = await databases.init('POSTGRES_15');
  const calls: Call[] = [];
  const gate = new Gate();
  const start = async (name: string): Promise<Instance> => {
    const extraFeatures: Features = [];
    if (options.signals) {
      // The real events service (instead of the test backend's in-process mock) publishes to
      // and polls the events backend, whose bus store is the shared database.
      extraFeatures.push(eventsServiceFactory, eventsPlugin, signalsPlugin);
    }
    if (options.jobs) extraFeatures.push(jobsModule(name, knex, calls, gate));
    // Short event-bus long polls, so that stopping an instance doesn't wait 55 s for them.
    const config = options.signals
      ? { events: { notifyTimeoutMs: 2000 }, ...options.config }
      : options.config;
    const started = await startCutoverBackend({ knex, config, extraFeatures });
    return { ...started, name, port: started.server.port() };
  };
  const a = await start('A');
  const b = await start('B');
  return { knex, a, b, calls, gate };
}

interface SignalClient {
  messages: Array<{
    channel: string;
    message: { migrationId: string; types: string[]; at: string };
  }>;
  until(count: number, timeoutMs?: number): Promise<void>;
  close(): void;
}

/**
 * A browser's signals connection: a websocket to /api/signals carrying the user token as its
 * subprotocol (what the signals frontend does), subscribed to one channel. The signals router
 * attaches its upgrade handler to the HTTP server only when the first upgrade request passes
 * through it, and that first request gets no answer: the client gives up on it and reconnects,
 * as the signals frontend does.
 */
async function connectSignals(
  port: number,
  subscribeTo: string,
): Promise<SignalClient> {
  let socket: WebSocket | undefined;
  for (let attempt = 1; attempt <= 5 && !socket; attempt++) {
    const ws = new WebSocket(
      `ws://127.0.0.1:${port}/api/signals`,
      mockCredentials.user.token(),
    );
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
    if (opened) {
      socket = ws;
    } else {
      ws.terminate();
      await sleep(100);
    }
  }
  if (!socket)
    throw new Error(`Could not open a signals connection to port ${port}`);
  const messages: SignalClient['messages'] = [];
  socket.on('message', data => messages.push(JSON.parse(String(data))));
  socket.send(JSON.stringify({ action: 'subscribe', channel: subscribeTo }));
  // The subscription is registered when the server reads the message; give it a moment.
  await sleep(200);
  const open = socket;
  return {
    messages,
    async until(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline)
          throw new Error(
            `Expected ${count} signal(s) on port ${port}, got ${messages.length}`,
          );
        await sleep(25);
      }
    },
    close: () => open.close(),
  };
}

async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}: ${JSON.stringify(value)}`,
      );
    await sleep(50);
  }
}

/** Triggers a task on both instances at once, repeatedly, for `ms`. */
async function keepTriggering(instances: Instance[], task: string, ms: number) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await Promise.all(instances.map(i => i.scheduler.triggerTask(task)));
    await sleep(200);
  }
}

const statuses = (responses: Array<{ status: number }>) =>
  responses.map(r => r.status).sort((x, y) => x - y);

if (!onPostgres) {
  // eslint-disable-next-line no-console
  console.info(
    'scaleOut.test.ts skipped: it needs PostgreSQL (SWITCHYARD_TEST_DATABASES must include POSTGRES_15, with BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING set)',
  );
}

(onPostgres ? describe : describe.skip)(
  'two backend instances on one PostgreSQL database (skipped without POSTGRES_15)',
  () => {
    it('serves a sample ingested through one instance on the other instance', async () => {
      const { a, b } = await startPair();
      expect(
        (await a.api().put(m).set('authorization', as.job).send(testPlan()))
          .status,
      ).toBe(201);
      const t0 = Date.now() - 60_000;
      await a
        .api()
        .post(`${m}/metrics`)
        .set('authorization', as.job)
        .send({
          samples: [
            {
              dataset: 'customers',
              at: new Date(t0).toISOString(),
              importedRecords: 400,
              validity: 93,
            },
          ],
        });
      const onB = (
        await b.api().get(`${m}/dashboard`).set('authorization', as.reader)
      ).body;
      expect(onB.status).toBe('IN_PROGRESS');
      expect(
        onB.datasets.find((d: any) => d.name === 'customers'),
      ).toMatchObject({ importedRecords: 400, validity: 93 });

      // And back: a newer sample through B is what A shows.
      await b
        .api()
        .post(`${m}/metrics`)
        .set('authorization', as.job)
        .send({
          samples: [
            {
              dataset: 'customers',
              at: new Date(t0 + 30_000).toISOString(),
              importedRecords: 650,
            },
          ],
        });
      const onA = (
        await a.api().get(`${m}/dashboard`).set('authorization', as.reader)
      ).body;
      expect(
        onA.datasets.find((d: any) => d.name === 'customers'),
      ).toMatchObject({ importedRecords: 650, validity: 93 });
      expect(onA.importedRecords).toBe(650);
    });

    it('delivers a signal published on one instance to subscribers connected to the other, once', async () => {
      const { a, b } = await startPair({ signals: true });
      expect(
        (await a.api().put(m).set('authorization', as.job).send(testPlan()))
          .status,
      ).toBe(201);
      const onA = await connectSignals(a.port, channel);
      const onB = await connectSignals(b.port, channel);
      try {
        // Ingest through A: A's signals reach B's subscriber through the events bus.
        await a
          .api()
          .post(`${m}/metrics`)
          .set('authorization', as.job)
          .send({
            samples: [
              { dataset: 'customers', importedRecords: 100, completeness: 97 },
            ],
          });
        await onB.until(1);
        expect(onB.messages[0]).toMatchObject({
          channel,
          message: {
            migrationId: 'orders-v2',
            types: expect.arrayContaining(['progress']),
          },
        });
        await onA.until(1);

        // Ingest through B: B's signals reach A's subscriber.
        const seen = onA.messages.length;
        await sleep(500); // past the publisher's coalescing window, so this is a signal of its own
        await b
          .api()
          .post(`${m}/metrics`)
          .set('authorization', as.job)
          .send({ samples: [{ dataset: 'orders', importedRecords: 200 }] });
        await onA.until(seen + 1);
        expect(onA.messages.at(-1)!.message.types).toContain('progress');

        // Each subscriber saw every signal once, whichever instance published it.
        await sleep(1500);
        const key = (s: SignalClient['messages'][number]) =>
          `${s.message.at} ${s.message.types.join(',')}`;
        const fromA = onA.messages.map(key).sort();
        const fromB = onB.messages.map(key).sort();
        expect(fromA).toEqual(fromB);
        expect(new Set(fromA).size).toBe(fromA.length);
      } finally {
        onA.close();
        onB.close();
      }
    });

    it('delivers each due report slot once when both instances dispatch at the same time', async () => {
      const { knex, a, b } = await startPair();
      expect(
        (await a.api().put(m).set('authorization', as.job).send(testPlan()))
          .status,
      ).toBe(201);
      const schedule = {
        reportType: 'AUDIT_TRAIL',
        format: 'CSV',
        frequency: 'DAILY',
        time: '09:00',
        timezone: 'Europe/Berlin',
        recipients: ['group:default/cutover-approvers'],
      };
      const ids: string[] = [];
      for (const [i, instance] of [a, b, a].entries()) {
        const created = await instance
          .api()
          .post(`${m}/report-schedules`)
          .set('authorization', as.owner)
          .send({ ...schedule, name: `Daily ${i}` });
        expect(created.status).toBe(201);
        ids.push(created.body.id);
      }
      await knex('cutover_report_schedules').update({
        next_run_at: Date.now() - 60_000,
      });
      for (let round = 0; round < 3; round++) {
        await Promise.all([
          a.scheduler.triggerTask('cutover-report-dispatcher'),
          b.scheduler.triggerTask('cutover-report-dispatcher'),
        ]);
      }
      const sent = [...a.notifications, ...b.notifications].filter(
        n => n.payload.topic === 'cutover:orders-v2:reports',
      );
      expect(sent).toHaveLength(3);
      const links = sent.map(n => n.payload.link).sort();
      const delivered = [];
      for (const id of ids) {
        delivered.push(
          (
            await b
              .api()
              .get(`${m}/report-schedules/${id}`)
              .set('authorization', as.owner)
          ).body.lastReportUrl,
        );
      }
      expect(delivered.sort()).toEqual(links);
      expect(
        Number(
          (await knex('cutover_stored_reports').count({ n: '*' }).first())!.n,
        ),
      ).toBe(3);
    });

    it('starts each due scheduled snapshot and reconciliation once, and moves a freeze window once, when both instances run the tasks at the same time', async () => {
      const { knex, a, b, calls } = await startPair({ jobs: true });
      await seedDestination(knex);
      const plan = customersPlan();
      expect(
        (await a.api().put(m).set('authorization', as.job).send(plan)).status,
      ).toBe(201);
      const timing = { frequency: 'DAILY', time: '02:30', timezone: 'Europe/Berlin' };
      for (const [kind, instance] of [
        ['snapshot', a],
        ['reconciliation', b],
      ] as const) {
        const created = await instance
          .api()
          .post(`${m}/${kind}-schedules`)
          .set('authorization', as.owner)
          .send({ name: `Nightly ${kind}`, ...timing });
        expect(created.status).toBe(201);
      }
      const window = await a
        .api()
        .post(`${m}/freeze-windows`)
        .set('authorization', as.owner)
        .send({
          name: 'Cutover night',
          datasets: ['customers'],
          startsAt: new Date(Date.now() + 60 * 60_000).toISOString(),
          endsAt: new Date(Date.now() + 3 * 60 * 60_000).toISOString(),
        });
      expect(window.status).toBe(201);
      // The slots and the window's start come (a minute ago), as if both instances had been waiting.
      await knex('cutover_operation_schedules').update({ next_run_at: Date.now() - 60_000 });
      await knex('cutover_freeze_windows').update({ starts_at: Date.now() - 60_000 });
      for (let round = 0; round < 3; round++) {
        await Promise.all([
          a.scheduler.triggerTask('cutover-operation-schedules'),
          b.scheduler.triggerTask('cutover-operation-schedules'),
          a.scheduler.triggerTask('cutover-freeze-windows'),
          b.scheduler.triggerTask('cutover-freeze-windows'),
        ]);
      }
      const snapshots = (await a.api().get(`${m}/snapshots`).set('authorization', as.reader)).body.items;
      const runs = (await b.api().get(`${m}/reconciliations`).set('authorization', as.reader)).body.items;
      expect(snapshots).toHaveLength(1);
      expect(runs).toHaveLength(1);
      expect(runs[0].trigger).toBe('SCHEDULED');
      await until(
        async () => calls.filter(c => c.op === 'snapshot' || c.op === 'reconcile').length,
        n => n === 2,
        'the snapshot and the reconciliation to run',
      );
      const windows = (await b.api().get(`${m}/freeze-windows`).set('authorization', as.reader)).body.items;
      expect(windows[0]).toMatchObject({ status: 'ACTIVE', activatedBy: 'switchyard' });
      const activations = [...a.notifications, ...b.notifications].filter(n =>
        n.payload.title.startsWith('Freeze window activated'),
      );
      expect(activations).toHaveLength(1);
      const audit = (await a.api().get(`${m}/audit?limit=200`).set('authorization', as.reader)).body.items;
      expect(audit.filter((e: any) => e.action === 'freeze.activate')).toHaveLength(1);
    });

    it('escalates an overdue alert once per level when both instances run the alert task at the same time', async () => {
      const { knex, a, b } = await startPair({
        config: { cutover: { alerts: { sla: { CRITICAL: { minutes: 30 } } } } },
      });
      expect(
        (await a.api().put(m).set('authorization', as.job).send(testPlan()))
          .status,
      ).toBe(201);
      const raised = await a
        .api()
        .post(`${m}/alerts`)
        .set('authorization', as.job)
        .send({
          alertType: 'ERROR',
          severity: 'CRITICAL',
          title: 'Loader crashed',
        });
      expect(raised.status).toBe(201);
      const escalations = () =>
        [...a.notifications, ...b.notifications].filter(n =>
          /^(Overdue|Escalated) CRITICAL alert: Loader crashed$/.test(
            n.payload.title,
          ),
        );
      const bothRun = async () => {
        await Promise.all([
          a.scheduler.triggerTask('cutover-alerts'),
          b.scheduler.triggerTask('cutover-alerts'),
        ]);
      };

      await knex('cutover_alerts')
        .where({ id: raised.body.id })
        .update({ target_resolution_time: Date.now() - 1000 });
      await bothRun();
      await bothRun();
      expect(escalations().map(n => n.payload.title)).toEqual([
        'Overdue CRITICAL alert: Loader crashed',
      ]);

      // One SLA period past the deadline: the second level, once.
      await knex('cutover_alerts')
        .where({ id: raised.body.id })
        .update({ target_resolution_time: Date.now() - 31 * 60_000 });
      await bothRun();
      await bothRun();
      expect(escalations().map(n => n.payload.title)).toEqual([
        'Overdue CRITICAL alert: Loader crashed',
        'Escalated CRITICAL alert: Loader crashed',
      ]);
      const audit = (
        await b
          .api()
          .get(`${m}/audit?limit=100`)
          .set('authorization', as.reader)
      ).body.items;
      expect(
        audit.filter((e: any) => e.action === 'alert.escalate'),
      ).toHaveLength(2);
    });

    it('runs each snapshot, rollback and reconciliation on the instance that accepted it, kept alive there by its heartbeat', async () => {
      const { knex, a, b, calls, gate } = await startPair({
        jobs: true,
        config: {
          cutover: {
            snapshots: {
              heartbeat: { milliseconds: 200 },
              staleAfter: { seconds: 1 },
            },
            // Reconciliation heartbeats every 5 s (not configurable).
            reconciliation: { staleAfter: { seconds: 6 } },
          },
        },
      });
      await seedDestination(knex);
      const plan = customersPlan();
      expect(
        (await a.api().put(m).set('authorization', as.job).send(plan)).status,
      ).toBe(201);
      const both = [a, b];
      const read = (path: string) => async () =>
        (await b.api().get(path).set('authorization', as.reader)).body;
      const finished = (x: any) =>
        x.status === 'SUCCEEDED' || x.status === 'FAILED';

      // Snapshots: one accepted by each instance, held several stale periods while both sweep.
      gate.close();
      const accepted = await Promise.all(
        both.map(i =>
          i
            .api()
            .post(`${m}/snapshots`)
            .set('authorization', as.owner)
            .send({ name: `Taken on ${i.name}` }),
        ),
      );
      expect(statuses(accepted)).toEqual([202, 202]);
      await until(
        async () => calls.filter(c => c.op === 'snapshot').length,
        n => n === 2,
        'both snapshots to start',
      );
      await keepTriggering(both, 'cutover-snapshot-sweep', 3000);
      for (const res of accepted) {
        expect((await read(`${m}/snapshots/${res.body.id}`)()).status).toBe(
          'RUNNING',
        );
      }
      gate.open();
      for (const [i, res] of accepted.entries()) {
        const done = await until(
          read(`${m}/snapshots/${res.body.id}`),
          finished,
          'snapshot',
        );
        expect(done.status).toBe('SUCCEEDED');
        expect(
          calls
            .filter(c => c.op === 'snapshot' && c.id === res.body.id)
            .map(c => c.instance),
        ).toEqual([both[i].name]);
      }
      const snapshotId = accepted[0].body.id;

      // Rollbacks: the same request to both instances at once; one runs, the other is refused.
      await knex('dest_customers').where('id', '<=', 5).delete();
      gate.close();
      const rollbacks = await Promise.all(
        both.map(i =>
          i.api().post(`${m}/rollbacks`).set('authorization', as.owner).send({
            snapshotId,
            createBackup: false,
            verifyAfter: true,
            reason: 'scale-out test',
          }),
        ),
      );
      expect(statuses(rollbacks)).toEqual([202, 409]);
      const winner = rollbacks[0].status === 202 ? 0 : 1;
      expect(rollbacks[1 - winner].body.error.message).toMatch(
        /Another rollback of orders-v2 is running/,
      );
      const rollbackId = rollbacks[winner].body.id;
      await until(
        async () => calls.filter(c => c.op === 'restore').length,
        n => n === 1,
        'the restore to start',
      );
      await keepTriggering(both, 'cutover-snapshot-sweep', 3000);
      expect((await read(`${m}/rollbacks/${rollbackId}`)()).status).toBe(
        'RUNNING',
      );
      gate.open();
      const restored = await until(
        read(`${m}/rollbacks/${rollbackId}`),
        finished,
        'rollback',
      );
      expect(restored).toMatchObject({
        status: 'SUCCEEDED',
        verified: true,
        recordsRestored: 5,
      });
      expect(
        calls.filter(c => c.op === 'restore').map(c => c.instance),
      ).toEqual([both[winner].name]);
      expect(
        Number((await knex('dest_customers').count({ n: '*' }).first())!.n),
      ).toBe(50);

      // Reconciliations: likewise, held past the stale period while both instances run the task
      // that fails abandoned runs.
      gate.close();
      const runs = await Promise.all(
        both.map(i =>
          i
            .api()
            .post(`${m}/reconciliations`)
            .set('authorization', as.owner)
            .send({}),
        ),
      );
      expect(statuses(runs)).toEqual([202, 409]);
      const runWinner = runs[0].status === 202 ? 0 : 1;
      expect(runs[1 - runWinner].body.error.message).toMatch(/already running/);
      const runId = runs[runWinner].body.id;
      await until(
        async () => calls.filter(c => c.op === 'reconcile').length,
        n => n === 1,
        'the reconciliation to start',
      );
      await keepTriggering(both, 'cutover-reconcile', 7500);
      expect((await read(`${m}/reconciliations/${runId}`)()).status).toBe(
        'RUNNING',
      );
      gate.open();
      const run = await until(
        read(`${m}/reconciliations/${runId}`),
        finished,
        'reconciliation',
      );
      expect(run.status).toBe('SUCCEEDED');
      expect(
        calls.filter(c => c.op === 'reconcile').map(c => c.instance),
      ).toEqual([both[runWinner].name]);
    });
  },
);
