import { cutoverTestDatabases } from '../__testUtils__/databases';
import {
  as,
  startCutoverBackend,
  TestClock,
  testPlan,
} from '../__testUtils__/backend';

jest.setTimeout(60_000);

const databases = cutoverTestDatabases();
const MINUTE = 60_000;

describe.each(databases.eachSupportedId())(
  'sub-tasks, phase pause, resources and paused samples on %s',
  databaseId => {
    async function setup(config?: Record<string, unknown>) {
      const knex = await databases.init(databaseId);
      const clock = new TestClock().pin(Date.now());
      const started = await startCutoverBackend({ knex, clock, config });
      const plan = testPlan(
        {
          phases: [
            {
              id: 'extract',
              name: 'Data extraction',
              dependsOn: [],
              datasets: ['customers'],
              subTasks: [
                { id: 'dump', name: 'Dump tables' },
                { id: 'verify', name: 'Verify dumps' },
              ],
            },
            {
              id: 'load',
              name: 'Load',
              dependsOn: ['extract'],
              datasets: ['orders'],
            },
          ],
        },
        clock.now(),
      );
      const created = await started
        .api()
        .put('/api/cutover/migrations/orders-v2')
        .set('authorization', as.owner)
        .send(plan);
      expect(created.status).toBe(201);
      const api = started.api;
      const m = '/api/cutover/migrations/orders-v2';
      const post = (path: string, body: object, who = as.job) =>
        api().post(`${m}${path}`).set('authorization', who).send(body);
      const patch = (path: string, body: object, who = as.job) =>
        api().patch(`${m}${path}`).set('authorization', who).send(body);
      const get = (path: string, who = as.owner) =>
        api().get(`${m}${path}`).set('authorization', who);
      const audit = async () =>
        (await get('/audit?limit=200')).body.items as Array<{
          action: string;
          target: string | null;
          outcome: string;
          actor: string;
        }>;
      return { ...started, knex, clock, post, patch, get, audit, plan };
    }

    it('declares sub-tasks in the plan, adds, updates and completes them, rolling up into the phase', async () => {
      const { post, patch, get, audit } = await setup();
      const timeline = (await get('/timeline')).body;
      const extract = timeline.phases.find((p: any) => p.id === 'extract');
      expect(extract.subTasks).toEqual([
        { id: 'dump', name: 'Dump tables', status: 'PENDING', progressPercent: 0 },
        { id: 'verify', name: 'Verify dumps', status: 'PENDING', progressPercent: 0 },
      ]);
      expect(extract.datasets).toEqual(['customers']);

      const added = await post('/phases/extract/subtasks', {
        id: 'checksums',
        name: 'Checksums',
      });
      expect(added.status).toBe(201);
      expect(added.body.subTasks.map((t: any) => t.id)).toEqual([
        'dump',
        'verify',
        'checksums',
      ]);
      expect(
        (await post('/phases/extract/subtasks', { id: 'dump', name: 'Again' }))
          .status,
      ).toBe(409);

      const progressed = await patch('/phases/extract/subtasks/dump', {
        progressPercent: 60,
      });
      expect(progressed.status).toBe(200);
      // (60 + 0 + 0) / 3
      expect(progressed.body).toMatchObject({
        status: 'IN_PROGRESS',
        progressPercent: 20,
        actualStart: expect.any(String),
      });
      expect(progressed.body.subTasks[0]).toMatchObject({
        status: 'IN_PROGRESS',
        progressPercent: 60,
      });

      const skipped = await patch('/phases/extract/subtasks/checksums', {
        status: 'SKIPPED',
      });
      expect(skipped.body.progressPercent).toBe(30);

      const dump = await post('/phases/extract/subtasks/dump/complete', {});
      expect(dump.body.progressPercent).toBe(50);
      expect(dump.body.status).toBe('IN_PROGRESS');
      const all = await post('/phases/extract/subtasks/verify/complete', {});
      expect(all.body).toMatchObject({
        status: 'COMPLETED',
        progressPercent: 100,
        actualEnd: expect.any(String),
      });

      // Unknown sub-task: 404 naming it; bad body: 400 naming the field.
      const missing = await patch('/phases/extract/subtasks/nope', {
        progressPercent: 1,
      });
      expect(missing.status).toBe(404);
      expect(missing.body.error.message).toContain('"nope"');
      const bad = await patch('/phases/extract/subtasks/dump', {
        progressPercent: 140,
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain('progressPercent');
      const empty = await patch('/phases/extract/subtasks/dump', {});
      expect(empty.status).toBe(400);

      // Sub-tasks of a phase whose dependencies are unfinished may not start.
      await post('/phases/load/subtasks', { id: 'copy', name: 'Copy' });
      const early = await patch('/phases/extract/subtasks/dump', {
        status: 'IN_PROGRESS',
      });
      expect(early.status).toBe(200);
      const blocked = await patch('/phases/load/subtasks/copy', {
        progressPercent: 5,
      });
      expect(blocked.status).toBe(409);

      // A reader may not touch sub-tasks, and the refusal is audited.
      const refused = await patch(
        '/phases/extract/subtasks/dump',
        { progressPercent: 10 },
        as.reader,
      );
      expect(refused.status).toBe(403);
      const events = await audit();
      expect(events.map(e => e.action)).toEqual(
        expect.arrayContaining([
          'phase.subtask.create',
          'phase.subtask.update',
          'phase.subtask.complete',
        ]),
      );
      expect(
        events.some(
          e => e.outcome === 'failure' && e.actor === 'user:default/rita-reader',
        ),
      ).toBe(true);
    });

    it('pauses a phase: its datasets are told PAUSE, samples still taken and marked, resume clears it', async () => {
      const { post, get, audit, knex, clock } = await setup();
      // Jobs start.
      expect(
        (
          await post('/metrics', {
            samples: [
              { dataset: 'customers', importedRecords: 100 },
              { dataset: 'orders', importedRecords: 100 },
            ],
          })
        ).body,
      ).toEqual({ accepted: 2, duplicates: 0, datasets: ['customers', 'orders'] });

      // Only the owner (update permission) may pause; the refusal is audited.
      const refused = await post('/phases/extract/pause', {}, as.reader);
      expect(refused.status).toBe(403);
      const paused = await post(
        '/phases/extract/pause',
        { reason: 'source under load' },
        as.owner,
      );
      expect(paused.status).toBe(200);
      expect(paused.body).toMatchObject({
        paused: true,
        pausedBy: 'user:default/olivia-owner',
        pausedAt: expect.any(String),
      });

      const customers = await get('/control?dataset=customers', as.job);
      expect(customers.body).toEqual({
        controlState: 'PAUSE',
        status: 'IN_PROGRESS',
        dataset: 'customers',
        pausedPhases: ['extract'],
        pausedDatasets: ['customers'],
      });
      expect(
        (await get('/control?dataset=orders', as.job)).body.controlState,
      ).toBe('RUN');
      // Without a dataset: the migration's own control state, with what is paused.
      expect((await get('/control', as.job)).body).toMatchObject({
        controlState: 'RUN',
        pausedPhases: ['extract'],
      });
      const unknown = await get('/control?dataset=invoices', as.job);
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.message).toContain('"invoices"');

      // A job that keeps writing: accepted, marked.
      clock.advance(MINUTE);
      const ingest = await post('/metrics', {
        samples: [
          { dataset: 'customers', importedRecords: 150 },
          { dataset: 'orders', importedRecords: 200 },
        ],
      });
      expect(ingest.status).toBe(200);
      expect(ingest.body).toMatchObject({ accepted: 2, paused: 1 });
      const rows = await knex('cutover_metric_samples')
        .where({ migration_id: 'orders-v2' })
        .orderBy(['dataset', 'at']);
      expect(
        rows.map(r => [r.dataset, Number(r.imported_records), Boolean(r.paused)]),
      ).toEqual([
        ['customers', 100, false],
        ['customers', 150, true],
        ['orders', 100, false],
        ['orders', 200, false],
      ]);
      const dashboard = (await get('/dashboard')).body;
      expect(dashboard.writingWhilePaused).toEqual(['customers']);
      expect(dashboard.pausedPhases).toEqual(['extract']);
      const row = dashboard.datasets.find((d: any) => d.name === 'customers');
      expect(row).toMatchObject({
        writingWhilePaused: true,
        pausedByPhase: 'extract',
        importedRecords: 150,
      });

      // Pausing twice changes nothing; resuming clears it.
      expect((await post('/phases/extract/pause', {}, as.owner)).status).toBe(200);
      const resumed = await post('/phases/extract/resume', {}, as.owner);
      expect(resumed.body).toMatchObject({ paused: false, pausedAt: null });
      expect(
        (await get('/control?dataset=customers', as.job)).body,
      ).toEqual({ controlState: 'RUN', status: 'IN_PROGRESS', dataset: 'customers' });
      const after = (await get('/dashboard')).body;
      expect(after.writingWhilePaused).toBeUndefined();
      expect(after.pausedPhases).toBeUndefined();

      const actions = (await audit())
        .filter(e => e.target === 'phase:extract')
        .map(e => `${e.action}:${e.outcome}`);
      expect(actions).toEqual(
        expect.arrayContaining(['phase.pause:success', 'phase.resume:success']),
      );
      // Refused pause is in the trail too.
      expect(
        (await audit()).some(
          e => e.outcome === 'failure' && e.actor === 'user:default/rita-reader',
        ),
      ).toBe(true);

      // A finished phase has no jobs to pause.
      await post('/phases/extract/subtasks/dump/complete', {});
      await post('/phases/extract/subtasks/verify/complete', {});
      const finished = await post('/phases/extract/pause', {}, as.owner);
      expect(finished.status).toBe(409);
      expect(finished.body.error.message).toContain('COMPLETED');
      expect((await post('/phases/nope/pause', {}, as.owner)).status).toBe(404);
    });

    it('marks samples sent while the whole migration is paused, and says the job is still writing', async () => {
      const { post, get, api } = await setup();
      await post('/metrics', { samples: [{ dataset: 'orders', importedRecords: 10 }] });
      const pause = await api()
        .patch('/api/cutover/migrations/orders-v2')
        .set('authorization', as.owner)
        .send({ controlState: 'PAUSE' });
      expect(pause.status).toBe(200);
      const ingest = await post('/metrics', {
        samples: [{ dataset: 'orders', importedRecords: 20 }],
      });
      expect(ingest.body).toMatchObject({ accepted: 1, paused: 1 });
      const dashboard = (await get('/dashboard')).body;
      expect(dashboard.controlState).toBe('PAUSE');
      expect(dashboard.writingWhilePaused).toEqual(['orders']);
      expect(dashboard.importedRecords).toBe(20);
    });

    it('stores bytes, CPU, memory, cost and errors by type; projects the cost; leaves jobs that send none unchanged', async () => {
      const { post, get, clock } = await setup({
        cutover: { cost: { currency: 'EUR' } },
      });
      // A job that sends none of the new fields sees the dashboard and trends as before.
      await post('/metrics', {
        samples: [{ dataset: 'orders', importedRecords: 400, totalRecords: 4000 }],
      });
      const plain = (await get('/dashboard')).body;
      expect(plain.resources).toBeUndefined();
      expect(plain.datasets.every((d: any) => d.resources === undefined)).toBe(true);
      expect(plain.datasets.every((d: any) => d.errorsByType === undefined)).toBe(true);
      const plainTrends = (await get('/trends?range=1h&bucket=5m')).body;
      expect(plainTrends.bytesPerSecond).toBeUndefined();
      expect(plainTrends.cost).toBeUndefined();

      // Customers' job sends resources: 250 of 1000 records, then 500 of 1000 ten minutes on.
      await post('/metrics', {
        samples: [
          {
            dataset: 'customers',
            importedRecords: 250,
            bytesMoved: 1_000_000,
            cpuSeconds: 12.5,
            memoryPeakBytes: 300_000_000,
            cost: 2.5,
            errorsByType: { null_key: 2 },
          },
        ],
      });
      clock.advance(10 * MINUTE);
      const second = await post('/metrics', {
        samples: [
          {
            dataset: 'customers',
            importedRecords: 500,
            bytesMoved: 7_000_000,
            cpuSeconds: 30,
            memoryPeakBytes: 280_000_000,
            cost: 5,
            errorsByType: { null_key: 3, bad_date: 7 },
          },
        ],
      });
      expect(second.body.paused).toBeUndefined();
      const dashboard = (await get('/dashboard')).body;
      const customers = dashboard.datasets.find((d: any) => d.name === 'customers');
      expect(customers.resources).toEqual({
        bytesMoved: 7_000_000,
        // 6 MB over 10 minutes
        bytesPerSecond: 10_000,
        cpuSeconds: 30,
        memoryPeakBytes: 280_000_000,
        cost: 5,
        // half of its records handled
        projectedCost: 10,
        currency: 'EUR',
      });
      expect(customers.errorsByType).toEqual({ null_key: 3, bad_date: 7 });
      const orders = dashboard.datasets.find((d: any) => d.name === 'orders');
      expect(orders.resources).toBeUndefined();
      // The migration: 900 of 5000 records handled, cost 5 so far.
      expect(dashboard.resources).toMatchObject({
        bytesMoved: 7_000_000,
        cost: 5,
        projectedCost: Math.round((5 * 100 * 100) / 18) / 100,
        currency: 'EUR',
      });

      const trends = (await get('/trends?range=1h&bucket=5m&dataset=customers')).body;
      expect(trends.cost[trends.cost.length - 1]).toBe(5);
      expect(Math.max(...trends.bytesPerSecond)).toBeGreaterThan(0);

      // Bad input: 400 naming the field.
      const bad = await post('/metrics', {
        samples: [{ dataset: 'customers', errorsByType: { 'bad type!': 1 } }],
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain('errorsByType');
      const negative = await post('/metrics', {
        samples: [{ dataset: 'customers', cost: -1 }],
      });
      expect(negative.status).toBe(400);
      expect(negative.body.error.message).toContain('cost');
    });
  },
);
