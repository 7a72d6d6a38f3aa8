import { cutoverTestDatabases } from '../__testUtils__/databases';
import {
  approveCutover,
  as,
  startCutoverBackend,
  testPlan,
} from '../__testUtils__/backend';
import { importedInFull } from '../__testUtils__/reconciledTables';

jest.setTimeout(90_000);

const databases = cutoverTestDatabases();
const m = '/api/cutover/migrations/orders-v2';
const hour = 3_600_000;
const at = (offsetHours: number) =>
  new Date(Date.now() + offsetHours * hour).toISOString();

describe.each(databases.eachSupportedId())(
  'dataset cutover and freeze windows on %s',
  databaseId => {
    async function setup(config: Record<string, unknown> = {}) {
      const knex = await databases.init(databaseId);
      const started = await startCutoverBackend({
        knex,
        config: { cutover: config },
      });
      const { api } = started;
      await api().put(m).set('authorization', as.job).send(testPlan());
      const state = (dataset: string, s: string, who = as.owner) =>
        api()
          .put(`${m}/datasets/${dataset}/cutover-state`)
          .set('authorization', who)
          .send({ state: s, reason: `to ${s}` });
      const source = (dataset: string, s: string, who = as.owner) =>
        api()
          .put(`${m}/datasets/${dataset}/read-source`)
          .set('authorization', who)
          .send({ source: s, reason: `read ${s}` });
      /** Makes a dataset ready: fully imported with good quality. */
      const complete = (dataset: string, total: number) =>
        api()
          .post(`${m}/metrics`)
          .set('authorization', as.job)
          .send(importedInFull([dataset], total));
      return { ...started, knex, state, source, complete };
    }

    it('enforces the cutover state machine and READY conditions, naming what is missing', async () => {
      const { api, state, complete } = await setup();
      const refused = await state('customers', 'CUTOVER');
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toMatch(
        /can't go from PENDING to CUTOVER; from PENDING it can go to READY/,
      );

      const notReady = await state('customers', 'READY');
      expect(notReady.status).toBe(409);
      expect(notReady.body.error.message).toMatch(
        /not ready: import is not started .*no quality figures/,
      );

      await complete('customers', 1000);
      await api().post(`${m}/alerts`).set('authorization', as.job).send({
        alertType: 'ERROR',
        severity: 'CRITICAL',
        title: 'Duplicate keys',
        dataset: 'customers',
      });
      const alerting = await state('customers', 'READY');
      expect(alerting.status).toBe(409);
      expect(alerting.body.error.message).toMatch(
        /1 open critical\/high alert\(s\): Duplicate keys/,
      );
      const open = (
        await api()
          .get(`${m}/alerts?status=OPEN`)
          .set('authorization', as.reader)
      ).body.items;
      await api()
        .post(`${m}/alerts/${open[0].id}/resolve`)
        .set('authorization', as.owner)
        .send({ resolution: 'deduplicated' });

      const ready = await state('customers', 'READY');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({
        dataset: 'customers',
        kind: 'CUTOVER_STATE',
        from: 'PENDING',
        to: 'READY',
        reason: 'to READY',
        actor: 'user:default/olivia-owner',
        automatic: false,
      });
      // CUTOVER needs a current approval; the 409 says what is missing.
      const unapproved = await state('customers', 'CUTOVER');
      expect(unapproved.status).toBe(409);
      expect(unapproved.body.error.message).toBe(
        'Dataset "customers" cannot go to CUTOVER without a current cutover approval: no approval has been requested (in an emergency, someone allowed cutover.approval.override may override it with a reason)',
      );
      await approveCutover(api, 'orders-v2');
      expect((await state('customers', 'CUTOVER')).status).toBe(200);
      expect((await state('customers', 'READY')).status).toBe(409);
      expect((await state('customers', 'COMPLETED')).status).toBe(200);
      const migration = (await api().get(m).set('authorization', as.reader))
        .body;
      expect(
        migration.datasets.find((d: any) => d.name === 'customers')
          .cutoverState,
      ).toBe('COMPLETED');
      expect((await state('customers', 'READY', as.reader)).status).toBe(403);
      expect((await state('nope', 'READY')).status).toBe(404);
      const bad = await api()
        .put(`${m}/datasets/customers/cutover-state`)
        .set('authorization', as.owner)
        .send({ state: 'DONE' });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/state/);
      expect(bad.body.error.message).toMatch(/reason/);
    });

    it('switches read sources by state, keeps history, serves them to jobs, and sends rolled-back datasets to LEGACY', async () => {
      const { api, state, source, complete } = await setup();
      const early = await source('customers', 'NEW');
      expect(early.status).toBe(409);
      expect(early.body.error.message).toMatch(
        /is PENDING; it can read from LEGACY/,
      );
      await complete('customers', 1000);
      await state('customers', 'READY');
      expect((await source('customers', 'NEW')).status).toBe(409);
      expect((await source('customers', 'DUAL')).status).toBe(200);
      await approveCutover(api, 'orders-v2');
      await state('customers', 'CUTOVER');
      const toNew = await source('customers', 'NEW');
      expect(toNew.body).toMatchObject({
        kind: 'READ_SOURCE',
        from: 'DUAL',
        to: 'NEW',
        reason: 'read NEW',
      });
      expect((await source('customers', 'NEW')).status).toBe(409);
      expect((await source('customers', 'LEGACY', as.reader)).status).toBe(403);

      const served = await api()
        .get(`${m}/read-sources`)
        .set('authorization', as.job);
      expect(served.status).toBe(200);
      expect(served.body).toMatchObject({
        migrationId: 'orders-v2',
        datasets: { customers: 'NEW', orders: 'LEGACY' },
      });
      expect(Date.parse(served.body.updatedAt)).toBeGreaterThan(
        Date.now() - 60_000,
      );
      expect((await api().get(`${m}/read-sources`)).status).toBe(401);

      await state('customers', 'ROLLED_BACK');
      expect(
        (await api().get(`${m}/read-sources`).set('authorization', as.job)).body
          .datasets.customers,
      ).toBe('LEGACY');
      const history = (
        await api()
          .get(`${m}/switch-history?dataset=customers`)
          .set('authorization', as.reader)
      ).body.items;
      expect(history.map((e: any) => `${e.kind}:${e.from}->${e.to}`)).toEqual([
        'CUTOVER_STATE:CUTOVER->ROLLED_BACK',
        'READ_SOURCE:NEW->LEGACY',
        'READ_SOURCE:DUAL->NEW',
        'CUTOVER_STATE:READY->CUTOVER',
        'READ_SOURCE:LEGACY->DUAL',
        'CUTOVER_STATE:PENDING->READY',
      ]);
      const audit = (
        await api().get(`${m}/audit?limit=100`).set('authorization', as.reader)
      ).body.items.map((e: any) => e.action);
      expect(audit).toEqual(
        expect.arrayContaining(['readsource.switch', 'dataset.cutover-state']),
      );
    });

    it('plans freeze windows, refuses overlaps on the same datasets, and guards switches and ingest while active', async () => {
      const { api, state, source, complete, knex } = await setup();
      const plan = (body: object) =>
        api()
          .post(`${m}/freeze-windows`)
          .set('authorization', as.owner)
          .send(body);
      const window = await plan({
        name: 'Go-live freeze',
        datasets: ['customers'],
        startsAt: at(-1),
        endsAt: at(4),
        allowReadSourceSwitch: false,
      });
      expect(window.status).toBe(201);
      expect(window.body).toMatchObject({
        status: 'PLANNED',
        datasets: ['customers'],
        allowReadSourceSwitch: false,
        createdBy: 'user:default/olivia-owner',
      });
      const overlap = await plan({
        name: 'Second',
        datasets: ['orders', 'customers'],
        startsAt: at(3),
        endsAt: at(6),
      });
      expect(overlap.status).toBe(409);
      expect(overlap.body.error.message).toMatch(
        /overlaps "Go-live freeze" .* on customers/,
      );
      expect(
        (
          await plan({
            name: 'Orders freeze',
            datasets: ['orders'],
            startsAt: at(3),
            endsAt: at(6),
          })
        ).status,
      ).toBe(201);
      expect(
        (
          await plan({
            name: 'After',
            datasets: ['customers'],
            startsAt: at(4),
            endsAt: at(6),
          })
        ).status,
      ).toBe(201);
      const bad = await plan({
        name: 'Backwards',
        datasets: ['customers'],
        startsAt: at(2),
        endsAt: at(1),
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/endsAt: must be after startsAt/);
      expect(
        (
          await plan({
            name: 'x',
            datasets: ['nope'],
            startsAt: at(1),
            endsAt: at(2),
          })
        ).body.error.message,
      ).toMatch(/unknown dataset "nope"/);
      expect(
        (
          await plan({
            name: 'x',
            datasets: ['orders'],
            startsAt: at(1),
            endsAt: at(2),
          })
        ).status,
      ).toBe(201);
      expect(
        (
          await api()
            .post(`${m}/freeze-windows`)
            .set('authorization', as.reader)
            .send({
              name: 'x',
              datasets: ['orders'],
              startsAt: at(9),
              endsAt: at(10),
            })
        ).status,
      ).toBe(403);

      const w = `${m}/freeze-windows/${window.body.id}`;
      expect(
        (
          await api()
            .post(`${w}/complete`)
            .set('authorization', as.owner)
            .send({})
        ).status,
      ).toBe(409);
      const active = await api()
        .post(`${w}/activate`)
        .set('authorization', as.owner)
        .send({});
      expect(active.body).toMatchObject({ status: 'ACTIVE' });
      expect(active.body.activatedAt).toBeTruthy();

      await complete('customers', 1000);
      await state('customers', 'READY');
      const frozen = await source('customers', 'DUAL');
      expect(frozen.status).toBe(409);
      expect(frozen.body.error.message).toMatch(
        /Freeze window "Go-live freeze" is active on "customers" and does not allow read-source switches/,
      );
      const sample = await knex('cutover_metric_samples')
        .where({ migration_id: 'orders-v2', dataset: 'customers' })
        .orderBy('at', 'desc')
        .first();
      expect(Boolean(sample.during_freeze)).toBe(true);
      const other = await api()
        .post(`${m}/metrics`)
        .set('authorization', as.job)
        .send({ samples: [{ dataset: 'orders', importedRecords: 5 }] });
      expect(other.status).toBe(200);
      const orders = await knex('cutover_metric_samples')
        .where({ migration_id: 'orders-v2', dataset: 'orders' })
        .first();
      expect(Boolean(orders.during_freeze)).toBe(false);

      const done = await api()
        .post(`${w}/complete`)
        .set('authorization', as.owner)
        .send({});
      expect(done.body.status).toBe('COMPLETED');
      expect((await source('customers', 'DUAL')).status).toBe(200);
      const cancelled = await api()
        .post(`${m}/freeze-windows/${overlap.body.id ?? window.body.id}/cancel`)
        .set('authorization', as.owner)
        .send({ reason: 'x' });
      expect(cancelled.status).toBe(409);
      const list = (
        await api().get(`${m}/freeze-windows`).set('authorization', as.reader)
      ).body.items;
      const after = list.find((x: any) => x.name === 'After');
      const c = await api()
        .post(`${m}/freeze-windows/${after.id}/cancel`)
        .set('authorization', as.owner)
        .send({ reason: 'moved to next week' });
      expect(c.body).toMatchObject({
        status: 'CANCELLED',
        cancelReason: 'moved to next week',
      });
    });

    it('requires an active window for switches when configured so', async () => {
      const { api, state, source, complete } = await setup({
        freeze: { requireWindowForSwitch: true },
      });
      await complete('orders', 4000);
      // orders is tier 2: it is ready only once the tier 1 datasets are imported (checklist DQ001).
      expect((await state('orders', 'READY')).body.error.message).toMatch(
        /required checklist items failing: DQ001/,
      );
      await complete('customers', 1000);
      expect((await state('orders', 'READY')).status).toBe(200);
      const refused = await source('orders', 'DUAL');
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toMatch(
        /needs an active freeze window covering it/,
      );
      const w = await api()
        .post(`${m}/freeze-windows`)
        .set('authorization', as.owner)
        .send({
          name: 'Orders cutover',
          datasets: ['orders'],
          startsAt: at(0),
          endsAt: at(2),
        });
      await api()
        .post(`${m}/freeze-windows/${w.body.id}/activate`)
        .set('authorization', as.owner)
        .send({});
      expect((await source('orders', 'DUAL')).status).toBe(200);
    });
  },
);
