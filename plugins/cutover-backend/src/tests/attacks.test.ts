/*
 * The governance attack suite: what a signed-in user of another team, an approver of the owning
 * team, or the example portal's jobs' token could do to a migration and its databases before the
 * governance model, each tried over HTTP against a real backend (SQLite and PostgreSQL). Every test
 * here failed on the code before it; the README's threat table says the same in prose.
 */
import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  cutoverSnapshotProvidersExtensionPoint,
  SnapshotProvider,
} from '@switchyard/plugin-cutover-node';
import { Knex } from 'knex';
import {
  approveCutover,
  as,
  startCutoverBackend,
  testPlan,
} from '../__testUtils__/backend';
import { cutoverTestDatabases } from '../__testUtils__/databases';
import { CutoverConnections } from '../snapshots/connections';
import { KnexSnapshotProvider } from '../snapshots/KnexSnapshotProvider';

jest.setTimeout(180_000);

const databases = cutoverTestDatabases();
const m = '/api/cutover/migrations/orders-v2';

/** The connections of this suite, declared as a platform team would. */
const CONNECTIONS = {
  // The orders team's new database: only its tables, only its migrations.
  'orders-new': {
    owners: ['group:default/orders-team'],
    tables: ['orders_*', 'public.orders_*'],
  },
  // The billing team's database.
  'billing-db': { owners: ['group:default/billing-team'] },
  // A legacy source both teams read, and nobody writes.
  legacy: {
    owners: ['group:default/orders-team', 'group:default/billing-team'],
    readOnly: true,
  },
};

/** Two tables linked by a foreign key (orders_items -> orders_orders), ten rows each. */
async function seed(knex: Knex) {
  await knex.schema.dropTableIfExists('orders_items');
  await knex.schema.dropTableIfExists('orders_orders');
  await knex.schema.createTable('orders_orders', t => {
    t.integer('id').primary();
    t.string('customer', 50).notNullable();
  });
  await knex.schema.createTable('orders_items', t => {
    t.integer('id').primary();
    t.integer('order_id')
      .notNullable()
      .references('id')
      .inTable('orders_orders');
    t.integer('qty').notNullable();
  });
  await knex('orders_orders').insert(
    Array.from({ length: 10 }, (_, i) => ({
      id: i + 1,
      customer: `c${i + 1}`,
    })),
  );
  await knex('orders_items').insert(
    Array.from({ length: 10 }, (_, i) => ({
      id: i + 1,
      order_id: i + 1,
      qty: i + 1,
    })),
  );
}

const ordersPlan = (overrides: Record<string, unknown> = {}) =>
  testPlan({
    source: { connection: 'legacy' },
    destination: { connection: 'orders-new' },
    datasets: [
      {
        name: 'orders',
        tier: 1,
        table: 'orders_orders',
        keyColumns: ['id'],
        totalRecords: 10,
      },
      {
        name: 'items',
        tier: 2,
        table: 'orders_items',
        keyColumns: ['id'],
        totalRecords: 10,
      },
    ],
    ...overrides,
  });

describe.each(databases.eachSupportedId())(
  'governance attacks on %s',
  databaseId => {
    async function setup(
      options: {
        config?: Record<string, unknown>;
        provider?: (knex: Knex) => SnapshotProvider;
      } = {},
    ) {
      const knex = await databases.init(databaseId);
      await seed(knex);
      const connections = new CutoverConnections({
        'orders-new': knex,
        'billing-db': knex,
        legacy: knex,
      });
      const provider =
        options.provider?.(knex) ?? new KnexSnapshotProvider(connections);
      const providers = createBackendModule({
        pluginId: 'cutover',
        moduleId: 'attack-snapshot-provider',
        register(reg) {
          reg.registerInit({
            deps: { p: cutoverSnapshotProvidersExtensionPoint },
            async init({ p }) {
              p.addSnapshotProvider(provider);
            },
          });
        },
      });
      const cutover = (options.config?.cutover ?? {}) as Record<
        string,
        unknown
      >;
      const started = await startCutoverBackend({
        knex,
        config: {
          ...options.config,
          cutover: {
            ...cutover,
            connections: { ...CONNECTIONS, ...(cutover.connections as object) },
          },
        },
        extraFeatures: [providers],
      });
      const { api } = started;
      const put = (path: string, who: string, body: object) =>
        api().put(`/api/cutover${path}`).set('authorization', who).send(body);
      const post = (path: string, who: string, body: object = {}) =>
        api().post(`/api/cutover${path}`).set('authorization', who).send(body);
      const get = (path: string, who = as.reader) =>
        api().get(`/api/cutover${path}`).set('authorization', who);
      const del = (path: string, who = as.owner) =>
        api().delete(`/api/cutover${path}`).set('authorization', who);
      const audit = async () =>
        (await get('/migrations/orders-v2/audit?limit=200')).body.items;
      const waitFor = async (path: string) => {
        for (let i = 0; i < 600; i++) {
          const body = (await get(path)).body;
          if (body.status === 'SUCCEEDED' || body.status === 'FAILED')
            return body;
          await new Promise(r => setTimeout(r, 25));
        }
        throw new Error(`${path} did not finish`);
      };
      /** Imports everything with good quality, so the migration may be approved. */
      const importAll = async () => {
        const samples = ['orders', 'items'].map(dataset => ({
          dataset,
          totalRecords: 10,
          importedRecords: 10,
          completeness: 99,
          validity: 99,
          consistency: 99,
          accuracy: 99,
        }));
        expect(
          (await post('/migrations/orders-v2/metrics', as.job, { samples }))
            .status,
        ).toBe(200);
      };
      const state = (
        dataset: string,
        to: string,
        who = as.owner,
        extra: object = {},
      ) =>
        put(`/migrations/orders-v2/datasets/${dataset}/cutover-state`, who, {
          state: to,
          reason: `to ${to}`,
          ...extra,
        });
      const source = (
        dataset: string,
        to: string,
        who = as.owner,
        extra: object = {},
      ) =>
        put(`/migrations/orders-v2/datasets/${dataset}/read-source`, who, {
          source: to,
          reason: `read ${to}`,
          ...extra,
        });
      return {
        ...started,
        knex,
        put,
        post,
        get,
        del,
        audit,
        waitFor,
        importAll,
        state,
        source,
      };
    }

    describe('1. connections and tables belong to someone', () => {
      it('refuses a plan naming a connection, table or owner its author may not use, naming each, and records the refusal', async () => {
        const { put, post } = await setup();
        // Another team may not create a migration for the orders team...
        const forOthers = await post('/migrations', as.otherTeam, ordersPlan());
        expect(forOthers.status).toBe(403);
        expect(forOthers.body.error.message).toMatch(
          /user:default\/bob-billing may not make group:default\/orders-team the owner of a migration: only its members may/,
        );
        // ...nor, as its own owner, name the orders team's connection and tables.
        const billingPlan = ordersPlan({
          id: 'billing-grab',
          owner: 'group:default/billing-team',
        });
        const grab = await post('/migrations', as.otherTeam, billingPlan);
        expect(grab.status).toBe(403);
        expect(grab.body.error.message).toBe(
          'The plan names what its owner may not use: destination.connection "orders-new" may not be used by group:default/billing-team (its owners: group:default/orders-team)',
        );
        // Undeclared connections, tables outside the patterns and read-only destinations are refused too.
        const cases: Array<[Record<string, unknown>, RegExp]> = [
          [
            { destination: { connection: 'warehouse' } },
            /destination\.connection "warehouse" is not declared under cutover\.connections/,
          ],
          [
            {
              datasets: [
                { name: 'secrets', table: 'credentials', keyColumns: ['id'] },
              ],
            },
            /datasets\.secrets: table "credentials" is outside what connection "orders-new" exposes \(tables orders_\*, public\.orders_\*\)/,
          ],
          [
            { destination: { connection: 'legacy' } },
            /destination\.connection "legacy" is read-only: it can only be a source/,
          ],
        ];
        for (const [override, message] of cases) {
          const res = await put(
            '/migrations/orders-v2',
            as.owner,
            ordersPlan(override),
          );
          expect(res.status).toBe(403);
          expect(res.body.error.message).toMatch(message);
        }
        expect(
          (await put('/migrations/orders-v2', as.owner, ordersPlan())).status,
        ).toBe(201);
      });

      it('gives a table to one migration at a time: a second plan naming it gets 409 naming the holder', async () => {
        const { put, post, get, del } = await setup();
        expect(
          (await put('/migrations/orders-v2', as.owner, ordersPlan())).status,
        ).toBe(201);
        // The same tables under another migration of the same team, and under another spelling.
        for (const table of [
          'orders_orders',
          'ORDERS_ORDERS',
          'public.orders_orders',
        ]) {
          const second = await post(
            '/migrations',
            as.owner,
            ordersPlan({
              id: 'orders-shadow',
              datasets: [{ name: 'orders', table, keyColumns: ['id'] }],
            }),
          );
          expect(second.status).toBe(409);
          expect(second.body.error.message).toMatch(
            /orders-new\/orders_orders is held by migration "orders-v2"/,
          );
        }
        expect((await get('/migrations/orders-shadow')).status).toBe(404);
        // Archiving releases the tables; the other migration may take them then.
        expect((await del('/migrations/orders-v2')).status).toBe(204);
        expect(
          (
            await post(
              '/migrations',
              as.owner,
              ordersPlan({ id: 'orders-shadow' }),
            )
          ).status,
        ).toBe(201);
        // And the archived one can't come back while another holds its tables.
        const restore = await post('/migrations/orders-v2/restore', as.owner, {
          reason: 'mistake',
        });
        expect(restore.status).toBe(409);
        expect(restore.body.error.message).toMatch(
          /held by migration "orders-shadow"/,
        );
      });

      it("refuses to start when a connection is the portal's own database", async () => {
        const knex = await databases.init(databaseId);
        const config =
          databaseId === 'SQLITE_3'
            ? {
                backend: {
                  database: {
                    client: 'better-sqlite3',
                    connection: { filename: '/tmp/switchyard-portal.sqlite' },
                  },
                },
                cutover: {
                  connections: {
                    sneaky: {
                      client: 'better-sqlite3',
                      connection: {
                        filename: '/tmp/../tmp/switchyard-portal.sqlite',
                      },
                      owners: ['group:default/orders-team'],
                    },
                  },
                },
              }
            : {
                backend: {
                  database: {
                    client: 'pg',
                    connection: {
                      host: '127.0.0.1',
                      port: 5432,
                      user: 'postgres',
                    },
                  },
                },
                cutover: {
                  connections: {
                    sneaky: {
                      client: 'pg',
                      connection:
                        'postgresql://postgres@localhost:5432/backstage_plugin_catalog',
                      owners: ['group:default/orders-team'],
                    },
                  },
                },
              };
        await expect(startCutoverBackend({ knex, config })).rejects.toThrow(
          /cutover\.connections\.sneaky is the portal's own database .*Switchyard refuses to act on it/,
        );
      });
    });

    describe('2. archived stays archived', () => {
      it('answers 409 to PUT and POST on an archived id, so nobody takes a migration over with its history', async () => {
        const { put, post, del } = await setup();
        expect(
          (await put('/migrations/orders-v2', as.owner, ordersPlan())).status,
        ).toBe(201);
        expect((await del('/migrations/orders-v2')).status).toBe(204);
        const takeover = ordersPlan({
          owner: 'group:default/billing-team',
          destination: undefined,
          source: undefined,
        });
        for (const res of [
          await put('/migrations/orders-v2', as.otherTeam, takeover),
          await post('/migrations', as.otherTeam, takeover),
        ]) {
          expect(res.status).toBe(409);
          expect(res.body.error.message).toMatch(/archived stays archived/);
        }
        expect(
          (
            await post('/migrations/orders-v2/restore', as.otherTeam, {
              reason: 'mine now',
            })
          ).status,
        ).toBe(403);
        const back = await post('/migrations/orders-v2/restore', as.owner, {
          reason: 'archived by mistake',
        });
        expect(back.status).toBe(200);
        expect(back.body.owner).toBe('group:default/orders-team');
      });
    });

    describe('3. approvals gate the cutover', () => {
      it('refuses CUTOVER and NEW reads without a current approval, listing what is missing', async () => {
        const { put, importAll, state, source, post } = await setup();
        expect(
          (await put('/migrations/orders-v2', as.owner, ordersPlan())).status,
        ).toBe(201);
        await importAll();
        expect((await state('orders', 'READY')).status).toBe(200);
        const refused = await state('orders', 'CUTOVER');
        expect(refused.status).toBe(409);
        expect(refused.body.error.message).toMatch(
          /cannot go to CUTOVER without a current cutover approval: no approval has been requested/,
        );
        // Requested but not yet decided: still refused, saying so.
        expect(
          (
            await post('/migrations/orders-v2/approval-requests', as.owner, {
              comments: 'ready',
            })
          ).status,
        ).toBe(201);
        expect((await state('orders', 'CUTOVER')).body.error.message).toMatch(
          /approval is pending: 0 of 1 approval\(s\) from group:default\/cutover-approvers/,
        );
        expect(
          (
            await post('/migrations/orders-v2/approvals', as.approver, {
              decision: 'APPROVED',
            })
          ).status,
        ).toBe(201);
        expect((await state('orders', 'CUTOVER')).status).toBe(200);
        expect((await source('orders', 'NEW')).status).toBe(200);
        // DUAL is not gated by default (cutover.approvals.gateDualReads).
        expect((await state('items', 'READY')).status).toBe(200);
        expect((await source('items', 'DUAL')).status).toBe(200);
      });

      it('gates DUAL reads too where config says so', async () => {
        const { put, importAll, state, source } = await setup({
          config: { cutover: { approvals: { gateDualReads: true } } },
        });
        expect(
          (await put('/migrations/orders-v2', as.owner, ordersPlan())).status,
        ).toBe(201);
        await importAll();
        expect((await state('items', 'READY')).status).toBe(200);
        const dual = await source('items', 'DUAL');
        expect(dual.status).toBe(409);
        expect(dual.body.error.message).toMatch(
          /cannot go to DUAL without a current cutover approval/,
        );
      });

      it("does not count an approval from the owner's team, checked in the catalog, even when a job requested it", async () => {
        const { put, importAll, post, state } = await setup();
        // The owner names their own team as approvers.
        expect(
          (
            await put(
              '/migrations/orders-v2',
              as.owner,
              ordersPlan({ approvers: 'group:default/orders-team' }),
            )
          ).status,
        ).toBe(201);
        await importAll();
        expect((await state('orders', 'READY')).status).toBe(200);
        // The job's token requests (so the requester is not the approver)...
        expect(
          (
            await post('/migrations/orders-v2/approval-requests', as.job, {
              comments: 'ready',
            })
          ).status,
        ).toBe(201);
        // ...and members of the owning team try to approve: neither counts.
        for (const who of [as.owner2, as.approverOwner]) {
          const res = await post('/migrations/orders-v2/approvals', who, {
            decision: 'APPROVED',
          });
          expect([403, 409]).toContain(res.status);
        }
        const member = await post(
          '/migrations/orders-v2/approvals',
          as.owner2,
          { decision: 'APPROVED' },
        );
        expect(member.body.error.message).toMatch(
          /Separation of duties: user:default\/oscar-owner belongs to group:default\/orders-team/,
        );
        expect((await state('orders', 'CUTOVER')).status).toBe(409);
      });

      it('makes approvals stale when the datasets, approvers or thresholds change', async () => {
        const { api, put, importAll, state } = await setup();
        expect(
          (await put('/migrations/orders-v2', as.owner, ordersPlan())).status,
        ).toBe(201);
        await importAll();
        await approveCutover(api, 'orders-v2');
        expect((await state('orders', 'READY')).status).toBe(200);
        // The owner loosens the thresholds after the approval: it no longer counts.
        expect(
          (
            await put(
              '/migrations/orders-v2',
              as.owner,
              ordersPlan({ driftThresholds: { rollback: 0.5 } }),
            )
          ).status,
        ).toBe(200);
        const refused = await state('orders', 'CUTOVER');
        expect(refused.status).toBe(409);
        expect(refused.body.error.message).toMatch(
          /the approval is stale \(the plan's datasets, approvers or drift thresholds changed since\)/,
        );
      });

      it('lets only its author revoke a rejection', async () => {
        const { put, importAll, post, get } = await setup();
        expect(
          (await put('/migrations/orders-v2', as.owner, ordersPlan())).status,
        ).toBe(201);
        await importAll();
        expect(
          (await post('/migrations/orders-v2/approval-requests', as.owner, {}))
            .status,
        ).toBe(201);
        const rejected = await post(
          '/migrations/orders-v2/approvals',
          as.approver2,
          { decision: 'REJECTED', comments: 'not yet' },
        );
        expect(rejected.status).toBe(201);
        const byColleague = await post(
          `/migrations/orders-v2/approvals/${rejected.body.id}/revoke`,
          as.approver,
          { reason: 'I disagree' },
        );
        expect(byColleague.status).toBe(403);
        expect(byColleague.body.error.message).toMatch(
          /A rejection is revoked only by its author \(user:default\/arnold-approver\)/,
        );
        expect(
          (await get('/migrations/orders-v2/readiness')).body.approval.status,
        ).toBe('REJECTED');
        expect(
          (
            await post(
              `/migrations/orders-v2/approvals/${rejected.body.id}/revoke`,
              as.approver2,
              { reason: 'fixed' },
            )
          ).status,
        ).toBe(200);
      });

      it('allows an emergency override only to those allowed, with a reason, audited high and shown in the history', async () => {
        const { put, importAll, state, get, audit, notifications } =
          await setup();
        expect(
          (await put('/migrations/orders-v2', as.owner, ordersPlan())).status,
        ).toBe(201);
        await importAll();
        expect((await state('orders', 'READY')).status).toBe(200);
        const override = {
          overrideReason: 'legacy database is down; reads must move now',
        };
        expect(
          (await state('orders', 'CUTOVER', as.jobExample, override)).status,
        ).toBe(403);
        expect(
          (await state('orders', 'CUTOVER', as.otherTeam, override)).status,
        ).toBe(403);
        expect(
          (
            await state('orders', 'CUTOVER', as.owner, {
              overrideReason: 'now',
            })
          ).status,
        ).toBe(400);
        const ok = await state('orders', 'CUTOVER', as.owner, override);
        expect(ok.status).toBe(200);
        expect(ok.body).toMatchObject({
          to: 'CUTOVER',
          overrideReason: override.overrideReason,
        });
        const history = (
          await get('/migrations/orders-v2/switch-history?dataset=orders')
        ).body.items;
        expect(history[0]).toMatchObject({
          kind: 'CUTOVER_STATE',
          to: 'CUTOVER',
          overrideReason: override.overrideReason,
        });
        const events = await audit();
        expect(
          events.find(
            (e: any) => e.action === 'dataset.cutover-state.override',
          ),
        ).toMatchObject({ severity: 'high', outcome: 'success' });
        expect(
          events
            .filter(
              (e: any) =>
                e.outcome === 'failure' && e.action === 'dataset.cutover-state',
            )
            .map((e: any) => e.actor),
        ).toEqual(
          expect.arrayContaining([
            'user:default/bob-billing',
            'service:external:cutover-jobs-example',
          ]),
        );
        expect(notifications.at(-1)).toMatchObject({
          recipients: {
            entityRef: [
              'group:default/orders-team',
              'group:default/cutover-approvers',
            ],
          },
          payload: {
            title: expect.stringMatching(/Approval gate overridden/),
            severity: 'critical',
          },
        });
      });
    });

    describe("4. the jobs' token cannot govern", () => {
      it('may apply plans but not change owner, approvers, tables, keys or thresholds', async () => {
        const { put, get } = await setup();
        expect(
          (await put('/migrations/orders-v2', as.owner, ordersPlan())).status,
        ).toBe(201);
        // An unchanged plan, or a new title, applies.
        expect(
          (
            await put(
              '/migrations/orders-v2',
              as.jobExample,
              ordersPlan({ title: 'Orders, renamed' }),
            )
          ).status,
        ).toBe(200);
        const attempts: Array<[Record<string, unknown>, RegExp]> = [
          [{ owner: 'group:default/billing-team' }, /not change owner/],
          [{ approvers: 'group:default/orders-team' }, /not change approvers/],
          [{ driftThresholds: { rollback: 0 } }, /not change driftThresholds/],
          [
            {
              datasets: [
                {
                  name: 'orders',
                  tier: 1,
                  table: 'orders_orders',
                  keyColumns: ['customer'],
                },
                {
                  name: 'items',
                  tier: 2,
                  table: 'orders_items',
                  keyColumns: ['id'],
                },
              ],
            },
            /not change datasets\.orders\.keyColumns/,
          ],
        ];
        for (const [override, message] of attempts) {
          const res = await put(
            '/migrations/orders-v2',
            as.jobExample,
            ordersPlan({ title: 'Orders, renamed', ...override }),
          );
          expect(res.status).toBe(403);
          expect(res.body.error.message).toMatch(message);
          expect(res.body.error.message).toMatch(
            /that needs cutover\.migration\.govern/,
          );
        }
        const after = (await get('/migrations/orders-v2')).body;
        expect(after).toMatchObject({
          owner: 'group:default/orders-team',
          approvers: 'group:default/cutover-approvers',
        });
        expect(after.driftThresholds ?? {}).not.toHaveProperty('rollback', 0);
      });
    });

    describe('5. a rollback is a cutover action', () => {
      it('switches the datasets to LEGACY and pauses the jobs while it runs, marks them ROLLED_BACK, then lets the jobs run again', async () => {
        const { api, put, importAll, state, source, post, get, waitFor, knex } =
          await setup();
        expect(
          (await put('/migrations/orders-v2', as.owner, ordersPlan())).status,
        ).toBe(201);
        await importAll();
        await approveCutover(api, 'orders-v2');
        for (const d of ['orders', 'items']) {
          expect((await state(d, 'READY')).status).toBe(200);
          expect((await state(d, 'CUTOVER')).status).toBe(200);
          expect((await source(d, 'NEW')).status).toBe(200);
        }
        const snap = await post('/migrations/orders-v2/snapshots', as.owner, {
          name: 'before the bad load',
        });
        expect(
          (await waitFor(`/migrations/orders-v2/snapshots/${snap.body.id}`))
            .status,
        ).toBe('SUCCEEDED');
        await knex('orders_orders').insert({ id: 99, customer: 'bad' });
        await knex('orders_items').insert({ id: 99, order_id: 99, qty: 1 });
        const started = await post(
          '/migrations/orders-v2/rollbacks',
          as.owner,
          { snapshotId: snap.body.id, createBackup: false, reason: 'bad load' },
        );
        expect(started.status).toBe(202);
        // At once: applications read LEGACY, jobs are told to pause.
        const during = (await get('/migrations/orders-v2/read-sources')).body
          .datasets;
        expect(during).toEqual({ orders: 'LEGACY', items: 'LEGACY' });
        const control = (await get('/migrations/orders-v2/control', as.job))
          .body;
        expect(['PAUSE', 'RUN']).toContain(control.controlState); // RUN only if the rollback already finished
        const done = await waitFor(
          `/migrations/orders-v2/rollbacks/${started.body.id}`,
        );
        expect(done).toMatchObject({ status: 'SUCCEEDED', verified: true });
        const migration = (await get('/migrations/orders-v2')).body;
        expect(
          migration.datasets.map((d: any) => [
            d.name,
            d.cutoverState,
            d.readSource,
          ]),
        ).toEqual([
          ['orders', 'ROLLED_BACK', 'LEGACY'],
          ['items', 'ROLLED_BACK', 'LEGACY'],
        ]);
        expect(migration.controlState).toBe('RUN');
        // Both rows of the bad load are gone (the child row first, or the foreign key would refuse).
        expect(await knex('orders_orders').where({ id: 99 })).toEqual([]);
        expect(await knex('orders_items').where({ id: 99 })).toEqual([]);
        const history = (
          await get('/migrations/orders-v2/switch-history?dataset=orders')
        ).body.items.map((e: any) => `${e.kind}:${e.to}:${e.reason}`);
        expect(history.slice(0, 2)).toEqual([
          `CUTOVER_STATE:ROLLED_BACK:rollback ${started.body.id}`,
          `READ_SOURCE:LEGACY:rollback ${started.body.id} started`,
        ]);
      });

      it('restores datasets linked by a foreign key together: a failure in one leaves both as they were, and the jobs stay paused', async () => {
        const { put, post, get, waitFor, knex } = await setup({
          provider: db =>
            new KnexSnapshotProvider(
              new CutoverConnections({ 'orders-new': db }),
              {
                faultInjection: {
                  beforeCommit: async target => {
                    if (target.dataset === 'orders')
                      throw new Error('lost the connection (injected)');
                  },
                },
              },
            ),
        });
        expect(
          (await put('/migrations/orders-v2', as.owner, ordersPlan())).status,
        ).toBe(201);
        expect(
          (
            await post('/migrations/orders-v2/metrics', as.job, {
              samples: [{ dataset: 'orders', importedRecords: 5 }],
            })
          ).status,
        ).toBe(200);
        const snap = await post('/migrations/orders-v2/snapshots', as.owner, {
          name: 'clean',
        });
        expect(
          (await waitFor(`/migrations/orders-v2/snapshots/${snap.body.id}`))
            .status,
        ).toBe('SUCCEEDED');
        await knex('orders_orders').insert({ id: 99, customer: 'bad' });
        await knex('orders_items').insert({ id: 99, order_id: 99, qty: 1 });
        const started = await post(
          '/migrations/orders-v2/rollbacks',
          as.owner,
          { snapshotId: snap.body.id, createBackup: false },
        );
        const done = await waitFor(
          `/migrations/orders-v2/rollbacks/${started.body.id}`,
        );
        expect(done.status).toBe('FAILED');
        expect(done.results.map((r: any) => r.status)).toEqual([
          'FAILED',
          'FAILED',
        ]);
        // items (restored first, as it references orders) was rolled back with the transaction.
        expect(await knex('orders_items').where({ id: 99 })).toHaveLength(1);
        expect(await knex('orders_orders').where({ id: 99 })).toHaveLength(1);
        const migration = (await get('/migrations/orders-v2')).body;
        expect(migration).toMatchObject({
          controlState: 'PAUSE',
          status: 'PAUSED',
        });
        expect(migration.datasets.map((d: any) => d.cutoverState)).toEqual([
          'PENDING',
          'PENDING',
        ]);
      });
    });

    describe('6. long work is bounded', () => {
      it('keeps snapshots within the quota and retention cap, and verify needs the snapshot permission', async () => {
        const { put, post, get, waitFor } = await setup({
          config: {
            cutover: {
              snapshots: { quota: { count: 1 }, maxRetention: { days: 30 } },
            },
          },
        });
        expect(
          (await put('/migrations/orders-v2', as.owner, ordersPlan())).status,
        ).toBe(201);
        const long = await post('/migrations/orders-v2/snapshots', as.owner, {
          name: 'forever',
          retentionDays: 3650,
        });
        expect(long.status).toBe(400);
        expect(long.body.error.message).toBe(
          'Invalid request: retentionDays: at most 30 days (cutover.snapshots.maxRetention)',
        );
        const first = await post('/migrations/orders-v2/snapshots', as.owner, {
          name: 'one',
        });
        expect(first.status).toBe(202);
        await waitFor(`/migrations/orders-v2/snapshots/${first.body.id}`);
        const second = await post('/migrations/orders-v2/snapshots', as.owner, {
          name: 'two',
        });
        expect(second.status).toBe(409);
        expect(second.body.error.message).toMatch(
          /keeps 1 snapshots, its quota \(cutover\.snapshots\.quota\.count 1\); delete one first/,
        );
        expect(
          (
            await post(
              `/migrations/orders-v2/snapshots/${first.body.id}/verify`,
              as.reader,
            )
          ).status,
        ).toBe(403);
        expect(
          (await get(`/migrations/orders-v2/snapshots/${first.body.id}`))
            .status,
        ).toBe(200);
      });

      it('runs at most the configured number of long jobs at once, refusing more with 429 naming the limit', async () => {
        let release!: () => void;
        const gate = new Promise<void>(r => (release = r));
        const { put, post, waitFor } = await setup({
          config: { cutover: { jobs: { maxConcurrent: 1 } } },
          provider: knex => {
            const real = new KnexSnapshotProvider(
              new CutoverConnections({ 'orders-new': knex }),
            );
            return {
              id: real.id,
              supports: t => real.supports(t),
              create: async (id, t, p) => {
                await gate;
                return real.create(id, t, p);
              },
              restore: (...args) => real.restore(...args),
              measure: t => real.measure(t),
              delete: (...args) => real.delete(...args),
            };
          },
        });
        expect(
          (await put('/migrations/orders-v2', as.owner, ordersPlan())).status,
        ).toBe(201);
        const first = await post('/migrations/orders-v2/snapshots', as.owner, {
          name: 'slow',
        });
        expect(first.status).toBe(202);
        const second = await post('/migrations/orders-v2/snapshots', as.owner, {
          name: 'too many',
        });
        expect(second.status).toBe(429);
        expect(second.body.error.message).toMatch(
          /At most 1 long jobs .* run at once on this backend \(cutover\.jobs\.maxConcurrent\)/,
        );
        release();
        expect(
          (await waitFor(`/migrations/orders-v2/snapshots/${first.body.id}`))
            .status,
        ).toBe('SUCCEEDED');
        expect(
          (
            await post('/migrations/orders-v2/snapshots', as.owner, {
              name: 'now',
            })
          ).status,
        ).toBe(202);
      });

      it('sizes bodies per route: a large metrics batch is read, a large PATCH is refused with 413 naming the limit', async () => {
        const { put, api } = await setup();
        expect(
          (await put('/migrations/orders-v2', as.owner, ordersPlan())).status,
        ).toBe(201);
        const samples = Array.from({ length: 9000 }, (_, i) => ({
          dataset: 'orders',
          importedRecords: i,
          at: new Date(Date.now() - (9000 - i) * 1000).toISOString(),
        }));
        expect(
          (
            await api()
              .post(`${m}/metrics`)
              .set('authorization', as.job)
              .send({ samples })
          ).status,
        ).toBe(200);
        const patch = await api()
          .patch(m)
          .set('authorization', as.owner)
          .send({ title: 'x', description: 'y'.repeat(70 * 1024) });
        expect(patch.status).toBe(413);
        expect(patch.body.error.message).toBe(
          'Invalid request: body is larger than the 64 KB this route accepts (cutover.http.bodyLimits.patch)',
        );
      });
    });

    describe('7. refusals are audited', () => {
      it("records a refused rollback in the migration's trail as a failure of high severity", async () => {
        const { put, post, audit } = await setup();
        expect(
          (await put('/migrations/orders-v2', as.owner, ordersPlan())).status,
        ).toBe(201);
        const res = await post(
          '/migrations/orders-v2/rollbacks',
          as.otherTeam,
          { snapshotId: '00000000-0000-4000-8000-000000000000' },
        );
        expect(res.status).toBe(403);
        expect((await audit())[0]).toMatchObject({
          action: 'rollback.execute',
          actor: 'user:default/bob-billing',
          outcome: 'failure',
          severity: 'high',
          after: {
            refused: expect.stringMatching(
              /^NotAllowedError: user:default\/bob-billing is not allowed to cutover\.rollback\.execute/,
            ),
          },
        });
      });
    });
  },
);
