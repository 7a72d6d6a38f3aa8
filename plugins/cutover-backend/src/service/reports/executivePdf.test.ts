import path from 'node:path';
import { PDFParse } from 'pdf-parse';
import {
  buildInput,
  freezeWindow,
  name,
  reconciled,
  reconciliationRun,
  render,
  snapshot,
} from './__testUtils__/executiveInput';

jest.setTimeout(60_000);

beforeAll(() => {
  // pdf.js loads its worker with a dynamic import(), which Jest's VM cannot run. Loading the
  // worker module up front (Jest transforms it to CommonJS) lets pdf.js find it on globalThis.
  const worker = path.join(
    path.dirname(require.resolve('pdf-parse')),
    'pdf.worker.mjs',
  );
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = require(worker);
});

async function parse(pdf: Buffer) {
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  try {
    return await parser.getText();
  } finally {
    await parser.destroy();
  }
}

describe('writeExecutivePdf', () => {
  it('renders the headline, charts, tables and page numbers of a 200-dataset migration', async () => {
    const snapshots = Array.from({ length: 7 }, (_, i) => snapshot(i));
    const pdf = await render(
      buildInput({ datasets: 200, samples: 48, snapshots }),
    );
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    const result = await parse(pdf);
    const pages = result.total;
    expect(pages).toBeGreaterThan(1);
    const text = result.text;
    expect(text).toContain(
      'Orders ledger migration \u2013 \u6771\u4eac region',
    );
    expect(text).toContain('GO WITH CAUTION');
    expect(text).toContain('63.5% complete');
    expect(text).toContain('83.7');
    expect(text).toContain('133,350,000');
    expect(text).toContain('219,900,000');
    expect(text).toContain('245,678 /min');
    expect(text).toContain('no data');
    expect(text).toContain(`Page 1 of ${pages}`);
    expect(text).toContain(`Page ${pages} of ${pages}`);

    // Every dataset row is there once: none lost, none cut or repeated across a page break.
    const row = (i: number) =>
      new RegExp(`${name(i)} ${(i % 3) + 1} \\d+\\.\\d% `, 'g');
    for (let i = 0; i < 200; i++) expect(text.match(row(i))).toHaveLength(1);
    // The table starts on one page and ends on the last; its header repeats on every page it continues on.
    const pageOf = (i: number) =>
      result.pages.findIndex(p => row(i).test(p.text)) + 1;
    expect(pageOf(0)).toBeGreaterThanOrEqual(1);
    expect(pageOf(199)).toBe(pages);
    expect(pageOf(199)).toBeGreaterThan(pageOf(0));
    const continued = result.pages.filter(p =>
      p.text.includes('Datasets (continued)'),
    );
    expect(continued.length).toBeGreaterThan(1);
    for (const p of continued) expect(p.text).toContain('CUTOVER STATE');

    // The latest five snapshots, newest first.
    expect(text).toContain('pre-cutover-6');
    expect(text).toContain('pre-cutover-2');
    expect(text).not.toContain('pre-cutover-1');
    expect(text).toContain('1,250,006');
  });

  it('says when there are no samples, alerts or blockers and snapshots are not available', async () => {
    const input = buildInput({ datasets: 3, samples: 0, snapshots: null });
    input.migration.title = `Cutover \u{1F680} \u03A9-ledger ${'very long title '.repeat(
      12,
    )}`;
    input.dashboard.datasets[0].name = 'k\u00fcnde_\u{1F600}_\u0394';
    input.alerts = [];
    input.readiness = {
      ...input.readiness,
      ready: true,
      recommendation: 'NO_GO',
      blockers: [],
      warnings: [],
      mitigations: [],
    };
    input.timeline = {
      ...input.timeline,
      phases: [],
      delays: [],
      milestones: [],
      criticalPath: [],
    };
    const text = (await parse(await render(input))).text;
    expect(text).toContain('NO GO');
    // Emoji are in none of the embedded fonts; Greek is.
    expect(text).toContain('Cutover ? \u03A9-ledger very long title');
    expect(text).toContain('k\u00fcnde_?_\u0394');
    expect(text).toContain('No samples yet');
    expect(text).toContain('No open alerts');
    expect(text).toContain('No blockers or warnings');
    expect(text).toContain('Snapshots: not available on this installation');
    expect(text).toContain('Page 1 of');
  });

  it('says when no snapshots have been taken', async () => {
    const text = (
      await parse(
        await render(buildInput({ datasets: 3, samples: 1, snapshots: [] })),
      )
    ).text;
    expect(text).toContain('No snapshots taken');
    expect(text).not.toContain('No samples yet');
  });

  it('prints Polish, German, Cyrillic, Greek, Chinese and Japanese text as written', async () => {
    const words = {
      polish: 'Zażółć gęślą jaźń',
      german: 'Größenänderung Übersicht',
      russian: 'Перенос данных клиентов',
      greek: 'Μεταφορά δεδομένων πελατών',
      chinese: '客户数据迁移',
      japanese: '顧客データの移行',
    };
    const input = buildInput({
      datasets: 6,
      samples: 12,
      snapshots: [{ ...snapshot(1), name: `Migawka ${words.polish}` }],
      reconciliations: [
        reconciliationRun('r1', 1, [
          reconciled('Größe_Übersicht', 0.002),
          reconciled('клиенты', 0),
        ]),
      ],
      freezeWindows: [
        freezeWindow('w1', `Заморозка ${words.greek}`, 'ACTIVE', -1, 5, [
          '顧客',
        ]),
      ],
    });
    input.migration.title = `${words.polish} ${words.chinese}`;
    input.migration.owner = 'group:default/команда-Ωμέγα';
    const names = [
      'Größe_Übersicht',
      'клиенты',
      'πελάτες',
      '客户',
      '顧客',
      'zamówienia',
    ];
    names.forEach((n, i) => {
      input.dashboard.datasets[i].name = n;
    });
    input.alerts[0].title = `${words.german}: ${words.japanese}`;
    input.alerts[1].title = words.russian;
    input.readiness.blockers[0].message = `${words.greek} ${words.chinese}`;
    input.timeline.phases[0].name = words.japanese;

    const pdf = await render(input);
    // Wrapped cells come out as lines: compare with the line breaks as spaces.
    const text = (await parse(pdf)).text.replace(/\s+/g, ' ');
    // The title in the header band, the running headers and the footers.
    expect(text).toContain(`${words.polish} ${words.chinese}`);
    expect(text).toContain('Owner: group:default/команда-Ωμέγα');
    for (const n of names) expect(text).toContain(n);
    expect(text).toContain(`${words.german}: ${words.japanese}`);
    expect(text).toContain(words.russian);
    expect(text).toContain(`${words.greek} ${words.chinese}`);
    expect(text).toContain(`Migawka ${words.polish}`);
    expect(text).toContain(`Заморозка ${words.greek}`);
    expect(text).not.toContain('?');

    // Embedded and subset (a six-letter tag before the name), with no built-in font left over.
    const raw = pdf.toString('latin1');
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSans-Regular/);
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSans-Bold/);
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansSC-Regular/);
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansSC-Bold/);
    expect(raw).not.toContain('/Helvetica');
    expect(pdf.length).toBeLessThan(250_000);
  });

  it('shows the latest reconciliation per dataset, worst first, with drift drawn over time', async () => {
    const input = buildInput({
      datasets: 4,
      samples: 12,
      reconciliations: [
        // Newest first, as the store lists them; dataset_001 was left out of the newest run.
        reconciliationRun('r3', 1, [
          reconciled(name(0), 0.0072),
          reconciled(name(2), null),
          reconciled(name(3), 0.0007),
        ]),
        reconciliationRun('r2', 3, [
          reconciled(name(0), 0.0031),
          reconciled(name(1), 0.0012),
          reconciled(name(3), 0),
        ]),
        reconciliationRun('r1', 5, [
          reconciled(name(0), 0.0001),
          reconciled(name(1), 0.0002),
        ]),
      ],
      freezeWindows: [],
    });
    const pdf = await render(input);
    const { text, pages } = await parse(pdf);
    expect(text).toContain('Reconciliation');
    expect(text).toContain('3 runs');
    expect(text).toContain('1 ROLLBACK');
    expect(text).toContain('1 CRITICAL');
    expect(text).toContain('1 FAILED');
    expect(text).toContain('1 WARNING');
    expect(text).toContain('4 datasets reconciled');
    // Worst first: rollback, critical, failed, warning; dataset_001 from the run before the newest.
    const rows = [
      `${name(0)} ROLLBACK 0.720% 200,000 199,280 720 / 0 720 14 Mar 08:30`,
      `${name(1)} CRITICAL 0.120% 200,000 199,880 120 / 0 120 14 Mar 06:30`,
      `${name(2)} FAILED \u2014 200,000 \u2014 \u2014 \u2014 14 Mar 08:30`,
      `${name(3)} WARNING 0.070% 200,000 199,930 70 / 0 70 14 Mar 08:30`,
    ];
    let at = -1;
    for (const row of rows) {
      const found = text.indexOf(row);
      expect(found).toBeGreaterThan(at);
      at = found;
    }
    expect(text).toContain(`${name(2)}: connection refused by pg-prod`);
    // The chart: axis, legend with each dataset's last figure, and the thresholds.
    expect(text).toContain('Drift over time');
    expect(text).toContain('last 0.720%');
    expect(text).toContain('rollback at 0.500%');
    expect(text).toContain('critical at 0.100%');
    expect(text).toContain('warning at 0.050%');
    expect(text).toContain('14 Mar 04:30');

    // Drawn in the document: vector paths, no image.
    const page = pages.find(p => p.text.includes('Drift over time'))!;
    expect(page).toBeDefined();
    expect(pdf.toString('latin1')).not.toContain('/Subtype /Image');
  });

  it('lists freeze windows, active and planned first, and says when there are none', async () => {
    const windows = [
      freezeWindow('w1', 'Rehearsal', 'COMPLETED', -72, -66, [name(0)]),
      freezeWindow('w2', 'Month-end close', 'PLANNED', 120, 144, [
        name(0),
        name(1),
      ]),
      freezeWindow('w3', 'Tier 1 cutover', 'ACTIVE', -2, 10, [name(1)]),
      freezeWindow('w4', 'Weekday trial', 'CANCELLED', -48, -44, [name(2)]),
    ];
    const { text } = await parse(
      await render(
        buildInput({ datasets: 3, samples: 4, freezeWindows: windows }),
      ),
    );
    expect(text).toContain('1 active \u00b7 1 planned \u00b7 4 windows');
    const order = [
      `Tier 1 cutover ACTIVE ${name(1)} 14 Mar 07:30 14 Mar 19:30`,
      `Month-end close PLANNED ${name(0)}, ${name(
        1,
      )} 19 Mar 09:30 20 Mar 09:30`,
      `Rehearsal COMPLETED ${name(0)} 11 Mar 09:30 11 Mar 15:30`,
      `Weekday trial CANCELLED ${name(2)} 12 Mar 09:30 12 Mar 13:30`,
    ];
    let at = -1;
    for (const row of order) {
      const found = text.indexOf(row);
      expect(found).toBeGreaterThan(at);
      at = found;
    }

    const none = (
      await parse(
        await render(
          buildInput({
            datasets: 3,
            samples: 4,
            freezeWindows: [],
            reconciliations: [],
          }),
        ),
      )
    ).text;
    expect(none).toContain('No freeze windows are planned.');
    expect(none).toContain('No reconciliation has finished yet.');
  });
});
