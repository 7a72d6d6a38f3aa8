import ExcelJS from 'exceljs';
import { PassThrough } from 'node:stream';
import type { Checklist } from '@switchyard/plugin-cutover-common';
import { buildInput } from './__testUtils__/executiveInput';
import { writeDetailedWorkbook } from './detailedWorkbook';
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
        'Reconciliation',
        'Reconciliation runs',
        'Integrity',
        'Freeze windows',
        'Snapshots',
        'Rollbacks',
      ]);
      const rows = (name: string) => wb.getWorksheet(name)!.actualRowCount - 1;
      expect(rows('Datasets')).toBe(2);
      expect(rows('Checklist')).toBe(17);
      expect(rows('Approvals')).toBe(0);
      expect(rows('Alerts')).toBe(3);
      expect(rows('Timeline')).toBe(2);
      expect(rows('Reconciliation')).toBe(0);
      expect(rows('Reconciliation runs')).toBe(0);
      expect(rows('Freeze windows')).toBe(0);
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

    it('escapes text a spreadsheet would run as a formula, in every sheet', async () => {
      const knex = await databases.init(databaseId);
      const { api, clock } = await startCutoverBackend({ knex });
      const m = '/api/cutover/migrations/orders-v2';
      await api()
        .put(m)
        .set('authorization', as.job)
        .send(testPlan({ title: '=HYPERLINK("http://x","y")' }));
      const raised = await api()
        .post(`${m}/alerts`)
        .set('authorization', as.job)
        .send({
          alertType: 'ERROR',
          severity: 'HIGH',
          title: '=HYPERLINK("http://x","y")',
          message: '@SUM(A1)',
          dataset: 'orders',
        });
      expect(raised.status).toBe(201);
      const alert = `${m}/alerts/${raised.body.id}`;
      for (const text of ['+1+1', '-2+3']) {
        expect(
          (
            await api()
              .post(`${alert}/notes`)
              .set('authorization', as.owner)
              .send({ text })
          ).status,
        ).toBe(200);
      }
      expect(
        (
          await api()
            .post(`${alert}/resolve`)
            .set('authorization', as.owner)
            .send({ resolution: '-2+3' })
        ).status,
      ).toBe(200);
      expect(
        (
          await api()
            .post(`${m}/freeze-windows`)
            .set('authorization', as.owner)
            .send({
              name: '@SUM(A1)',
              datasets: ['orders'],
              startsAt: clock.iso(3_600_000),
              endsAt: clock.iso(7_200_000),
            })
        ).status,
      ).toBe(201);

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
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.body as Buffer);

      const alerts = wb.getWorksheet('Alerts')!;
      const header = (ws: ExcelJS.Worksheet, name: string) => {
        const cells = ws.getRow(1).values as unknown[];
        return cells.indexOf(name);
      };
      const cell = (ws: ExcelJS.Worksheet, row: number, name: string) =>
        ws.getRow(row).getCell(header(ws, name));
      expect(cell(alerts, 2, 'Title').value).toBe(
        `'=HYPERLINK("http://x","y")`,
      );
      expect(cell(alerts, 2, 'Title').type).toBe(ExcelJS.ValueType.String);
      expect(cell(alerts, 2, 'Message').value).toBe("'@SUM(A1)");
      expect(cell(alerts, 2, 'Notes').value).toBe("'+1+1\n-2+3");
      expect(cell(alerts, 2, 'Resolution').value).toBe("'-2+3");
      expect(cell(wb.getWorksheet('Freeze windows')!, 2, 'Window').value).toBe(
        "'@SUM(A1)",
      );
      expect(wb.getWorksheet('Summary')!.getRow(2).getCell(2).value).toBe(
        `'=HYPERLINK("http://x","y") (orders-v2)`,
      );
      // Not one formula, and no text cell that starts like one, in any sheet.
      const types = new Set<ExcelJS.ValueType>();
      const texts: string[] = [];
      for (const ws of wb.worksheets) {
        ws.eachRow(row =>
          row.eachCell(c => {
            types.add(c.type);
            if (typeof c.value === 'string') texts.push(c.value);
          }),
        );
      }
      expect(types.has(ExcelJS.ValueType.Formula)).toBe(false);
      expect(texts.filter(t => /^[=+@\t\r]|^-\D/.test(t))).toEqual([]);
      expect(texts.length).toBeGreaterThan(50);
    });
  },
);

describe('writeDetailedWorkbook', () => {
  it('keeps numbers numbers, negative ones included, while escaping text', async () => {
    const input = buildInput({ datasets: 2, samples: 3, snapshots: [] });
    input.timeline.phases[0].slackDays = -1.5;
    input.timeline.phases[0].delayDays = -2;
    input.timeline.phases[1].name = '-2+3';
    input.trends.importRate[0] = -40;
    const checklist: Checklist = {
      template: 'standard',
      categories: [],
      summary: {
        total: 0,
        passed: 0,
        failed: 0,
        notTested: 0,
        requiredOpen: 0,
      },
    };
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await writeDetailedWorkbook(
      { ...input, checklist, approvals: [], rollbacks: [] },
      out,
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.concat(chunks));
    const timeline = wb.getWorksheet('Timeline')!;
    expect(timeline.getRow(2).getCell(9).value).toBe(-1.5);
    expect(timeline.getRow(2).getCell(9).type).toBe(ExcelJS.ValueType.Number);
    expect(timeline.getRow(2).getCell(10).value).toBe(-2);
    expect(timeline.getRow(3).getCell(1).value).toBe("'-2+3");
    const trends = wb.getWorksheet('Trends')!;
    expect(trends.getRow(2).getCell(4).value).toBe(-40);
    // The fixture's runs and windows fill the reconciliation and freeze sheets.
    expect(wb.getWorksheet('Reconciliation')!.actualRowCount).toBe(3);
    expect(wb.getWorksheet('Reconciliation runs')!.actualRowCount).toBe(
      1 + 12 * 2,
    );
    expect(wb.getWorksheet('Freeze windows')!.actualRowCount).toBe(5);
  });
});
