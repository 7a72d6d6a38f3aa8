import ExcelJS from 'exceljs';
import { Knex } from 'knex';
import path from 'node:path';
import { PDFParse } from 'pdf-parse';
import { cutoverTestDatabases } from '../../__testUtils__/databases';
import { as } from '../../__testUtils__/backend';
import {
  seedTables,
  startReconciledMigration,
  tablePair,
} from '../../__testUtils__/reconciledTables';

jest.setTimeout(120_000);

beforeAll(() => {
  // pdf.js loads its worker with a dynamic import(), which Jest's VM cannot run (as in executivePdf.test.ts).
  const worker = path.join(
    path.dirname(require.resolve('pdf-parse')),
    'pdf.worker.mjs',
  );
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = require(worker);
});

const databases = cutoverTestDatabases();
const m = '/api/cutover/migrations/orders-v2';
const ROWS = 1000;

const seed = (knex: Knex) =>
  seedTables(
    knex,
    ['rpt_src_orders', 'rpt_dst_orders'],
    ROWS,
    t => t.string('customer', 50).notNullable(),
    id => ({ customer: `c${(id - 1) % 97}` }),
  );

const binary = (r: any, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  r.on('data', (c: Buffer) => chunks.push(c));
  r.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe.each(databases.eachSupportedId())(
  'reconciliation and freeze windows in the reports on %s',
  databaseId => {
    it('shows the latest reconciliation per dataset, every run, and the freeze windows', async () => {
      const knex = await databases.init(databaseId);
      await seed(knex);
      const { api, clock, reconcile } = await startReconciledMigration(
        knex,
        m,
        [tablePair('orders', ROWS, { prefix: 'rpt_' })],
      );

      // A clean run, then an hour later 3 rows gone from the destination: 0.3% drift.
      expect((await reconcile()).datasets[0].level).toBe('OK');
      clock.advance(3_600_000);
      await knex('rpt_dst_orders').whereIn('id', [5, 6, 7]).delete();
      const second = await reconcile();
      expect(second.datasets[0]).toMatchObject({
        missingInDestination: 3,
        level: 'CRITICAL',
      });

      const now = clock.now();
      const at = (hours: number) =>
        new Date(now + hours * 3_600_000).toISOString();
      const windows = [
        { name: 'Заморозка Tier 1', startsAt: at(-1), endsAt: at(5) },
        { name: 'Month-end close', startsAt: at(48), endsAt: at(60) },
      ];
      const ids: string[] = [];
      for (const w of windows) {
        const res = await api()
          .post(`${m}/freeze-windows`)
          .set('authorization', as.owner)
          .send({ ...w, datasets: ['orders'] });
        expect(res.status).toBe(201);
        ids.push(res.body.id);
      }
      expect(
        (
          await api()
            .post(`${m}/freeze-windows/${ids[0]}/activate`)
            .set('authorization', as.owner)
            .send({})
        ).status,
      ).toBe(200);

      // The workbook: latest result per dataset, one row per dataset of every run, the windows.
      const xlsx = await api()
        .get(`${m}/reports/detailed.xlsx`)
        .set('authorization', as.reader)
        .buffer(true)
        .parse(binary);
      expect(xlsx.status).toBe(200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(xlsx.body as Buffer);
      const latest = wb.getWorksheet('Reconciliation')!;
      expect(latest.actualRowCount).toBe(2);
      const row = latest.getRow(2);
      expect(row.getCell(1).value).toBe('orders');
      expect(row.getCell(2).value).toBe('CRITICAL');
      expect(row.getCell(3).value).toBeCloseTo(0.003, 6);
      expect(row.getCell(3).numFmt).toBe('0.000%');
      expect(row.getCell(4).value).toBe(ROWS);
      expect(row.getCell(5).value).toBe(ROWS - 3);
      expect(row.getCell(6).value).toBe(3);
      expect(row.getCell(10).value).toBeInstanceOf(Date);
      expect((row.getCell(10).value as Date).getTime()).toBe(
        Date.parse(second.finishedAt),
      );
      expect(row.getCell(11).value).toBe(second.id);

      const runs = wb.getWorksheet('Reconciliation runs')!;
      expect(runs.actualRowCount).toBe(3);
      expect(runs.getRow(2).getCell(1).value).toBe(second.id);
      expect(runs.getRow(2).getCell(8).value).toBe('CRITICAL');
      expect(runs.getRow(3).getCell(8).value).toBe('OK');
      expect(runs.getRow(3).getCell(9).value).toBe(0);
      expect(runs.getRow(2).getCell(16).value).toBe(0.0005);

      const freeze = wb.getWorksheet('Freeze windows')!;
      expect(freeze.actualRowCount).toBe(3);
      expect(freeze.getRow(2).getCell(1).value).toBe('Заморозка Tier 1');
      expect(freeze.getRow(2).getCell(2).value).toBe('ACTIVE');
      expect(freeze.getRow(2).getCell(3).value).toBe('orders');
      expect(freeze.getRow(3).getCell(1).value).toBe('Month-end close');
      expect(freeze.getRow(3).getCell(2).value).toBe('PLANNED');
      expect((freeze.getRow(3).getCell(4).value as Date).toISOString()).toBe(
        at(48),
      );

      // The executive PDF: the same latest result, the drift chart, the windows.
      const pdf = await api()
        .get(`${m}/reports/executive.pdf`)
        .set('authorization', as.reader)
        .buffer(true)
        .parse(binary);
      expect(pdf.status).toBe(200);
      const parser = new PDFParse({ data: new Uint8Array(pdf.body) });
      let text: string;
      try {
        text = (await parser.getText()).text.replace(/\s+/g, ' ');
      } finally {
        await parser.destroy();
      }
      expect(text).toContain('Reconciliation 2 runs');
      expect(text).toContain('1 CRITICAL 1 dataset reconciled');
      expect(text).toMatch(
        /orders CRITICAL 0\.300% 1,000 997 3 \/ 0 0 \d+ \w{3} \d\d:\d\d/,
      );
      expect(text).toContain('Drift over time');
      expect(text).toContain('last 0.300%');
      expect(text).toContain('Freeze windows 1 active · 1 planned · 2 windows');
      expect(text).toMatch(/Заморозка Tier 1 ACTIVE orders/);
      expect(text).toMatch(/Month-end close PLANNED orders/);
    });
  },
);
