import { createBackendModule } from '@backstage/backend-plugin-api';
import { cutoverSnapshotProvidersExtensionPoint } from '@switchyard/plugin-cutover-node';
import ExcelJS from 'exceljs';
import { Knex } from 'knex';
import { cutoverTestDatabases } from '../__testUtils__/databases';
import { as, startCutoverBackend, testPlan } from '../__testUtils__/backend';
import { CutoverConnections } from '../snapshots/connections';
import { KnexSnapshotProvider } from '../snapshots/KnexSnapshotProvider';

jest.setTimeout(120_000);

const databases = cutoverTestDatabases();
const m = '/api/cutover/migrations/orders-v2';

/** The destination's tables: customers keyed by id, orders by (region, id). */
async function seed(knex: Knex) {
  await knex.schema.dropTableIfExists('dest_customers');
  await knex.schema.dropTableIfExists('dest_orders');
  await knex.schema.createTable('dest_customers', t => {
    t.integer('id').primary();
    t.string('name', 100).notNullable();
    t.string('email', 100);
  });
  await knex.schema.createTable('dest_orders', t => {
    t.string('region', 10).notNullable();
    t.integer('id').notNullable();
    t.decimal('amount', 12, 2);
    t.string('note', 200);
    t.primary(['region', 'id']);
  });
  await knex('dest_customers').insert(
    Array.from({ length: 50 }, (_, i) => ({
      id: i + 1,
      name: `Customer ${i + 1}`,
      email: i % 7 ? `c${i + 1}@example.com` : null,
    })),
  );
  await knex('dest_orders').insert(
    Array.from({ length: 80 }, (_, i) => ({
      region: i % 2 ? 'eu' : 'us',
      id: i + 1,
      amount: (i * 13.7).toFixed(2),
      note: i % 5 ? `n${i}` : null,
    })),
  );
}

const rows = async (knex: Knex, table: string, key: string[]) =>
  (await knex(table).orderBy(key)).map(r =>
    JSON.stringify(
      Object.fromEntries(
        Object.entries(r).map(([k, v]) => [
          k,
          v === null ? null : String(Number.isNaN(Number(v)) ? v : Number(v)),
        ]),
      ),
    ),
  );

/** Damage of the kind a bad cutover does: inserts, updates and deletes. */
async function damage(knex: Knex) {
  await knex('dest_customers').insert({
    id: 1000,
    name: 'Intruder',
    email: null,
  });
  await knex('dest_customers')
    .where({ id: 3 })
    .update({ name: 'Changed', email: null });
  await knex('dest_customers').whereIn('id', [1, 50]).delete();
  await knex('dest_orders')
    .where({ region: 'eu', id: 2 })
    .update({ amount: 1 });
  await knex('dest_orders').where({ region: 'us', id: 1 }).delete();
}

describe.each(databases.eachSupportedId())(
  'snapshots and rollback on %s',
  databaseId => {
    async function setup(options: { fault?: (dataset: string) => void } = {}) {
      const knex = await databases.init(databaseId);
      await seed(knex);
      const provider = new KnexSnapshotProvider(
        new CutoverConnections({ dest: knex }),
        {
          faultInjection: {
            beforeCommit: async (target: { dataset: string }) =>
              options.fault?.(target.dataset),
          },
        },
      );
      const testProvider = createBackendModule({
        pluginId: 'cutover',
        moduleId: 'test-snapshot-provider',
        register(reg) {
          reg.registerInit({
            deps: { providers: cutoverSnapshotProvidersExtensionPoint },
            async init({ providers }) {
              providers.addSnapshotProvider(provider);
            },
          });
        },
      });
      const started = await startCutoverBackend({
        knex,
        extraFeatures: [testProvider],
      });
      const { api } = started;
      const plan = testPlan({
        destination: { connection: 'dest' },
        datasets: [
          {
            name: 'customers',
            tier: 1,
            table: 'dest_customers',
            keyColumns: ['id'],
            totalRecords: 50,
          },
          {
            name: 'orders',
            tier: 2,
            table: 'dest_orders',
            keyColumns: ['region', 'id'],
            totalRecords: 80,
          },
        ],
      });
      expect(
        (await api().put(m).set('authorization', as.job).send(plan)).status,
      ).toBe(201);
      const until = async (path: string, done: (body: any) => boolean) => {
        for (let i = 0; i < 400; i++) {
          const res = await api().get(path).set('authorization', as.reader);
          if (done(res.body)) return res.body;
          await new Promise(r => setTimeout(r, 50));
        }
        throw new Error(`timed out waiting for ${path}`);
      };
      const finished = (b: any) =>
        b.status === 'SUCCEEDED' || b.status === 'FAILED';
      const snapshot = async (body: object = { name: 'Before go-live' }) => {
        const res = await api()
          .post(`${m}/snapshots`)
          .set('authorization', as.owner)
          .send(body);
        expect(res.status).toBe(202);
        expect(['PENDING', 'RUNNING']).toContain(res.body.status);
        return until(`${m}/snapshots/${res.body.id}`, finished);
      };
      const rollback = async (body: object) => {
        const res = await api()
          .post(`${m}/rollbacks`)
          .set('authorization', as.owner)
          .send(body);
        expect(res.status).toBe(202);
        return until(`${m}/rollbacks/${res.body.id}`, finished);
      };
      return { ...started, knex, until, snapshot, rollback };
    }

    it('snapshots, detects changes, and rolls back exactly (inserts, updates, deletes), with a backup first', async () => {
      const { api, knex, snapshot, rollback, notifications } = await setup();
      const original = {
        c: await rows(knex, 'dest_customers', ['id']),
        o: await rows(knex, 'dest_orders', ['region', 'id']),
      };
      const snap = await snapshot({
        name: 'Before go-live',
        description: 'Taken by the owner',
      });
      expect(snap).toMatchObject({
        status: 'SUCCEEDED',
        progress: 100,
        name: 'Before go-live',
        datasets: ['customers', 'orders'],
        recordCounts: { customers: 50, orders: 80 },
        createdBy: 'user:default/olivia-owner',
        provider: 'knex',
      });
      expect(snap.sizeBytes).toBeGreaterThan(0);
      expect(Object.keys(snap.checksums)).toEqual(['customers', 'orders']);
      expect(Date.parse(snap.expiresAt)).toBeGreaterThan(
        Date.now() + 13 * 86_400_000,
      );

      // Verifying scans the production tables: a reader may not start it, whoever may snapshot may.
      expect(
        (
          await api()
            .post(`${m}/snapshots/${snap.id}/verify`)
            .set('authorization', as.reader)
            .send({})
        ).status,
      ).toBe(403);
      const clean = await api()
        .post(`${m}/snapshots/${snap.id}/verify`)
        .set('authorization', as.owner)
        .send({});
      expect(clean.status).toBe(200);
      expect(clean.body.matches).toBe(true);

      await damage(knex);
      const dirty = (
        await api()
          .post(`${m}/snapshots/${snap.id}/verify`)
          .set('authorization', as.owner)
          .send({})
      ).body;
      expect(dirty.matches).toBe(false);
      expect(
        dirty.datasets.find((d: any) => d.dataset === 'customers'),
      ).toMatchObject({ snapshotCount: 50, currentCount: 49, matches: false });

      const sr003 = async () =>
        (
          await api().get(`${m}/checklist`).set('authorization', as.reader)
        ).body.categories
          .flatMap((c: any) => c.items)
          .find((i: any) => i.id === 'SR003');
      expect(await sr003()).toMatchObject({
        automated: true,
        status: 'NOT_TESTED',
        evidence: '1 snapshot(s) taken; no restore rehearsed yet',
      });
      const byHand = await api()
        .patch(`${m}/checklist/SR003`)
        .set('authorization', as.owner)
        .send({ status: 'PASS' });
      expect(byHand.status).toBe(409);

      const damaged = {
        c: await rows(knex, 'dest_customers', ['id']),
        o: await rows(knex, 'dest_orders', ['region', 'id']),
      };
      const done = await rollback({
        snapshotId: snap.id,
        createBackup: true,
        verifyAfter: true,
        reason: 'bad cutover',
      });
      expect(done).toMatchObject({
        status: 'SUCCEEDED',
        verified: true,
        errors: [],
        datasets: ['customers', 'orders'],
      });
      // customers: 1000 deleted; 1, 50 re-inserted and 3 restored. orders: (us,1) re-inserted, (eu,2) restored.
      expect(done.results).toEqual([
        {
          dataset: 'customers',
          status: 'RESTORED',
          recordsRestored: 3,
          recordsDeleted: 1,
          verified: true,
        },
        {
          dataset: 'orders',
          status: 'RESTORED',
          recordsRestored: 2,
          recordsDeleted: 0,
          verified: true,
        },
      ]);
      expect(done).toMatchObject({ recordsRestored: 5, recordsDeleted: 1 });
      expect(done.durationMs).toBeGreaterThanOrEqual(0);
      expect(await rows(knex, 'dest_customers', ['id'])).toEqual(original.c);
      expect(await rows(knex, 'dest_orders', ['region', 'id'])).toEqual(
        original.o,
      );
      expect(await sr003()).toMatchObject({
        status: 'PASS',
        evidence: expect.stringMatching(
          /restored customers, orders .* verified against its snapshot/,
        ),
      });

      // The backup holds the damaged state, so the rollback itself can be undone.
      const backup = (
        await api()
          .get(`${m}/snapshots/${done.backupSnapshotId}`)
          .set('authorization', as.reader)
      ).body;
      expect(backup).toMatchObject({
        status: 'SUCCEEDED',
        backupForRollback: done.id,
        recordCounts: { customers: 49, orders: 79 },
      });
      const undo = await rollback({
        snapshotId: backup.id,
        createBackup: false,
        verifyAfter: true,
      });
      expect(undo.status).toBe('SUCCEEDED');
      expect(await rows(knex, 'dest_customers', ['id'])).toEqual(damaged.c);

      const migration = (await api().get(m).set('authorization', as.reader))
        .body;
      expect(migration.datasets.map((d: any) => d.cutoverState)).toEqual([
        'ROLLED_BACK',
        'ROLLED_BACK',
      ]);
      const titles = notifications.map(n => n.payload.title);
      expect(titles).toEqual(
        expect.arrayContaining([
          'Rollback started: Orders database to PostgreSQL',
          'Rollback succeeded: Orders database to PostgreSQL',
        ]),
      );
      expect(
        notifications.find(n => n.payload.title.startsWith('Rollback started'))!
          .recipients,
      ).toEqual({
        type: 'entity',
        entityRef: ['group:default/orders-team'],
      });
      const history = (
        await api().get(`${m}/rollbacks`).set('authorization', as.reader)
      ).body.items;
      expect(history).toHaveLength(2);
      const audit = (
        await api().get(`${m}/audit?limit=200`).set('authorization', as.reader)
      ).body.items.map((e: any) => e.action);
      expect(audit).toEqual(
        expect.arrayContaining([
          'snapshot.create',
          'snapshot.verify',
          'rollback.execute',
          'rollback.succeed',
        ]),
      );

      // The detailed workbook lists them.
      const xlsx = await api()
        .get(`${m}/reports/detailed.xlsx`)
        .set('authorization', as.reader)
        .buffer(true)
        .parse((r, cb) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => cb(null, Buffer.concat(chunks)));
        });
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(xlsx.body as Buffer);
      expect(wb.getWorksheet('Snapshots')!.actualRowCount - 1).toBe(2);
      expect(wb.getWorksheet('Rollbacks')!.actualRowCount - 1).toBe(2);
      expect(wb.getWorksheet('Rollbacks')!.getRow(2).getCell(5).value).toBe(
        'SUCCEEDED',
      );
    });

    it('rolls back only the chosen datasets', async () => {
      const { knex, snapshot, rollback } = await setup();
      const original = await rows(knex, 'dest_customers', ['id']);
      const snap = await snapshot();
      await damage(knex);
      const damagedOrders = await rows(knex, 'dest_orders', ['region', 'id']);
      const done = await rollback({
        snapshotId: snap.id,
        datasets: ['customers'],
        createBackup: false,
      });
      expect(done).toMatchObject({
        status: 'SUCCEEDED',
        datasets: ['customers'],
        verified: true,
      });
      expect(await rows(knex, 'dest_customers', ['id'])).toEqual(original);
      expect(await rows(knex, 'dest_orders', ['region', 'id'])).toEqual(
        damagedOrders,
      );
    });

    it('lists snapshots in pages of { items, totalCount, nextCursor }', async () => {
      const { api, snapshot } = await setup();
      const taken = [];
      for (const name of ['one', 'two', 'three'])
        taken.push(await snapshot({ name, datasets: ['customers'] }));
      const list = (query: string) =>
        api().get(`${m}/snapshots${query}`).set('authorization', as.reader);
      const all = (await list('')).body;
      expect(all).toMatchObject({ totalCount: 3, nextCursor: null });
      const names = all.items.map((s: { name: string }) => s.name);
      expect(names.sort()).toEqual(['one', 'three', 'two']);
      const first = (await list('?limit=2')).body;
      expect(first.items.map((s: { id: string }) => s.id)).toEqual(
        all.items.slice(0, 2).map((s: { id: string }) => s.id),
      );
      expect(first).toMatchObject({
        totalCount: 3,
        nextCursor: expect.any(String),
      });
      // Deleting a snapshot already served does not make the next page skip or repeat one.
      expect(
        (
          await api()
            .delete(`${m}/snapshots/${all.items[0].id}`)
            .set('authorization', as.owner)
        ).status,
      ).toBe(204);
      const second = (await list(`?limit=2&cursor=${first.nextCursor}`)).body;
      expect(second).toMatchObject({
        items: [{ id: all.items[2].id }],
        totalCount: 2,
        nextCursor: null,
      });
      const bad = await list('?cursor=nope!');
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/cursor/);
      expect((await list('?limit=0')).status).toBe(400);
      expect(taken).toHaveLength(3);
    });

    it('restores the datasets of a rollback together: when the last one fails before commit, none is changed', async () => {
      const { api, knex, snapshot, rollback, notifications } = await setup({
        fault: dataset => {
          if (dataset === 'orders') throw new Error('disk full (injected)');
        },
      });
      const snap = await snapshot();
      await damage(knex);
      const before = {
        c: await rows(knex, 'dest_customers', ['id']),
        o: await rows(knex, 'dest_orders', ['region', 'id']),
      };
      const done = await rollback({ snapshotId: snap.id, createBackup: false });
      expect(done.status).toBe('FAILED');
      expect(done.errors).toEqual([
        {
          dataset: null,
          message: expect.stringMatching(
            /disk full.*no dataset was restored: they are restored together/,
          ),
        },
      ]);
      expect(done.results.map((r: any) => r.status)).toEqual([
        'FAILED',
        'FAILED',
      ]);
      expect(await rows(knex, 'dest_customers', ['id'])).toEqual(before.c);
      expect(await rows(knex, 'dest_orders', ['region', 'id'])).toEqual(
        before.o,
      );
      const migration = (await api().get(m).set('authorization', as.reader))
        .body;
      expect(migration.datasets.map((d: any) => d.cutoverState)).toEqual([
        'PENDING',
        'PENDING',
      ]);
      expect(notifications.at(-1)!.payload).toMatchObject({
        title: 'Rollback FAILED: Orders database to PostgreSQL',
        severity: 'critical',
      });
    });

    it('refuses a second rollback while one runs, and fails jobs abandoned by a dead backend', async () => {
      const { api, knex, snapshot, scheduler, until } = await setup();
      const snap = await snapshot();
      const now = Date.now();
      await knex('cutover_rollbacks').insert({
        id: '00000000-0000-4000-8000-000000000001',
        migration_id: 'orders-v2',
        snapshot_id: snap.id,
        datasets: '["customers"]',
        status: 'RUNNING',
        verify_after: true,
        create_backup: false,
        created_at: now,
        created_by: 'user:default/oscar-owner',
        started_at: now,
        heartbeat_at: now,
      });
      const refused = await api()
        .post(`${m}/rollbacks`)
        .set('authorization', as.owner)
        .send({ snapshotId: snap.id });
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toMatch(
        /Another rollback .* is running .*oscar-owner/,
      );
      // A live job is not touched by the sweep; one whose heartbeat stopped is failed.
      await scheduler.triggerTask('cutover-snapshot-sweep');
      expect(
        (
          await api()
            .get(`${m}/rollbacks/00000000-0000-4000-8000-000000000001`)
            .set('authorization', as.reader)
        ).body.status,
      ).toBe('RUNNING');
      await knex('cutover_rollbacks').update({
        heartbeat_at: now - 10 * 60_000,
      });
      await scheduler.triggerTask('cutover-snapshot-sweep');
      const failed = await until(
        `${m}/rollbacks/00000000-0000-4000-8000-000000000001`,
        b => b.status === 'FAILED',
      );
      expect(failed.errors[0].message).toMatch(/stopped before it finished/);
      // The sweep checked each dataset against the snapshot: it says exactly which were restored.
      expect(failed.errors.at(-1).message).toMatch(
        /^Checked against snapshot "Before go-live": /,
      );
      expect(
        (
          await api()
            .post(`${m}/rollbacks`)
            .set('authorization', as.owner)
            .send({ snapshotId: snap.id, createBackup: false })
        ).status,
      ).toBe(202);
    });

    it('deletes snapshots and their copies, and removes expired ones on schedule', async () => {
      const { api, knex, snapshot, scheduler } = await setup();
      const tablesNow = async () =>
        (await listTables(knex)).filter(t => t.startsWith('cutover_snap_'));
      const one = await snapshot({ name: 'one' });
      const two = await snapshot({ name: 'two', retentionDays: 1 });
      expect((await tablesNow()).length).toBe(4);
      expect(
        (
          await api()
            .delete(`${m}/snapshots/${one.id}`)
            .set('authorization', as.reader)
        ).status,
      ).toBe(403);
      expect(
        (
          await api()
            .delete(`${m}/snapshots/${one.id}`)
            .set('authorization', as.owner)
        ).status,
      ).toBe(204);
      expect(
        (
          await api()
            .get(`${m}/snapshots/${one.id}`)
            .set('authorization', as.reader)
        ).status,
      ).toBe(404);
      expect((await tablesNow()).length).toBe(2);
      await knex('cutover_snapshots')
        .where({ id: two.id })
        .update({ expires_at: Date.now() - 1 });
      await scheduler.triggerTask('cutover-snapshot-sweep');
      expect(
        (await api().get(`${m}/snapshots`).set('authorization', as.reader)).body
          .items,
      ).toEqual([]);
      expect(await tablesNow()).toEqual([]);
    });

    it('drops copies a dead job made but never recorded when its snapshot is deleted', async () => {
      const { api, knex, snapshot } = await setup();
      const copies = async () =>
        (await listTables(knex)).filter(t => t.startsWith('cutover_snap_'));
      const snap = await snapshot({ name: 'orphaned' });
      expect((await copies()).length).toBe(2);
      // As the sweep leaves a job whose process died after copying, before recording the copies.
      await knex('cutover_snapshots')
        .where({ id: snap.id })
        .update({ status: 'FAILED', figures: '{}' });
      expect(
        (
          await api()
            .delete(`${m}/snapshots/${snap.id}`)
            .set('authorization', as.owner)
        ).status,
      ).toBe(204);
      expect(await copies()).toEqual([]);
    });

    it('refuses bad input and callers without permission, naming the problem', async () => {
      const { api, snapshot } = await setup();
      const post = (path: string, body: object, who = as.owner) =>
        api().post(`${m}${path}`).set('authorization', who).send(body);
      expect((await post('/snapshots', { name: 'x' }, as.reader)).status).toBe(
        403,
      );
      expect(
        (await post('/snapshots', { name: 'x' }, as.otherTeam)).status,
      ).toBe(403);
      expect(
        (await api().post(`${m}/snapshots`).send({ name: 'x' })).status,
      ).toBe(401);
      const cases: Array<[string, object, RegExp]> = [
        ['/snapshots', { name: '' }, /name/],
        [
          '/snapshots',
          { name: 'x', datasets: ['nope'] },
          /unknown dataset "nope"/,
        ],
        ['/snapshots', { name: 'x', datasets: [] }, /datasets/],
        ['/snapshots', { name: 'x', retentionDays: -1 }, /retentionDays/],
        [
          '/rollbacks',
          { snapshotId: '00000000-0000-4000-8000-00000000dead' },
          /snapshotId: no snapshot/,
        ],
        ['/rollbacks', {}, /snapshotId/],
        [
          '/rollbacks',
          { snapshotId: 'x', createBackup: 'yes' },
          /createBackup/,
        ],
      ];
      for (const [path, body, message] of cases) {
        const res = await post(path, body);
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(message);
      }
      const snap = await snapshot({
        name: 'only customers',
        datasets: ['customers'],
      });
      const notIn = await post('/rollbacks', {
        snapshotId: snap.id,
        datasets: ['orders'],
      });
      expect(notIn.status).toBe(400);
      expect(notIn.body.error.message).toMatch(
        /not in snapshot only customers: orders/,
      );
      expect(
        (await post('/rollbacks', { snapshotId: snap.id }, as.reader)).status,
      ).toBe(403);
      expect(
        (
          await api()
            .get(`${m}/snapshots/not-a-uuid`)
            .set('authorization', as.reader)
        ).status,
      ).toBe(400);

      // A plan without a destination connection can't be snapshotted.
      await api().put(m).set('authorization', as.job).send(testPlan());
      const noDest = await post('/snapshots', { name: 'x' });
      expect(noDest.status).toBe(400);
      expect(noDest.body.error.message).toMatch(/destination\.connection/);
    });
  },
);

async function listTables(knex: Knex): Promise<string[]> {
  if (knex.client.config.client === 'pg') {
    const r = await knex.raw(
      `select tablename from pg_tables where schemaname = current_schema()`,
    );
    return r.rows.map((x: any) => x.tablename);
  }
  const r = await knex.raw(
    `select name from sqlite_master where type = 'table'`,
  );
  return r.map((x: any) => x.name);
}
