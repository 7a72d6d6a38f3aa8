import ExcelJS from 'exceljs';
import path from 'node:path';
import { PDFParse } from 'pdf-parse';
import { cutoverTestDatabases } from '../../__testUtils__/databases';
import {
  as,
  startCutoverBackend,
  TestClock,
  testPlan,
} from '../../__testUtils__/backend';

jest.setTimeout(90_000);

const databases = cutoverTestDatabases();

beforeAll(() => {
  // As in executivePdf.test.ts: pdf.js's worker, loaded up front for Jest's VM.
  const worker = path.join(
    path.dirname(require.resolve('pdf-parse')),
    'pdf.worker.mjs',
  );
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = require(worker);
});

async function pdfText(pdf: Buffer) {
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
}

const binary = (r: any, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  r.on('data', (c: Buffer) => chunks.push(c));
  r.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe.each(databases.eachSupportedId())(
  'resources and cost in the reports on %s',
  databaseId => {
    async function reports(samples: object[]) {
      const knex = await databases.init(databaseId);
      const clock = new TestClock().pin(Date.now());
      const { api } = await startCutoverBackend({
        knex,
        clock,
        config: { cutover: { cost: { currency: 'EUR' } } },
      });
      const m = '/api/cutover/migrations/orders-v2';
      await api().put(m).set('authorization', as.job).send(testPlan({}, clock.now()));
      for (const sample of samples) {
        const posted = await api()
          .post(`${m}/metrics`)
          .set('authorization', as.job)
          .send({ samples: [sample] });
        expect(posted.status).toBe(200);
        clock.advance(5 * 60_000);
      }
      const pdf = await api()
        .get(`${m}/reports/executive.pdf`)
        .set('authorization', as.reader)
        .buffer(true)
        .parse(binary);
      expect(pdf.status).toBe(200);
      const xlsx = await api()
        .get(`${m}/reports/detailed.xlsx`)
        .set('authorization', as.reader)
        .buffer(true)
        .parse(binary);
      expect(xlsx.status).toBe(200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(xlsx.body as Buffer);
      return { text: await pdfText(pdf.body as Buffer), wb };
    }

    const headers = (ws: ExcelJS.Worksheet) =>
      (ws.getRow(1).values as unknown[]).filter(v => typeof v === 'string');
    const summary = (wb: ExcelJS.Workbook) =>
      Object.fromEntries(
        wb
          .getWorksheet('Summary')!
          .getSheetValues()
          .filter(Boolean)
          .map(row => [(row as unknown[])[1], (row as unknown[])[2]]),
      );

    it('puts bytes, cost to date, projected cost and errors by type into the PDF and the workbook', async () => {
      const { text, wb } = await reports([
        {
          dataset: 'customers',
          importedRecords: 100,
          bytesMoved: 10 * 1024 * 1024,
          cpuSeconds: 20,
          memoryPeakBytes: 512 * 1024 * 1024,
          cost: 1.25,
        },
        {
          dataset: 'customers',
          importedRecords: 500,
          bytesMoved: 40 * 1024 * 1024,
          cpuSeconds: 80,
          memoryPeakBytes: 512 * 1024 * 1024,
          cost: 5,
          errorsByType: { null_key: 4, bad_date: 9 },
        },
      ]);
      // 500 of 5000 records handled: 5 EUR so far, 50 EUR at this pace.
      expect(text).toContain('Resources and cost');
      expect(text).toContain('5.00 EUR to date');
      expect(text).toContain('50.00 EUR projected at completion');
      expect(text).toContain('40.0 MB moved');
      expect(text).toMatch(/bad_date 9, null_key\s+4/);

      const values = summary(wb);
      expect(values['Cost to date (EUR)']).toBe(5);
      expect(values['Projected cost at completion (EUR)']).toBe(50);
      expect(values['Bytes moved']).toBe(40 * 1024 * 1024);
      const datasets = wb.getWorksheet('Datasets')!;
      const head = headers(datasets);
      expect(head).toEqual(
        expect.arrayContaining(['ETA', 'Bytes moved', 'Cost (EUR)', 'Errors by type']),
      );
      const col = (name: string) => head.indexOf(name) + 1;
      const customers = datasets.getRow(2);
      expect(customers.getCell(1).value).toBe('customers');
      expect(customers.getCell(col('Cost (EUR)')).value).toBe(5);
      expect(customers.getCell(col('Errors by type')).value).toBe(
        'null_key: 4, bad_date: 9',
      );
      const trends = headers(wb.getWorksheet('Trends')!);
      expect(trends).toEqual(expect.arrayContaining(['Bytes/s', 'Cost to date']));
    });

    it('leaves the reports of jobs that send no resources as they were', async () => {
      const { text, wb } = await reports([
        { dataset: 'customers', importedRecords: 100 },
        { dataset: 'customers', importedRecords: 500 },
      ]);
      expect(text).not.toContain('Resources and cost');
      expect(Object.keys(summary(wb))).not.toContain('Bytes moved');
      expect(headers(wb.getWorksheet('Datasets')!)).not.toContain('Bytes moved');
      expect(headers(wb.getWorksheet('Trends')!)).toEqual([
        'Time',
        'Progress %',
        'Imported',
        'Rate /min',
        'Quality',
      ]);
    });
  },
);
