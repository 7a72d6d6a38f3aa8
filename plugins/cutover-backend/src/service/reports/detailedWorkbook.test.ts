import ExcelJS from 'exceljs';
import { cutoverTestDatabases } from '../../__testUtils__/databases';
import { as, startCutoverBackend, testPlan } from '../../__testUtils__/backend';

jest.setTimeout(60_000);

const databases = cutoverTestDatabases();

describe.each(databases.eachSupportedId())(
  'detailed workbook on %s',
  databaseId => {
    it('has the named sheets with typed cells, frozen filtered headers and the right row counts', async () => {
      const knex = await databases.init(databaseId);
      const { api } = await startCutoverBackend({ knex });
      const m = '/api/cutover/migrations/orders-v2';
      await api()
        .put(m)
        .set('authorization', as.job)
        .send(
          testPlan({
            phases: [
              { id: 'extract', name: 'Extract', dependsOn: [] },
              { id: 'load', name: 'Load', dependsOn: ['extract'] },
            ],
          }),
        );
      await api()
        .post(`${m}/metrics`)
        .set('authorization', as.job)
        .send({
          samples: [
            { dataset: 'customers', importedRecords: 500, validity: 91 },
          ],
        });
      for (const title of ['First', 'Second', 'Third']) {
        await api()
          .post(`${m}/alerts`)
          .set('authorization', as.job)
          .send({ alertType: 'WARNING', severity: 'LOW', title });
      }
      const res = await api()
        .get(`${m}/reports/detailed.xlsx`)
        .set('authorization', as.reader)
        .buffer(true)
        .parse((r, cb) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => cb(null, Buffer.concat(chunks)));
        });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe(
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      );
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.body as Buffer);
      expect(wb.worksheets.map(w => w.name)).toEqual([
        'Summary',
        'Datasets',
        'Trends',
        'Checklist',
        'Approvals',
        'Alerts',
        'Timeline',
        'Snapshots',
        'Rollbacks',
      ]);
      const rows = (name: string) => wb.getWorksheet(name)!.actualRowCount - 1;
      expect(rows('Datasets')).toBe(2);
      expect(rows('Checklist')).toBe(17);
      expect(rows('Approvals')).toBe(0);
      expect(rows('Alerts')).toBe(3);
      expect(rows('Timeline')).toBe(2);
      expect(rows('Trends')).toBeGreaterThanOrEqual(168);
      const datasets = wb.getWorksheet('Datasets')!;
      expect(datasets.getRow(1).getCell(1).value).toBe('Dataset');
      expect(datasets.getRow(1).font?.bold).toBe(true);
      expect(datasets.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect(datasets.autoFilter).toBeTruthy();
      expect(datasets.getRow(2).getCell(5).value).toBe(500);
      expect(datasets.getRow(2).getCell(15).value).toBeInstanceOf(Date);
      expect(wb.getWorksheet('Snapshots')!.getRow(1).getCell(1).value).toBe(
        'Name',
      );
      expect(rows('Snapshots')).toBe(0);
      expect(wb.getWorksheet('Rollbacks')!.getRow(1).getCell(3).value).toBe(
        'Snapshot',
      );
      expect((await api().get(`${m}/reports/detailed.xlsx`)).status).toBe(401);
    });
  },
);
