/*
 * Gradual rollout of read switches: a switch with `rolloutPercent` gives the target source to that
 * share of targeting keys (the others keep the previous source), is validated with 4xx naming the
 * problem, needs the switch permission, keeps the switch's reason and audit, is returned by
 * GET read-sources as `rollouts`, and ends (LEGACY for everyone) with a rollback, by hand or by
 * drift. The application side (provider and ReadSourceClient) against this backend is in
 * openfeatureProvider.test.ts. Real backend over HTTP on both databases.
 */
import { Knex } from 'knex';
import { cutoverTestDatabases } from '../__testUtils__/databases';
import { approveCutover, as } from '../__testUtils__/backend';
import {
  seedLabels,
  startReconciledMigration,
  tablePair,
  importedInFull,
} from '../__testUtils__/reconciledTables';

jest.setTimeout(180_000);

const databases = cutoverTestDatabases();
const m = '/api/cutover/migrations/orders-v2';
const ROWS = 1000;

const seed = (knex: Knex) =>
  seedLabels(
    knex,
    ['src_customers', 'dst_customers'],
    ROWS,
    id => `customer ${id}`,
  );

describe.each(databases.eachSupportedId())(
  'gradual rollout of read switches on %s',
  databaseId => {
    async function setup() {
      const knex = await databases.init(databaseId);
      await seed(knex);
      const started = await startReconciledMigration(knex, m, [
        tablePair('customers', ROWS),
      ]);
      const { api, reconcile } = started;
      await api()
        .post(`${m}/metrics`)
        .set('authorization', as.job)
        .send(importedInFull(['customers'], ROWS));
      const state = (s: string, extra: object = {}) =>
        api()
          .put(`${m}/datasets/customers/cutover-state`)
          .set('authorization', as.owner)
          .send({ state: s, reason: `to ${s}`, ...extra });
      const source = (body: object, who = as.owner) =>
        api()
          .put(`${m}/datasets/customers/read-source`)
          .set('authorization', who)
          .send({ reason: 'canary', ...body });
      const readSources = async () =>
        (await api().get(`${m}/read-sources`).set('authorization', as.job))
          .body;
      return { ...started, knex, state, source, readSources, reconcile };
    }

    it('refuses bad percentages and LEGACY rollouts with 400 naming rolloutPercent', async () => {
      const { state, source, readSources } = await setup();
      expect((await state('READY')).status).toBe(200);
      for (const [rolloutPercent, words] of [
        [0, /rolloutPercent: .*at least 1/],
        [100, /rolloutPercent: .*at most 99/],
        [12.5, /rolloutPercent: .*(whole number|integer|int)/i],
        ['20', /rolloutPercent: .*number/i],
      ] as const) {
        const res = await source({ source: 'DUAL', rolloutPercent });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(words);
      }
      const legacy = await source({ source: 'LEGACY', rolloutPercent: 10 });
      expect(legacy.status).toBe(400);
      expect(legacy.body.error.message).toMatch(
        /rolloutPercent: a rollout gives DUAL or NEW to a share of callers; switching back to LEGACY is for everyone/,
      );
      // NEW needs CUTOVER, with or without a rollout.
      const early = await source({ source: 'NEW', rolloutPercent: 10 });
      expect(early.status).toBe(409);
      expect(early.body.error.message).toMatch(
        /is READY; it can read from LEGACY or DUAL/,
      );
      expect((await readSources()).rollouts).toBeUndefined();
    });

    it('gives the target source to a share of callers, with the switch permission, reason and audit; raises it; ends it with a switch for everyone', async () => {
      const { api, state, source, readSources } = await setup();
      expect((await state('READY')).status).toBe(200);

      expect(
        (await source({ source: 'DUAL', rolloutPercent: 20 }, as.reader))
          .status,
      ).toBe(403);
      const started = await source({ source: 'DUAL', rolloutPercent: 20 });
      expect(started.status).toBe(200);
      expect(started.body).toMatchObject({
        dataset: 'customers',
        kind: 'READ_SOURCE',
        from: 'LEGACY',
        to: 'DUAL',
        rolloutPercent: 20,
        reason: 'canary',
        actor: 'user:default/olivia-owner',
      });
      expect(await readSources()).toMatchObject({
        datasets: { customers: 'LEGACY' },
        rollouts: { customers: { source: 'DUAL', percent: 20 } },
      });
      const again = await source({ source: 'DUAL', rolloutPercent: 20 });
      expect(again.status).toBe(409);
      expect(again.body.error.message).toMatch(
        /already reads from DUAL for 20% of callers/,
      );

      expect(
        (await source({ source: 'DUAL', rolloutPercent: 50, reason: 'wider' }))
          .status,
      ).toBe(200);
      expect((await readSources()).rollouts).toEqual({
        customers: { source: 'DUAL', percent: 50 },
      });
      const migration = (await api().get(m).set('authorization', as.reader))
        .body;
      expect(migration.datasets[0]).toMatchObject({
        readSource: 'LEGACY',
        rollout: { source: 'DUAL', percent: 50 },
      });

      const audit = (
        await api().get(`${m}/audit`).set('authorization', as.owner)
      ).body.items.filter((e: any) => e.action === 'readsource.switch');
      expect(audit.map((e: any) => [e.before, e.after])).toEqual(
        expect.arrayContaining([
          [
            { readSource: 'LEGACY', rollout: null },
            expect.objectContaining({
              readSource: 'LEGACY',
              rollout: { source: 'DUAL', percent: 20 },
              reason: 'canary',
            }),
          ],
          [
            { readSource: 'LEGACY', rollout: { source: 'DUAL', percent: 20 } },
            expect.objectContaining({
              rollout: { source: 'DUAL', percent: 50 },
              reason: 'wider',
            }),
          ],
        ]),
      );

      // For everyone: the rollout ends.
      const all = await source({ source: 'DUAL', reason: 'everyone' });
      expect(all.status).toBe(200);
      expect(all.body.rolloutPercent).toBeUndefined();
      const after = await readSources();
      expect(after.datasets.customers).toBe('DUAL');
      expect(after.rollouts).toBeUndefined();
    });

    it('ends a rollout with a rollback by hand: LEGACY for everyone', async () => {
      const { api, state, source, readSources } = await setup();
      expect((await state('READY')).status).toBe(200);
      await approveCutover(api, 'orders-v2');
      expect((await state('CUTOVER')).status).toBe(200);
      expect((await source({ source: 'NEW', rolloutPercent: 30 })).status).toBe(
        200,
      );
      expect((await readSources()).rollouts).toEqual({
        customers: { source: 'NEW', percent: 30 },
      });
      expect((await state('ROLLED_BACK')).status).toBe(200);
      const after = await readSources();
      expect(after.datasets.customers).toBe('LEGACY');
      expect(after.rollouts).toBeUndefined();
      const history = (
        await api()
          .get(`${m}/switch-history?dataset=customers`)
          .set('authorization', as.reader)
      ).body.items;
      expect(history[0]).toMatchObject({
        kind: 'CUTOVER_STATE',
        to: 'ROLLED_BACK',
      });
      expect(history[1]).toMatchObject({
        kind: 'READ_SOURCE',
        from: 'NEW (30%)',
        to: 'LEGACY',
        reason: 'ROLLED_BACK: to ROLLED_BACK',
      });
    });

    it('ends a rollout when drift past the rollback threshold rolls the dataset back', async () => {
      const { api, knex, state, source, readSources, reconcile } =
        await setup();
      expect((await reconcile()).datasets[0].level).toBe('OK');
      expect((await state('READY')).status).toBe(200);
      await approveCutover(api, 'orders-v2');
      expect((await state('CUTOVER')).status).toBe(200);
      expect(
        (await source({ source: 'DUAL', reason: 'dual for all' })).status,
      ).toBe(200);
      expect((await source({ source: 'NEW', rolloutPercent: 10 })).status).toBe(
        200,
      );
      expect(await readSources()).toMatchObject({
        datasets: { customers: 'DUAL' },
        rollouts: { customers: { source: 'NEW', percent: 10 } },
      });
      // 1% of rows differ: past the rollback threshold (0.5%).
      const ids = Array.from({ length: 10 }, (_, i) => 1 + i * 50);
      await knex('dst_customers')
        .whereIn('id', ids)
        .update({ label: 'drifted' });
      expect((await reconcile()).datasets[0].level).toBe('ROLLBACK');
      const after = await readSources();
      expect(after.datasets.customers).toBe('LEGACY');
      expect(after.rollouts).toBeUndefined();
      const dataset = (await api().get(m).set('authorization', as.reader)).body
        .datasets[0];
      expect(dataset.cutoverState).toBe('ROLLED_BACK');
      expect(dataset.rollout).toBeUndefined();
    });
  },
);
