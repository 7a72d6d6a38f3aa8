import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import { cutoverTestDatabases } from '../__testUtils__/databases';
import { as, startCutoverBackend, testPlan } from '../__testUtils__/backend';
import { reconcile } from '../__testUtils__/reconciledTables';
import { compareGolden, isOrdered } from './IntegrityChecker';

jest.setTimeout(180_000);

const databases = cutoverTestDatabases();
const m = '/api/cutover/migrations/orders-v2';
const OWNERS = ['group:default/orders-team'];

/** Customers, orders (a foreign key to customers on the destination) and order lines, on one side. */
async function seed(knex: Knex, prefix: string, constraints: boolean) {
  for (const t of ['lines', 'orders', 'customers'])
    await knex.schema.dropTableIfExists(`${prefix}_${t}`);
  await knex.schema.createTable(`${prefix}_customers`, t => {
    t.integer('id').primary();
    t.string('name', 50).notNullable();
  });
  await knex.schema.createTable(`${prefix}_orders`, t => {
    t.integer('id').primary();
    t.integer('customer_id');
    if (constraints)
      t.foreign('customer_id').references('id').inTable(`${prefix}_customers`);
    t.decimal('amount', 12, 2);
    t.timestamp('placed_at', { useTz: true });
  });
  // Lines refer to orders, declared in the plan only (no constraint on either side).
  await knex.schema.createTable(`${prefix}_lines`, t => {
    t.integer('order_id').notNullable();
    t.integer('line_no').notNullable();
    t.integer('qty');
    t.primary(['order_id', 'line_no']);
  });
  await knex(`${prefix}_customers`).insert(
    Array.from({ length: 20 }, (_, i) => ({ id: i + 1, name: `c${i + 1}` })),
  );
  await knex(`${prefix}_orders`).insert(
    Array.from({ length: 200 }, (_, i) => ({
      id: i + 1,
      customer_id: (i % 20) + 1,
      amount: ((i + 1) * 1.25).toFixed(2),
      placed_at: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000),
    })),
  );
  await knex(`${prefix}_lines`).insert(
    Array.from({ length: 400 }, (_, i) => ({
      order_id: (i % 200) + 1,
      line_no: Math.floor(i / 200) + 1,
      qty: 1 + (i % 3),
    })),
  );
}

const GOLDEN = {
  name: 'revenue-by-customer',
  sql: 'SELECT customer_id, count(*) AS orders, sum(amount) AS revenue FROM src_orders GROUP BY customer_id',
  destinationSql:
    'SELECT customer_id, count(*) AS orders, sum(amount) AS revenue FROM dst_orders GROUP BY customer_id',
  datasets: ['orders'],
};

describe('golden query comparison', () => {
  it('compares canonical values: numbers exactly, floats to 15 digits, timestamps as instants, rows as a multiset', () => {
    const q = { name: 'q', sql: 'SELECT a, b, c FROM t' };
    const source = {
      columns: ['a', 'b', 'c'],
      ms: 1,
      rows: [
        [1, 0.1 + 0.2, '2026-01-01 10:00:00+00'],
        [2n, 1.5, '2026-01-02T00:00:00Z'],
      ],
    };
    const destination = {
      columns: ['a', 'b', 'c'],
      ms: 1,
      rows: [
        ['2', '1.50', new Date('2026-01-02T00:00:00Z')],
        ['1.0', '0.3', new Date('2026-01-01T10:00:00Z')],
      ],
    };
    expect(compareGolden(q, source, destination)).toMatchObject({
      status: 'EQUAL',
      ordered: false,
      differences: [],
    });
    // With ORDER BY, the order is part of the result.
    expect(isOrdered('SELECT a FROM t ORDER BY a')).toBe(true);
    expect(isOrdered('SELECT a FROM (SELECT a FROM t ORDER BY a) x')).toBe(
      false,
    );
    expect(
      compareGolden(
        { name: 'q', sql: 'SELECT a, b, c FROM t ORDER BY a' },
        source,
        destination,
      ).status,
    ).toBe('DIFFERENT');
    const changed = compareGolden(q, source, {
      ...destination,
      rows: [destination.rows[0], ['1', '0.31', destination.rows[1][2]]],
    });
    expect(changed.status).toBe('DIFFERENT');
    expect(changed.differences).toEqual(
      expect.arrayContaining([
        { side: 'source', row: ['1', '0.3', '2026-01-01 10:00:00'] },
        { side: 'destination', row: ['1', '0.31', '2026-01-01 10:00:00'] },
      ]),
    );
  });
});

describe.each(databases.eachSupportedId())(
  'integrity checks on %s',
  databaseId => {
    const dirs: string[] = [];
    const opened: Knex[] = [];
    afterAll(async () => {
      await Promise.all(opened.map(k => k.destroy()));
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    });

    async function setup(overrides: Record<string, unknown> = {}) {
      const knex = await databases.init(databaseId);
      const pg = knex.client.config.client === 'pg';
      // The data: on PostgreSQL, tables in the test database; on SQLite, two database files. The
      // plugin reaches them through cutover.connections like any deployment does.
      let legacy: Knex;
      let fresh: Knex;
      let connections: Record<string, unknown>;
      if (pg) {
        legacy = knex;
        fresh = knex;
        const connection = knex.client.config.connection;
        connections = {
          legacy: { client: 'pg', connection, owners: OWNERS, readOnly: true },
          fresh: { client: 'pg', connection, owners: OWNERS },
        };
      } else {
        const dir = fs.mkdtempSync(
          path.join(os.tmpdir(), 'cutover-integrity-'),
        );
        dirs.push(dir);
        const file = (name: string) => path.join(dir, `${name}.db`);
        const open = (name: string) => {
          const k = knexFactory({
            client: 'better-sqlite3',
            connection: { filename: file(name) },
            useNullAsDefault: true,
          });
          opened.push(k);
          return k;
        };
        legacy = open('legacy');
        fresh = open('new');
        connections = {
          legacy: {
            client: 'better-sqlite3',
            connection: { filename: file('legacy') },
            owners: OWNERS,
            readOnly: true,
          },
          fresh: {
            client: 'better-sqlite3',
            connection: { filename: file('new') },
            owners: OWNERS,
          },
        };
      }
      await seed(legacy, 'src', false);
      await seed(fresh, 'dst', true);
      const started = await startCutoverBackend({
        knex,
        config: {
          cutover: { connections, integrity: { goldenQueryRepeats: 1 } },
        },
      });
      const { api } = started;
      const dataset = (name: string, keyColumns: string[]) => ({
        name,
        tier: 1,
        sourceTable: `src_${name}`,
        destinationTable: `dst_${name}`,
        keyColumns,
      });
      const plan = testPlan({
        source: { connection: 'legacy' },
        destination: { connection: 'fresh' },
        datasets: [
          dataset('customers', ['id']),
          dataset('orders', ['id']),
          dataset('lines', ['order_id', 'line_no']),
        ],
        integrity: {
          relations: [
            {
              name: 'lines-to-orders',
              dataset: 'lines',
              columns: ['order_id'],
              references: { dataset: 'orders', columns: ['id'] },
            },
          ],
          goldenQueries: [GOLDEN],
        },
        ...overrides,
      });
      const put = (body: object, who = as.owner) =>
        api().put(m).set('authorization', who).send(body);
      expect((await put(plan)).status).toBe(201);
      const run = () => reconcile(api, m, { attempts: 600 });
      const overrideReason = 'approval is not what this test is about';
      /** Imports a dataset completely (a job's sample) and declares it READY. */
      const ready = async (name: string) => {
        const imported = await api()
          .post(`${m}/metrics`)
          .set('authorization', as.job)
          .send({
            // Every tier-1 dataset imported (DQ001), this one included.
            samples: ['customers', 'orders', 'lines'].map(d => ({
              dataset: d,
              totalRecords: 1000,
              importedRecords: 1000,
              failedRecords: 0,
              completeness: 99,
              validity: 99,
              consistency: 99,
              accuracy: 99,
            })),
          });
        expect(imported.status).toBe(200);
        const r = await api()
          .put(`${m}/datasets/${name}/cutover-state`)
          .set('authorization', as.owner)
          .send({ state: 'READY', reason: 'go' });
        expect([r.status, r.body.error?.message]).toEqual([200, undefined]);
      };
      /** Takes a dataset to CUTOVER reading NEW, the way a cutover does (emergency override). */
      const cutOver = async (name: string) => {
        await ready(name);
        for (const state of ['CUTOVER']) {
          const r = await api()
            .put(`${m}/datasets/${name}/cutover-state`)
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
              .put(`${m}/datasets/${name}/read-source`)
              .set('authorization', as.owner)
              .send({ source: 'NEW', reason: 'go', overrideReason })
          ).status,
        ).toBe(200);
      };
      const sample = (body: Record<string, unknown>) =>
        api()
          .post(`${m}/metrics`)
          .set('authorization', as.job)
          .send({ samples: [body] });
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
      const migration = async () =>
        (await api().get(m).set('authorization', as.reader)).body;
      const audit = async () =>
        (
          await api()
            .get(`${m}/audit?limit=200`)
            .set('authorization', as.reader)
        ).body.items;
      return {
        ...started,
        knex,
        legacy,
        fresh,
        plan,
        put,
        run,
        ready,
        cutOver,
        sample,
        alerts,
        item,
        migration,
        audit,
      };
    }

    it("checks the destination's foreign keys and the plan's relations, runs golden queries on both sides, and passes DQ004", async () => {
      const { run, item } = await setup();
      const done = await run();
      expect(done.status).toBe('SUCCEEDED');
      const relations = [...done.integrity.relations].sort((a: any, b: any) =>
        a.dataset.localeCompare(b.dataset),
      );
      expect(relations).toEqual([
        expect.objectContaining({
          name: 'lines-to-orders',
          origin: 'PLAN',
          dataset: 'lines',
          columns: ['order_id'],
          references: { dataset: 'orders', columns: ['id'] },
          status: 'SUCCEEDED',
          checked: 400,
          orphans: 0,
          sampleKeys: [],
        }),
        // Read from the destination's constraint: dst_orders.customer_id -> dst_customers.id.
        expect.objectContaining({
          origin: 'CONSTRAINT',
          dataset: 'orders',
          columns: ['customer_id'],
          references: { dataset: 'customers', columns: ['id'] },
          status: 'SUCCEEDED',
          checked: 200,
          orphans: 0,
        }),
      ]);
      expect(done.integrity.goldenQueries).toEqual([
        expect.objectContaining({
          name: 'revenue-by-customer',
          status: 'EQUAL',
          sourceRows: 20,
          destinationRows: 20,
          ordered: false,
          differences: [],
          error: null,
        }),
      ]);
      expect(done.integrity.goldenQueries[0].sourceMs).toBeGreaterThanOrEqual(
        0,
      );
      expect(
        done.integrity.goldenQueries[0].destinationMs,
      ).toBeGreaterThanOrEqual(0);
      expect(await item('DQ004')).toMatchObject({
        status: 'PASS',
        evidence: expect.stringMatching(
          /2 relation\(s\) without orphans; 1 golden query\(ies\) equal/,
        ),
      });
    });

    it('finds orphans with an anti-join inside the destination, shows their keys, alerts and fails DQ004', async () => {
      const { fresh, run, item, alerts, ready } = await setup();
      // Declared READY while clean: from then on, orphans alert.
      await ready('lines');
      await fresh('dst_lines').insert([
        { order_id: 900, line_no: 1, qty: 1 },
        { order_id: 901, line_no: 2, qty: 1 },
      ]);
      await fresh('dst_lines').insert({ order_id: 5, line_no: 9, qty: 1 });
      const first = await run();
      const lines = first.integrity.relations.find(
        (r: any) => r.name === 'lines-to-orders',
      );
      expect(lines).toMatchObject({ checked: 403, orphans: 2 });
      expect(lines.sampleKeys).toEqual([
        { order_id: 900, line_no: 1 },
        { order_id: 901, line_no: 2 },
      ]);
      expect(await item('DQ004')).toMatchObject({
        status: 'FAIL',
        evidence: expect.stringMatching(
          /2 orphan\(s\) in lines \(order_id -> orders\)/,
        ),
      });
      // (The rows planted only on the destination are drift too, which alerts on its own.)
      expect(
        (await alerts())
          .filter((a: any) => /orphan/.test(a.title))
          .map((a: any) => [a.severity, a.dataset, a.title]),
      ).toEqual([
        [
          'HIGH',
          'lines',
          '2 orphan row(s) in lines: order_id refer to no row of orders',
        ],
      ]);
    });

    it('reports a golden query whose results differ as a critical finding', async () => {
      const { fresh, run, item, alerts, cutOver } = await setup();
      await cutOver('orders');
      await fresh('dst_orders').where({ id: 7 }).update({ amount: 1000 });
      const done = await run();
      const q = done.integrity.goldenQueries[0];
      expect(q).toMatchObject({
        status: 'DIFFERENT',
        sourceRows: 20,
        destinationRows: 20,
      });
      expect(q.differences).toHaveLength(2);
      expect(q.differences.map((d: any) => d.side).sort()).toEqual([
        'destination',
        'source',
      ]);
      expect(q.differences.every((d: any) => d.row[0] === '7')).toBe(true);
      const critical = (await alerts()).filter(
        (a: any) =>
          a.title ===
          'Golden query revenue-by-customer gives different results on the two sides',
      );
      expect(critical).toEqual([
        expect.objectContaining({ severity: 'CRITICAL', dataset: 'orders' }),
      ]);
      expect(await item('DQ004')).toMatchObject({
        status: 'FAIL',
        evidence: expect.stringMatching(
          /golden query revenue-by-customer differs/,
        ),
      });
    });

    it('refuses plans whose golden queries write or hold two statements, and queries reading tables outside the plan', async () => {
      const ctx = await setup();
      const { put, plan, run } = ctx;
      for (const [sql, message] of [
        ['DELETE FROM src_orders', /must be a SELECT or WITH query/],
        ['SELECT 1; DROP TABLE src_orders', /must be a single statement/],
        [
          'WITH x AS (DELETE FROM src_orders RETURNING *) SELECT * FROM x',
          /must only read \(found "DELETE"\)/,
        ],
      ] as const) {
        const res = await put({
          ...plan,
          integrity: { goldenQueries: [{ name: 'bad', sql }] },
        });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(message);
      }
      const unknown = await put({
        ...plan,
        integrity: {
          relations: [
            {
              dataset: 'nope',
              columns: ['a'],
              references: { dataset: 'orders', columns: ['id'] },
            },
          ],
        },
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.message).toMatch(/unknown dataset "nope"/);
      const { legacy, item } = ctx;
      await legacy.schema.dropTableIfExists('secret_salaries');
      await legacy.schema.createTable('secret_salaries', t => {
        t.integer('id').primary();
        t.integer('salary');
      });
      expect(
        (
          await put({
            ...plan,
            integrity: {
              goldenQueries: [
                {
                  name: 'outside',
                  sql: 'SELECT count(*) AS n FROM secret_salaries',
                  destinationSql: 'SELECT count(*) AS n FROM dst_orders',
                },
              ],
            },
          })
        ).status,
      ).toBe(200);
      const done = await run();
      expect(done.integrity.goldenQueries[0]).toMatchObject({
        name: 'outside',
        status: 'FAILED',
        sourceRows: null,
        error: expect.stringMatching(
          /^on the source: reads secret_salaries, which is not a table of the plan's datasets on this side$/,
        ),
      });
      expect(await item('DQ004')).toMatchObject({
        status: 'FAIL',
        evidence: expect.stringMatching(/golden query outside failed/),
      });
    }, 180_000);

    it('rolls a cut-over dataset back when its error rate after the switch passes the threshold', async () => {
      const {
        api,
        cutOver,
        sample,
        migration,
        audit,
        alerts,
        notifications,
        clock,
      } = await setup({ safetyTriggers: { errorRate: 0.05 } });
      await cutOver('orders');
      // The switch happens in a freeze window: the automatic rollback is recorded on it.
      const window = await api()
        .post(`${m}/freeze-windows`)
        .set('authorization', as.owner)
        .send({
          name: 'Orders cutover',
          datasets: ['orders'],
          startsAt: clock.iso(0),
          endsAt: clock.iso(4 * 3_600_000),
        });
      expect(window.status).toBe(201);
      expect(
        (
          await api()
            .post(`${m}/freeze-windows/${window.body.id}/activate`)
            .set('authorization', as.owner)
            .send({})
        ).status,
      ).toBe(200);
      clock.advance(60_000);
      // 4 of 104 processed since the switch failed: 3.8%, under 5%.
      expect(
        (
          await sample({
            dataset: 'orders',
            totalRecords: 1300,
            importedRecords: 1100,
            failedRecords: 4,
          })
        ).status,
      ).toBe(200);
      expect(
        (await migration()).datasets.find((d: any) => d.name === 'orders'),
      ).toMatchObject({
        cutoverState: 'CUTOVER',
        readSource: 'NEW',
      });
      clock.advance(60_000);
      // 14 of 214: 6.5%.
      await sample({
        dataset: 'orders',
        totalRecords: 1300,
        importedRecords: 1200,
        failedRecords: 14,
      });
      const orders = (await migration()).datasets.find(
        (d: any) => d.name === 'orders',
      );
      expect(orders).toMatchObject({
        cutoverState: 'ROLLED_BACK',
        readSource: 'LEGACY',
      });
      const events = await audit();
      const rollback = events.find(
        (e: any) => e.action === 'safety.auto-rollback',
      );
      expect(rollback).toMatchObject({
        actor: 'plugin:cutover',
        target: 'dataset:orders',
        after: expect.objectContaining({
          reason: expect.stringMatching(
            /error rate 6\.5% since the switch \(14 of 214 records failed\) exceeded the safety threshold 5\.0%; during freeze window "Orders cutover"/,
          ),
          freezeWindows: [window.body.id],
        }),
      });
      expect((await alerts()).map((a: any) => a.title)).toContain(
        'orders rolled back automatically: reads switched to LEGACY',
      );
      expect(
        notifications.find(n =>
          n.payload.title.startsWith('Automatic rollback: orders'),
        ),
      ).toMatchObject({
        payload: { severity: 'critical' },
      });
    });

    it('rolls back the datasets of a golden query that runs more than 20% slower on the new side', async () => {
      // The new side's query reaches the same answer the long way (as a missing index would).
      const slow = {
        ...GOLDEN,
        name: 'slow-on-new',
        destinationSql: `WITH RECURSIVE burn(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM burn WHERE n < 400000)
        SELECT customer_id, count(*) AS orders, sum(amount) AS revenue FROM dst_orders
        WHERE (SELECT max(n) FROM burn) > 0 GROUP BY customer_id`,
      };
      const { cutOver, run, migration, audit } = await setup({
        integrity: { readConstraints: false, goldenQueries: [slow] },
        safetyTriggers: { goldenQuerySlowdown: 0.2, minSlowdownMs: 20 },
      });
      await cutOver('orders');
      const done = await run();
      const q = done.integrity.goldenQueries[0];
      expect(q.status).toBe('EQUAL');
      expect(q.slowdown).toBeGreaterThan(0.2);
      expect(q.destinationMs - q.sourceMs).toBeGreaterThan(20);
      expect(
        (await migration()).datasets.find((d: any) => d.name === 'orders'),
      ).toMatchObject({
        cutoverState: 'ROLLED_BACK',
        readSource: 'LEGACY',
      });
      // Datasets the query does not read stay where they are.
      expect(
        (await migration()).datasets.find((d: any) => d.name === 'customers'),
      ).toMatchObject({
        cutoverState: 'PENDING',
      });
      expect(
        (await audit()).find((e: any) => e.action === 'safety.auto-rollback')
          ?.after.reason,
      ).toMatch(
        /golden query slow-on-new took .* ms on the new side against .* ms on the legacy side/,
      );
    });

    it('needs the govern permission to change safety triggers or integrity checks', async () => {
      const { put, plan } = await setup();
      for (const [override, message] of [
        [{ safetyTriggers: { errorRate: 1 } }, /not change safetyTriggers/],
        [{ integrity: { readConstraints: false } }, /not change integrity/],
      ] as const) {
        const res = await put({ ...plan, ...override }, as.jobExample);
        expect(res.status).toBe(403);
        expect(res.body.error.message).toMatch(message);
      }
    });
  },
);
