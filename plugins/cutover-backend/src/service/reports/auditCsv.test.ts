import { parse } from 'csv-parse/sync';
import { cutoverTestDatabases } from '../../__testUtils__/databases';
import { as, startCutoverBackend, testPlan } from '../../__testUtils__/backend';

jest.setTimeout(60_000);

const databases = cutoverTestDatabases();

describe.each(databases.eachSupportedId())(
  'audit trail CSV on %s',
  databaseId => {
    it('round-trips awkward values through a CSV parser, one row per event', async () => {
      const knex = await databases.init(databaseId);
      const { api } = await startCutoverBackend({ knex });
      const m = '/api/cutover/migrations/orders-v2';
      await api().put(m).set('authorization', as.job).send(testPlan());
      const awkward = 'Ünïcödé, "quoted" title\nsecond line; 日本語 ✓';
      await api()
        .patch(m)
        .set('authorization', as.owner)
        .send({ title: awkward, reason: 'commas, "quotes", and\r\nCRLF' });
      for (let i = 0; i < 5; i++) {
        await api()
          .patch(m)
          .set('authorization', as.owner)
          .send({ description: `step ${i}, with a comma` });
      }

      const res = await api()
        .get(`${m}/reports/audit.csv`)
        .set('authorization', as.reader)
        .buffer(true)
        .parse((r, cb) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => cb(null, Buffer.concat(chunks).toString('utf8')));
        });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toBe(
        'attachment; filename="orders-v2-audit.csv"',
      );
      const records = parse(res.body as string, { columns: true }) as Record<
        string,
        string
      >[];
      const json = (
        await api().get(`${m}/audit?limit=100`).set('authorization', as.reader)
      ).body.items;
      expect(records).toHaveLength(json.length);
      expect(records).toHaveLength(7);
      records.forEach((row, i) => {
        expect(row.id).toBe(json[i].id);
        expect(row.actor).toBe(json[i].actor);
        expect(row.action).toBe(json[i].action);
        expect(row.after === '' ? null : JSON.parse(row.after)).toEqual(
          json[i].after,
        );
      });
      const titleChange = records.find(r => r.after.includes('Ünïcödé'))!;
      expect(JSON.parse(titleChange.after)).toEqual({
        title: awkward,
        reason: 'commas, "quotes", and\r\nCRLF',
      });

      expect((await api().get(`${m}/reports/audit.csv`)).status).toBe(401);
      expect(
        (
          await api()
            .get('/api/cutover/migrations/nope/reports/audit.csv')
            .set('authorization', as.reader)
        ).status,
      ).toBe(404);
    });
  },
);
