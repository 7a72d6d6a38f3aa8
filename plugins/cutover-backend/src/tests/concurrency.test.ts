import { Knex } from 'knex';
import { as, startCutoverBackend, testPlan } from '../__testUtils__/backend';
import { cutoverTestDatabases } from '../__testUtils__/databases';

/*
 * Concurrent requests against one backend: duplicated and overlapping ingest, optimistic checklist
 * edits and racing approval decisions. On PostgreSQL the requests really run in parallel
 * transactions (read committed); on SQLite they are serialised by the single connection, which
 * makes the same assertions a check of the intended rules rather than of the locking.
 */

jest.setTimeout(120_000);

const databases = cutoverTestDatabases();
const m = '/api/cutover/migrations/orders-v2';
/** Samples of these tests are dated from an hour before the run. */
const T0 = Date.now() - 3_600_000;
const MANUAL = [
  'DQ004',
  'DQ005',
  'SR001',
  'SR002',
  'SR003',
  'SR004',
  'UR001',
  'UR002',
  'UR003',
  'TEST001',
  'TEST002',
  'TEST003',
  'POST001',
  'POST002',
];

/** The absolute counters a loader would report at step `i` (they only grow). */
function sampleAt(dataset: 'customers' | 'orders', i: number) {
  const factor = dataset === 'customers' ? 10 : 20;
  return {
    dataset,
    at: new Date(T0 + i * 1000).toISOString(),
    importedRecords: factor * (i + 1),
    failedRecords: i,
    skippedRecords: 2 * i,
    completeness: 90 + (i % 10),
    validity: 95,
    errors: { critical: 0, high: i % 3, medium: 0, low: 0 },
  };
}

function samples(from: number, to: number) {
  const out = [];
  for (let i = from; i <= to; i++)
    out.push(sampleAt('customers', i), sampleAt('orders', i));
  return out;
}

/** Fisher-Yates with a fixed seed, so the overlapping batches list their samples in different orders. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const statuses = (responses: Array<{ status: number }>) =>
  responses.map(r => r.status).sort((a, b) => a - b);

describe.each(databases.eachSupportedId())(
  'concurrent requests on %s',
  databaseId => {
    async function setup(config: Record<string, unknown> = {}) {
      const knex: Knex = await databases.init(databaseId);
      const started = await startCutoverBackend({
        knex,
        config: { cutover: config },
      });
      const { api } = started;
      expect(
        (await api().put(m).set('authorization', as.job).send(testPlan()))
          .status,
      ).toBe(201);
      const ingest = (body: object) =>
        api().post(`${m}/metrics`).set('authorization', as.job).send(body);
      const dashboard = async () =>
        (await api().get(`${m}/dashboard`).set('authorization', as.reader))
          .body;
      const audit = async () =>
        (
          await api()
            .get(`${m}/audit?limit=500`)
            .set('authorization', as.reader)
        ).body.items as Array<{ action: string; target: string | null }>;
      const sampleRows = async () =>
        Number(
          (await knex('cutover_metric_samples')
            .where({ migration_id: 'orders-v2' })
            .count({ n: '*' })
            .first())!.n,
        );
      return { ...started, knex, ingest, dashboard, audit, sampleRows };
    }

    /** The dashboard shows exactly the newest sample's absolute counters, per dataset and in total. */
    function expectLatest(d: any, i: number) {
      const byName = Object.fromEntries(
        d.datasets.map((x: any) => [x.name, x]),
      );
      for (const name of ['customers', 'orders'] as const) {
        const s = sampleAt(name, i);
        expect(byName[name]).toMatchObject({
          importedRecords: s.importedRecords,
          failedRecords: s.failedRecords,
          skippedRecords: s.skippedRecords,
          completeness: s.completeness,
          lastSampleAt: s.at,
          errors: { critical: 0, high: i % 3, medium: 0, low: 0 },
        });
      }
      expect(d.importedRecords).toBe(
        sampleAt('customers', i).importedRecords +
          sampleAt('orders', i).importedRecords,
      );
      expect(d.failedRecords).toBe(2 * i);
    }

    it('counts the same samples once however often and however concurrently they arrive', async () => {
      const { ingest, dashboard, audit, sampleRows } = await setup();

      // The first batches of a PLANNED migration race to start it: it starts once.
      const same = samples(0, 9);
      const plain = await Promise.all(
        Array.from({ length: 12 }, () => ingest({ samples: same })),
      );
      expect(statuses(plain)).toEqual(Array(12).fill(200));
      expect(
        plain.every(r => r.body.accepted === 20 && r.body.duplicates === 0),
      ).toBe(true);
      expectLatest(await dashboard(), 9);
      expect(await sampleRows()).toBe(20);
      expect(
        (await audit()).filter(e => e.action === 'migration.start'),
      ).toHaveLength(1);
      expect((await dashboard()).status).toBe('IN_PROGRESS');

      // With an idempotency key, one of the concurrent copies is applied and the others are answered
      // as duplicates of it.
      const keyed = await Promise.all(
        Array.from({ length: 12 }, () =>
          ingest({
            samples: samples(10, 19),
            idempotencyKey: 'loader-run-7/batch-2',
          }),
        ),
      );
      expect(statuses(keyed)).toEqual(Array(12).fill(200));
      const applied = keyed.filter(r => r.body.accepted > 0);
      expect(applied).toHaveLength(1);
      expect(applied[0].body).toMatchObject({ accepted: 20, duplicates: 0 });
      expect(
        keyed
          .filter(r => r.body.accepted === 0)
          .every(r => r.body.duplicates === 20),
      ).toBe(true);
      expectLatest(await dashboard(), 19);
      expect(await sampleRows()).toBe(40);
      // A later retry of the same key is a duplicate too.
      expect(
        (
          await ingest({
            samples: samples(10, 19),
            idempotencyKey: 'loader-run-7/batch-2',
          })
        ).body,
      ).toMatchObject({ accepted: 0, duplicates: 20 });
    });

    it('keeps the newest sample when overlapping and late batches race (no lost update, no deadlock)', async () => {
      const { ingest, dashboard, sampleRows } = await setup();
      await ingest({ samples: samples(0, 0) });

      // Ten batches over steps 1..19, each overlapping the next by half, samples in different orders.
      const overlapping = Array.from({ length: 10 }, (_, k) =>
        shuffled(samples(1 + k, 10 + k), k + 1),
      );
      const res = await Promise.all(
        overlapping.map(batch => ingest({ samples: batch })),
      );
      expect(statuses(res)).toEqual(Array(10).fill(200));
      expectLatest(await dashboard(), 19);
      expect(await sampleRows()).toBe(40);

      // The newest step and many late, older ones at once: the figures never move backwards.
      const late = Array.from({ length: 10 }, (_, k) =>
        ingest({ samples: shuffled(samples(20 + k, 20 + k), k) }),
      );
      const newest = ingest({ samples: samples(30, 30) });
      const raced = await Promise.all([...late, newest]);
      expect(statuses(raced)).toEqual(Array(11).fill(200));
      expectLatest(await dashboard(), 30);
      expect(await sampleRows()).toBe(62);
      // A sample older than the stored one changes nothing on the dashboard afterwards either.
      await ingest({
        samples: [{ ...sampleAt('customers', 25), importedRecords: 1 }],
      });
      expectLatest(await dashboard(), 30);
    });

    it('lets exactly one of concurrent checklist edits of the same version win, and loses no unversioned edit', async () => {
      const { api, audit } = await setup();
      const item = async () =>
        (
          await api().get(`${m}/checklist`).set('authorization', as.reader)
        ).body.categories
          .flatMap((c: any) => c.items)
          .find((i: any) => i.id === 'SR001');
      const patch = (body: object, who = as.owner) =>
        api()
          .patch(`${m}/checklist/SR001`)
          .set('authorization', who)
          .send(body);

      const before = await item();
      const versioned = await Promise.all(
        Array.from({ length: 10 }, (_, k) =>
          patch(
            {
              status: k % 2 ? 'PASS' : 'FAIL',
              notes: `edit ${k}`,
              version: before.version,
            },
            k % 2 ? as.owner : as.owner2,
          ),
        ),
      );
      expect(statuses(versioned)).toEqual([200, ...Array(9).fill(409)]);
      const winner = versioned.find(r => r.status === 200)!;
      for (const lost of versioned.filter(r => r.status === 409)) {
        expect(lost.body.error.message).toMatch(/changed by someone else/);
      }
      const afterVersioned = await item();
      expect(afterVersioned).toMatchObject({
        version: before.version + 1,
        notes: winner.body.notes,
        status: winner.body.status,
      });

      // Unversioned edits (last writer wins) are each applied: every one bumps the version once.
      const unversioned = await Promise.all(
        Array.from({ length: 10 }, (_, k) => patch({ notes: `note ${k}` })),
      );
      expect(statuses(unversioned)).toEqual(Array(10).fill(200));
      const final = await item();
      expect(final.version).toBe(before.version + 11);
      expect(Array.from({ length: 10 }, (_, k) => `note ${k}`)).toContain(
        final.notes,
      );
      expect(final.status).toBe(winner.body.status);
      expect(
        (await audit()).filter(
          e =>
            e.action === 'checklist.update' && e.target === 'checklist:SR001',
        ),
      ).toHaveLength(11);
    });

    describe('approval decisions', () => {
      async function ready(config: Record<string, unknown> = {}) {
        const started = await setup(config);
        const { api, ingest } = started;
        await ingest({
          samples: [
            {
              dataset: 'customers',
              importedRecords: 1000,
              completeness: 98,
              validity: 96,
              consistency: 99,
              accuracy: 97,
            },
            {
              dataset: 'orders',
              importedRecords: 4000,
              completeness: 98,
              validity: 96,
              consistency: 99,
              accuracy: 97,
            },
          ],
        });
        for (const id of MANUAL) {
          expect(
            (
              await api()
                .patch(`${m}/checklist/${id}`)
                .set('authorization', as.owner)
                .send({ status: 'PASS' })
            ).status,
          ).toBe(200);
        }
        const request = (who = as.owner) =>
          api()
            .post(`${m}/approval-requests`)
            .set('authorization', who)
            .send({ comments: 'Go?' });
        const decide = (who: string, body: object) =>
          api().post(`${m}/approvals`).set('authorization', who).send(body);
        const state = async () =>
          (await api().get(`${m}/approvals`).set('authorization', as.reader))
            .body;
        return { ...started, request, decide, state };
      }

      it('with one approval required: the first decision closes the request and a concurrent one gets a 409', async () => {
        const { request, decide, state } = await ready({
          approvals: { required: 1 },
        });

        // Two approvers at once.
        const first = (await request()).body;
        const both = await Promise.all([
          decide(as.approver, { decision: 'APPROVED' }),
          decide(as.approver2, { decision: 'APPROVED' }),
        ]);
        expect(statuses(both)).toEqual([201, 409]);
        let s = await state();
        expect(
          s.items.filter((a: any) => a.requestId === first.id),
        ).toHaveLength(1);
        expect(s.requests.find((r: any) => r.id === first.id).status).toBe(
          'APPROVED',
        );
        expect(s.state).toMatchObject({
          status: 'APPROVED',
          granted: 1,
          required: 1,
        });

        // The same approver twice at once.
        const second = (await request()).body;
        const twice = await Promise.all([
          decide(as.approver, { decision: 'APPROVED', comments: 'one' }),
          decide(as.approver, { decision: 'APPROVED', comments: 'two' }),
        ]);
        expect(statuses(twice)).toEqual([201, 409]);
        s = await state();
        expect(
          s.items.filter((a: any) => a.requestId === second.id),
        ).toHaveLength(1);
        expect(s.state).toMatchObject({ status: 'APPROVED', granted: 1 });

        // An approval and a rejection at once: one of them decides, and the request says which.
        const third = (await request()).body;
        const split = await Promise.all([
          decide(as.approver, { decision: 'APPROVED' }),
          decide(as.approver2, {
            decision: 'REJECTED',
            comments: 'Not this weekend',
          }),
        ]);
        expect(statuses(split)).toEqual([201, 409]);
        s = await state();
        const rows = s.items.filter((a: any) => a.requestId === third.id);
        expect(rows).toHaveLength(1);
        expect(s.requests.find((r: any) => r.id === third.id).status).toBe(
          rows[0].decision,
        );
        expect(s.state.status).toBe(rows[0].decision);
      });

      it('with two approvals required: concurrent approvals both count and close the request', async () => {
        const { request, decide, state } = await ready({
          approvals: { required: 2 },
        });
        const req = (await request()).body;
        const both = await Promise.all([
          decide(as.approver, { decision: 'APPROVED' }),
          decide(as.approver2, {
            decision: 'CONDITIONAL',
            conditions: ['Outside business hours'],
          }),
        ]);
        expect(statuses(both)).toEqual([201, 201]);
        const s = await state();
        expect(s.items.filter((a: any) => a.requestId === req.id)).toHaveLength(
          2,
        );
        expect(s.requests.find((r: any) => r.id === req.id).status).toBe(
          'APPROVED',
        );
        expect(s.state).toMatchObject({
          status: 'CONDITIONALLY_APPROVED',
          granted: 2,
        });
      });

      it('opens one approval request when two are asked for at once', async () => {
        const { request, state } = await ready();
        const both = await Promise.all([request(as.owner), request(as.owner2)]);
        expect(statuses(both)).toEqual([201, 409]);
        const s = await state();
        expect(s.requests.filter((r: any) => r.status === 'OPEN')).toHaveLength(
          1,
        );
        expect(s.state.status).toBe('PENDING');
      });
    });
  },
);
