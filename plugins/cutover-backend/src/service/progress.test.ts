import { cutoverTestDatabases } from '../__testUtils__/databases';
import { as, startCutoverBackend, testPlan } from '../__testUtils__/backend';

jest.setTimeout(60_000);

const databases = cutoverTestDatabases();
const minutesAgo = (m: number) =>
  new Date(Date.now() - m * 60_000).toISOString();

describe.each(databases.eachSupportedId())(
  'migration progress on %s',
  databaseId => {
    async function setup() {
      const knex = await databases.init(databaseId);
      const started = await startCutoverBackend({ knex });
      await started
        .api()
        .put('/api/cutover/migrations/orders-v2')
        .set('authorization', as.job)
        .send(testPlan());
      const post = (samples: object[], extra: object = {}) =>
        started
          .api()
          .post('/api/cutover/migrations/orders-v2/metrics')
          .set('authorization', as.job)
          .send({ samples, ...extra });
      const dashboard = async () =>
        (
          await started
            .api()
            .get('/api/cutover/migrations/orders-v2/dashboard')
            .set('authorization', as.reader)
        ).body;
      return { ...started, knex, post, dashboard };
    }

    it('computes progress, rate, ETA and quality from reported samples', async () => {
      const { post, dashboard, api } = await setup();
      const first = await post([
        {
          dataset: 'customers',
          at: minutesAgo(10),
          importedRecords: 100,
          completeness: 90,
          validity: 80,
          consistency: 100,
          accuracy: 90,
        },
        { dataset: 'orders', at: minutesAgo(10), importedRecords: 0 },
      ]);
      expect(first.status).toBe(200);
      expect(first.body).toEqual({
        accepted: 2,
        duplicates: 0,
        datasets: ['customers', 'orders'],
      });
      await post([
        {
          dataset: 'customers',
          at: minutesAgo(0),
          importedRecords: 600,
          failedRecords: 10,
          completeness: 100,
          validity: 90,
          consistency: 100,
          accuracy: 90,
        },
        {
          dataset: 'orders',
          at: minutesAgo(0),
          importedRecords: 1000,
          errors: { critical: 2, high: 1 },
        },
      ]);

      const d = await dashboard();
      expect(d).toMatchObject({
        migrationId: 'orders-v2',
        status: 'IN_PROGRESS',
        totalRecords: 5000,
        importedRecords: 1600,
        failedRecords: 10,
        skippedRecords: 0,
        overallProgress: 32.2,
        qualityTrend: 'up',
        errors: { critical: 2, high: 1, medium: 0, low: 0 },
        cutoverReady: false,
      });
      // 500 more customers and 1000 more orders in 10 minutes: 150 records/min in total.
      expect(d.importRate).toBeCloseTo(150, 0);
      const etaMinutes =
        (Date.parse(d.estimatedCompletion) - Date.now()) / 60_000;
      expect(etaMinutes).toBeGreaterThan(20);
      expect(etaMinutes).toBeLessThan(24);
      const customers = d.datasets.find((x: any) => x.name === 'customers');
      expect(customers).toMatchObject({
        tier: 1,
        overallProgress: 61,
        qualityScore: 95,
        status: 'IN_PROGRESS',
      });
      expect(d.blockers).toEqual(
        expect.arrayContaining([
          'Tier 1 datasets not fully imported: customers',
          '2 critical validation errors',
        ]),
      );

      const migration = await api()
        .get('/api/cutover/migrations/orders-v2')
        .set('authorization', as.reader);
      expect(migration.body.actualStart).not.toBeNull();
    });

    it('never double counts retried, duplicated or late samples', async () => {
      const { post, dashboard } = await setup();
      const at = minutesAgo(1);
      await post([{ dataset: 'orders', at, importedRecords: 500 }]);
      await post([{ dataset: 'orders', at, importedRecords: 500 }]);
      await post([
        { dataset: 'orders', at, importedRecords: 500 },
        { dataset: 'orders', at, importedRecords: 500 },
      ]);
      // A late sample from before the newest one must not move the figures backwards.
      await post([
        { dataset: 'orders', at: minutesAgo(5), importedRecords: 200 },
      ]);
      const d = await dashboard();
      expect(
        d.datasets.find((x: any) => x.name === 'orders').importedRecords,
      ).toBe(500);
      expect(d.importedRecords).toBe(500);

      const keyed = await post([{ dataset: 'orders', importedRecords: 900 }], {
        idempotencyKey: 'batch-7',
      });
      expect(keyed.body).toMatchObject({ accepted: 1, duplicates: 0 });
      const again = await post([{ dataset: 'orders', importedRecords: 900 }], {
        idempotencyKey: 'batch-7',
      });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ accepted: 0, duplicates: 1 });
      expect((await dashboard()).importedRecords).toBe(900);

      // A sample with quality only keeps the counters; one with counters only keeps the quality.
      expect((await post([{ dataset: 'orders', validity: 80 }])).status).toBe(
        200,
      );
      expect(
        (
          await post([
            {
              dataset: 'orders',
              at: new Date(Date.now() + 1000).toISOString(),
              failedRecords: 7,
            },
          ])
        ).status,
      ).toBe(200);
      const orders = (await dashboard()).datasets.find(
        (x: any) => x.name === 'orders',
      );
      expect(orders).toMatchObject({
        importedRecords: 900,
        failedRecords: 7,
        validity: 80,
      });
    });

    it('keeps samples, figures and history when a plan is applied again', async () => {
      const { post, dashboard, api } = await setup();
      await post([{ dataset: 'customers', importedRecords: 300 }]);
      const reapplied = await api()
        .put('/api/cutover/migrations/orders-v2')
        .set('authorization', as.owner)
        .send(
          testPlan({
            title: 'Orders to PostgreSQL 16',
            datasets: [
              {
                name: 'customers',
                tier: 1,
                table: 'customers',
                keyColumns: ['id'],
                totalRecords: 1200,
              },
              {
                name: 'products',
                tier: 1,
                table: 'products',
                keyColumns: ['sku'],
                totalRecords: 50,
              },
            ],
          }),
        );
      expect(reapplied.status).toBe(200);
      expect(reapplied.body.datasets.map((d: any) => d.name)).toEqual([
        'customers',
        'products',
      ]);
      const d = await dashboard();
      expect(d.title).toBe('Orders to PostgreSQL 16');
      expect(d.datasets[0]).toMatchObject({
        name: 'customers',
        importedRecords: 300,
        totalRecords: 1200,
      });

      // Applying the same plan again changes nothing and records nothing.
      const before = await api()
        .get('/api/cutover/migrations/orders-v2/audit')
        .set('authorization', as.reader);
      await api()
        .put('/api/cutover/migrations/orders-v2')
        .set('authorization', as.owner)
        .send(
          testPlan({
            title: 'Orders to PostgreSQL 16',
            datasets: [
              {
                name: 'customers',
                tier: 1,
                table: 'customers',
                keyColumns: ['id'],
                totalRecords: 1200,
              },
              {
                name: 'products',
                tier: 1,
                table: 'products',
                keyColumns: ['sku'],
                totalRecords: 50,
              },
            ],
          }),
        );
      const after = await api()
        .get('/api/cutover/migrations/orders-v2/audit')
        .set('authorization', as.reader);
      expect(after.body.totalCount).toBe(before.body.totalCount);
      expect(after.body.items.map((e: any) => e.action)).toEqual([
        'migration.apply-plan',
        'migration.start',
        'migration.create',
      ]);
    });

    it('buckets trends over a range', async () => {
      const { post, api } = await setup();
      await post([
        {
          dataset: 'customers',
          at: minutesAgo(180),
          importedRecords: 100,
          validity: 70,
        },
      ]);
      await post([
        {
          dataset: 'customers',
          at: minutesAgo(90),
          importedRecords: 400,
          validity: 80,
        },
      ]);
      await post([
        {
          dataset: 'customers',
          at: minutesAgo(10),
          importedRecords: 1000,
          validity: 90,
        },
      ]);
      const res = await api()
        .get('/api/cutover/migrations/orders-v2/trends?range=2h&bucket=1h')
        .set('authorization', as.reader);
      expect(res.status).toBe(200);
      expect(res.body.bucket).toBe('1h');
      expect(res.body.timestamps).toHaveLength(res.body.importedRecords.length);
      // Carried forward from before the range: 100 at first, 400 after 90 minutes ago, 1000 at the end.
      expect(res.body.importedRecords[0]).toBeGreaterThanOrEqual(100);
      expect(res.body.importedRecords.at(-1)).toBe(1000);
      expect(res.body.progressPercent.at(-1)).toBe(20);
      expect(res.body.validity.at(-1)).toBe(90);

      const bad = await api()
        .get('/api/cutover/migrations/orders-v2/trends?range=forever')
        .set('authorization', as.reader);
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/range/);
      const tooFine = await api()
        .get('/api/cutover/migrations/orders-v2/trends?range=30d&bucket=1m')
        .set('authorization', as.reader);
      expect(tooFine.status).toBe(400);
      expect(tooFine.body.error.message).toMatch(/bucket/);
      const unknownDataset = await api()
        .get('/api/cutover/migrations/orders-v2/trends?dataset=nope')
        .set('authorization', as.reader);
      expect(unknownDataset.status).toBe(404);
    });

    it('refuses bad samples with 400 naming the field, and stores nothing of the batch', async () => {
      const { post, dashboard } = await setup();
      const unknown = await post([
        { dataset: 'customers', importedRecords: 10 },
        { dataset: 'ghosts', importedRecords: 10 },
      ]);
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.message).toMatch(
        /samples\.1\.dataset: unknown dataset "ghosts"/,
      );
      const negative = await post([
        { dataset: 'customers', importedRecords: -1 },
      ]);
      expect(negative.status).toBe(400);
      expect(negative.body.error.message).toMatch(
        /samples\.0\.importedRecords/,
      );
      const quality = await post([{ dataset: 'customers', validity: 101 }]);
      expect(quality.body.error.message).toMatch(/samples\.0\.validity/);
      const future = await post([
        {
          dataset: 'customers',
          at: '2999-01-01T00:00:00Z',
          importedRecords: 1,
        },
      ]);
      expect(future.status).toBe(400);
      expect(future.body.error.message).toMatch(/samples\.0\.at/);
      const empty = await post([]);
      expect(empty.status).toBe(400);
      expect((await dashboard()).importedRecords).toBe(0);

      // Quality figures are kept to 1e-6: a vanishing 2e-149 (which PostgreSQL's float4 refuses) is 0.
      const tiny = await post([
        {
          dataset: 'customers',
          importedRecords: 1,
          completeness: 2.1688906371313244e-149,
          validity: 93.1234567,
        },
      ]);
      expect(tiny.status).toBe(200);
      const row = (await dashboard()).datasets.find(
        (x: any) => x.name === 'customers',
      );
      expect(row.completeness).toBe(0);
      expect(row.validity).toBeCloseTo(93.123457, 4);
    });

    it('tells jobs to pause and cancel, and refuses samples for a cancelled migration', async () => {
      const { post, api } = await setup();
      await post([{ dataset: 'customers', importedRecords: 10 }]);
      const control = () =>
        api()
          .get('/api/cutover/migrations/orders-v2/control')
          .set('authorization', as.job);
      expect((await control()).body).toEqual({
        controlState: 'RUN',
        status: 'IN_PROGRESS',
      });

      await api()
        .patch('/api/cutover/migrations/orders-v2')
        .set('authorization', as.owner)
        .send({ controlState: 'PAUSE' });
      expect((await control()).body).toEqual({
        controlState: 'PAUSE',
        status: 'PAUSED',
      });
      await api()
        .patch('/api/cutover/migrations/orders-v2')
        .set('authorization', as.owner)
        .send({ controlState: 'RUN' });
      expect((await control()).body).toEqual({
        controlState: 'RUN',
        status: 'IN_PROGRESS',
      });

      const invalid = await api()
        .patch('/api/cutover/migrations/orders-v2')
        .set('authorization', as.owner)
        .send({ status: 'PLANNED' });
      expect(invalid.status).toBe(409);
      expect(invalid.body.error.message).toMatch(
        /cannot go from IN_PROGRESS to PLANNED/,
      );

      await api()
        .patch('/api/cutover/migrations/orders-v2')
        .set('authorization', as.owner)
        .send({ controlState: 'CANCEL' });
      expect((await control()).body).toEqual({
        controlState: 'CANCEL',
        status: 'CANCELLED',
      });
      const late = await post([{ dataset: 'customers', importedRecords: 20 }]);
      expect(late.status).toBe(409);
      const resume = await api()
        .patch('/api/cutover/migrations/orders-v2')
        .set('authorization', as.owner)
        .send({ controlState: 'RUN' });
      expect(resume.status).toBe(409);
    });

    it('archives a migration: gone from lists and reads; archived stays archived until the owner restores it', async () => {
      const { api } = await setup();
      const del = await api()
        .delete('/api/cutover/migrations/orders-v2')
        .set('authorization', as.owner);
      expect(del.status).toBe(204);
      expect(
        (
          await api()
            .get('/api/cutover/migrations/orders-v2')
            .set('authorization', as.reader)
        ).status,
      ).toBe(404);
      expect(
        (
          await api()
            .get('/api/cutover/migrations')
            .set('authorization', as.reader)
        ).body.totalCount,
      ).toBe(0);
      // Neither POST nor PUT brings it back (with another owner, it would be a takeover).
      for (const method of ['post', 'put'] as const) {
        const path =
          method === 'post'
            ? '/api/cutover/migrations'
            : '/api/cutover/migrations/orders-v2';
        const again = await api()
          [method](path)
          .set('authorization', as.job)
          .send(testPlan({ owner: 'group:default/billing-team' }));
        expect(again.status).toBe(409);
        expect(again.body.error.message).toMatch(/archived stays archived/);
      }
      // Restoring needs the delete permission on the archived migration: its owners have it.
      const byOther = await api()
        .post('/api/cutover/migrations/orders-v2/restore')
        .set('authorization', as.otherTeam)
        .send({ reason: 'mine now' });
      expect(byOther.status).toBe(403);
      const restored = await api()
        .post('/api/cutover/migrations/orders-v2/restore')
        .set('authorization', as.owner)
        .send({ reason: 'archived by mistake' });
      expect(restored.status).toBe(200);
      expect(restored.body).toMatchObject({
        id: 'orders-v2',
        owner: 'group:default/orders-team',
      });
      expect(
        (
          await api()
            .post('/api/cutover/migrations/orders-v2/restore')
            .set('authorization', as.owner)
            .send({ reason: 'twice' })
        ).status,
      ).toBe(404);
      const audit = (
        await api()
          .get('/api/cutover/migrations/orders-v2/audit')
          .set('authorization', as.reader)
      ).body.items;
      expect(audit.slice(0, 2)).toEqual([
        expect.objectContaining({
          action: 'migration.restore',
          outcome: 'success',
          severity: 'high',
        }),
        expect.objectContaining({
          action: 'migration.restore',
          outcome: 'failure',
          actor: 'user:default/bob-billing',
        }),
      ]);
    });
  },
);
