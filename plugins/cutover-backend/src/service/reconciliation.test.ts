import { Knex } from 'knex';
import { cutoverTestDatabases } from '../__testUtils__/databases';
import { as, testPlan } from '../__testUtils__/backend';
import {
  seedOrders,
  startReconciledMigration,
  tablePair,
  importedInFull,
} from '../__testUtils__/reconciledTables';

jest.setTimeout(120_000);

const databases = cutoverTestDatabases();
const m = '/api/cutover/migrations/orders-v2';
const ROWS = 2000;

const seed = (knex: Knex) => seedOrders(knex, ROWS, 97);

/** Plants `n` differences on the destination: changed amounts. */
async function plant(knex: Knex, n: number) {
  const ids = Array.from({ length: n }, (_, i) => 1 + i * 37);
  await knex('dst_orders').whereIn('id', ids).update({ amount: -1 });
  return ids;
}

describe.each(databases.eachSupportedId())(
  'reconciliation on %s',
  databaseId => {
    async function setup() {
      const knex = await databases.init(databaseId);
      await seed(knex);
      const started = await startReconciledMigration(knex, m, [
        tablePair('orders', ROWS),
      ]);
      const { api, plan, reconcile } = started;
      const run = (who = as.owner) => reconcile({ who });
      /** Takes the dataset to READY (and on to CUTOVER reading from NEW), as a real cutover would. */
      const cutOver = async (states = ['READY', 'CUTOVER']) => {
        await api()
          .post(`${m}/metrics`)
          .set('authorization', as.job)
          .send(importedInFull(['orders'], ROWS));
        if (!states.includes('CUTOVER')) {
          for (const state of states) {
            expect(
              (
                await api()
                  .put(`${m}/datasets/orders/cutover-state`)
                  .set('authorization', as.owner)
                  .send({ state, reason: 'go' })
              ).status,
            ).toBe(200);
          }
          return;
        }
        // Approvals are not under test here: the owner uses the emergency override (its own tests
        // are in datasetCutover.test.ts and the attack suite).
        const overrideReason = 'approval is not what this test is about';
        for (const state of states) {
          const r = await api()
            .put(`${m}/datasets/orders/cutover-state`)
            .set('authorization', as.owner)
            .send({
              state,
              reason: 'go',
              ...(state === 'CUTOVER' ? { overrideReason } : {}),
            });
          expect(r.status).toBe(200);
        }
        expect(
          (
            await api()
              .put(`${m}/datasets/orders/read-source`)
              .set('authorization', as.owner)
              .send({ source: 'NEW', reason: 'go', overrideReason })
          ).status,
        ).toBe(200);
      };
      const alerts = async () =>
        (
          await api()
            .get(`${m}/alerts?status=OPEN`)
            .set('authorization', as.reader)
        ).body.items;
      const item = async (id: string) =>
        (
          await api().get(`${m}/checklist`).set('authorization', as.reader)
        ).body.categories
          .flatMap((c: any) => c.items)
          .find((i: any) => i.id === id);
      return { ...started, knex, plan, run, cutOver, alerts, item };
    }

    it('finds no drift between equal tables and passes DQ004 / DQ005', async () => {
      const { run, alerts, item } = await setup();
      expect(await item('DQ005')).toMatchObject({
        automated: true,
        status: 'NOT_TESTED',
        evidence: 'no reconciliation has run yet',
      });
      const done = await run();
      expect(done).toMatchObject({
        status: 'SUCCEEDED',
        trigger: 'MANUAL',
        createdBy: 'user:default/olivia-owner',
        thresholds: { warning: 0.0005, critical: 0.001, rollback: 0.005 },
      });
      expect(done.datasets[0]).toMatchObject({
        name: 'orders',
        status: 'SUCCEEDED',
        sourceCount: ROWS,
        destinationCount: ROWS,
        missingInDestination: 0,
        missingInSource: 0,
        mismatched: 0,
        driftRatio: 0,
        level: 'OK',
        sampleKeys: [],
      });
      expect(await alerts()).toEqual([]);
      expect((await item('DQ004')).status).toBe('PASS');
      expect((await item('DQ005')).status).toBe('PASS');
    });

    it('raises a warning, then a critical alert, as drift crosses the thresholds', async () => {
      const { knex, run, alerts, item, cutOver } = await setup();
      const original = await knex('dst_orders').where({ id: 1 }).first();
      await plant(knex, 1); // 1 / 2000 = 0.05%
      // Still being imported (PENDING): the drift shows, but raises no alert.
      const pending = await run();
      expect(pending.datasets[0]).toMatchObject({
        mismatched: 1,
        level: 'WARNING',
      });
      expect(await alerts()).toEqual([]);
      // Repaired, reconciled clean and declared READY: from now on drift alerts.
      await knex('dst_orders').where({ id: 1 }).update(original);
      expect((await run()).datasets[0]).toMatchObject({ level: 'OK' });
      await cutOver(['READY']);
      await plant(knex, 1);
      const warning = await run();
      expect(warning.datasets[0]).toMatchObject({
        mismatched: 1,
        driftRatio: 0.0005,
        level: 'WARNING',
      });
      expect(warning.datasets[0].sampleKeys).toEqual([
        { key: { id: 1 }, kind: 'mismatched' },
      ]);
      expect((await alerts()).map((a: any) => [a.severity, a.title])).toEqual([
        [
          'HIGH',
          'Drift 0.050% on orders is above the warning threshold (0.050%)',
        ],
      ]);
      expect(await item('DQ005')).toMatchObject({
        status: 'FAIL',
        evidence: expect.stringMatching(/orders: 0 missing, 1 differing/),
      });
      await knex('dst_orders').where({ id: 2000 }).delete();
      await knex('dst_orders').insert({ id: 5000, customer: 'new', amount: 1 });
      const critical = await run();
      expect(critical.datasets[0]).toMatchObject({
        mismatched: 1,
        missingInDestination: 1,
        missingInSource: 1,
        level: 'CRITICAL',
      });
      expect((await alerts()).map((a: any) => a.severity).sort()).toEqual([
        'CRITICAL',
        'HIGH',
      ]);
      expect((await item('DQ004')).status).toBe('FAIL');
    });

    it('rolls a cut-over dataset back to LEGACY automatically past the rollback threshold, and notifies', async () => {
      const { api, knex, run, cutOver, alerts, notifications } = await setup();
      await cutOver();
      await plant(knex, 12); // 0.6%
      const done = await run();
      expect(done.datasets[0]).toMatchObject({
        mismatched: 12,
        level: 'ROLLBACK',
      });
      const migration = (await api().get(m).set('authorization', as.reader))
        .body;
      expect(migration.datasets[0]).toMatchObject({
        cutoverState: 'ROLLED_BACK',
        readSource: 'LEGACY',
      });
      expect(
        (await api().get(`${m}/read-sources`).set('authorization', as.job)).body
          .datasets,
      ).toEqual({ orders: 'LEGACY' });
      const history = (
        await api().get(`${m}/switch-history`).set('authorization', as.reader)
      ).body.items;
      expect(
        history
          .slice(0, 2)
          .map((e: any) => [e.kind, e.to, e.automatic, e.actor]),
      ).toEqual([
        ['CUTOVER_STATE', 'ROLLED_BACK', true, 'plugin:cutover'],
        ['READ_SOURCE', 'LEGACY', true, 'plugin:cutover'],
      ]);
      expect(history[0].reason).toMatch(
        /drift 0\.600% crossed the automatic rollback threshold 0\.500%/,
      );
      expect((await alerts()).map((a: any) => a.title)).toEqual(
        expect.arrayContaining([
          'orders rolled back automatically: reads switched to LEGACY',
        ]),
      );
      const note = notifications.find(n =>
        n.payload.title.startsWith('Automatic rollback'),
      );
      expect(note).toMatchObject({
        recipients: {
          type: 'entity',
          entityRef: [
            'group:default/orders-team',
            'group:default/cutover-approvers',
          ],
        },
        payload: { severity: 'critical' },
      });
      const audit = (
        await api().get(`${m}/audit?limit=200`).set('authorization', as.reader)
      ).body.items.map((e: any) => e.action);
      expect(audit).toEqual(
        expect.arrayContaining([
          'reconciliation.start',
          'reconciliation.finish',
          'reconciliation.auto-rollback',
        ]),
      );
    });

    it("compares renamed columns through the plan's columnMap, leaves out ignoreColumns, and says so", async () => {
      const { api, knex, plan, run } = await setup();
      await knex.schema.alterTable('dst_orders', t =>
        t.renameColumn('customer', 'customer_name'),
      );
      await knex('dst_orders')
        .where({ id: 9 })
        .update({ customer_name: 'someone else' });
      const mapped = {
        ...plan,
        datasets: (plan.datasets ?? []).map(d => ({
          ...d,
          columnMap: { customer: 'customer_name' },
          ignoreColumns: ['amount'],
        })),
      };
      expect(
        (await api().put(m).set('authorization', as.job).send(mapped)).status,
      ).toBe(200);
      const dataset = (await api().get(m).set('authorization', as.reader)).body
        .datasets[0];
      expect(dataset).toMatchObject({
        columnMap: { customer: 'customer_name' },
        ignoreColumns: ['amount'],
      });
      await knex('dst_orders').where({ id: 10 }).update({ amount: 0 }); // ignored
      const done = await run();
      expect(done.datasets[0]).toMatchObject({
        mismatched: 1,
        sampleKeys: [{ key: { id: 9 }, kind: 'mismatched' }],
        notes: [
          'Columns compared under another name: customer -> customer_name',
          'Columns left out by the plan (ignoreColumns): amount',
        ],
      });
      const bad = await api()
        .put(m)
        .set('authorization', as.job)
        .send({
          ...plan,
          datasets: (plan.datasets ?? []).map(d => ({
            ...d,
            columnMap: { customer: 'drop table x' },
          })),
        });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(
        /datasets\.0\.columnMap\.customer: must be a plain column name/,
      );
    });

    it('runs on schedule for cut-over datasets, one run at a time, and refuses bad requests', async () => {
      const { api, knex, cutOver, scheduler } = await setup();
      expect(
        (
          await api()
            .post(`${m}/reconciliations`)
            .set('authorization', as.reader)
            .send({})
        ).status,
      ).toBe(403);
      const unknown = await api()
        .post(`${m}/reconciliations`)
        .set('authorization', as.owner)
        .send({ datasets: ['nope'] });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.message).toMatch(/unknown dataset "nope"/);
      expect(
        (
          await api()
            .post(`${m}/reconciliations`)
            .set('authorization', as.owner)
            .send({ datasets: 'orders' })
        ).status,
      ).toBe(400);

      await scheduler.triggerTask('cutover-reconcile');
      expect(
        (
          await api()
            .get(`${m}/reconciliations`)
            .set('authorization', as.reader)
        ).body.items,
      ).toEqual([]);
      await cutOver();
      await scheduler.triggerTask('cutover-reconcile');
      const runs = (
        await api().get(`${m}/reconciliations`).set('authorization', as.reader)
      ).body.items;
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({
        trigger: 'SCHEDULED',
        createdBy: 'plugin:cutover',
      });

      // Let the scheduled run finish, then make it look running again (as on another instance).
      for (let i = 0; i < 400; i++) {
        const [run] = (
          await api()
            .get(`${m}/reconciliations`)
            .set('authorization', as.reader)
        ).body.items;
        if (run.status === 'SUCCEEDED' || run.status === 'FAILED') break;
        await new Promise(r => setTimeout(r, 50));
      }
      await knex('cutover_reconciliation_runs').update({
        status: 'RUNNING',
        heartbeat_at: Date.now(),
      });
      const busy = await api()
        .post(`${m}/reconciliations`)
        .set('authorization', as.owner)
        .send({});
      expect(busy.status).toBe(409);
      expect(busy.body.error.message).toMatch(/already running/);

      await api().put(m).set('authorization', as.job).send(testPlan());
      await knex('cutover_reconciliation_runs').update({ status: 'FAILED' });
      const noConnections = await api()
        .post(`${m}/reconciliations`)
        .set('authorization', as.owner)
        .send({});
      expect(noConnections.status).toBe(400);
      expect(noConnections.body.error.message).toMatch(
        /needs source\.connection and destination\.connection/,
      );
    });
  },
);
