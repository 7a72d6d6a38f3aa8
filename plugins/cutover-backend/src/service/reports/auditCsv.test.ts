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

    it('escapes request ids and other text that a spreadsheet would run as a formula', async () => {
      const knex = await databases.init(databaseId);
      const { api } = await startCutoverBackend({ knex });
      const m = '/api/cutover/migrations/orders-v2';
      await api().put(m).set('authorization', as.job).send(testPlan());
      const injected = [
        '=HYPERLINK("http://x","y")',
        '+1+1',
        '@SUM(A1)',
        '-2+3',
      ];
      for (const [i, requestId] of injected.entries()) {
        const res = await api()
          .patch(m)
          .set('authorization', as.owner)
          .set('x-request-id', requestId)
          .send({ description: `${requestId} step ${i}` });
        expect(res.status).toBe(200);
      }
      // A plain negative number reads as a number in a spreadsheet, not a formula: kept as is.
      await api()
        .patch(m)
        .set('authorization', as.owner)
        .set('x-request-id', '-42')
        .send({ title: '=1+1' });

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
      const csv = res.body as string;
      const records = parse(csv, { columns: true }) as Record<string, string>[];
      // Newest first, as the audit API lists them.
      const ids = records.map(r => r.requestId).filter(Boolean);
      expect(ids).toEqual([
        '-42',
        "'-2+3",
        "'@SUM(A1)",
        "'+1+1",
        `'=HYPERLINK("http://x","y")`,
      ]);
      expect(csv).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
      // No cell of the file starts with a formula character.
      for (const row of parse(csv) as string[][]) {
        for (const cell of row)
          expect(cell).not.toMatch(/^[=+@\t\r]|^-(?!\d+$)/);
      }
      // JSON cells stay JSON, the text inside them as it was sent.
      const titled = records.find(r => r.requestId === '-42')!;
      expect(JSON.parse(titled.after)).toEqual({ title: '=1+1' });
    });
  },
);
