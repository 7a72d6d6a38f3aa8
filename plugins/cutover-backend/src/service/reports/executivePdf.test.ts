import path from 'node:path';
import { PassThrough } from 'node:stream';
import { PDFParse } from 'pdf-parse';
import type {
  Alert,
  AlertSeverity,
  Dashboard,
  DashboardDataset,
  Dataset,
  DatasetProgressStatus,
  Migration,
  Readiness,
  Snapshot,
  Timeline,
  TimelinePhase,
  Trends,
} from '@switchyard/plugin-cutover-common';
import { ExecutivePdfInput, writeExecutivePdf } from './executivePdf';

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

const NOW = new Date('2025-03-14T09:30:00Z');
const iso = (offsetHours: number) =>
  new Date(NOW.getTime() + offsetHours * 3_600_000).toISOString();
const name = (i: number) => `dataset_${String(i).padStart(3, '0')}`;
const STATUSES: DatasetProgressStatus[] = [
  'IN_PROGRESS',
  'COMPLETED',
  'STALLED',
  'FAILED',
  'NOT_STARTED',
];

function buildInput(opts: {
  datasets: number;
  samples: number;
  snapshots?: Snapshot[] | null;
}): ExecutivePdfInput {
  const title = 'Orders ledger migration \u2013 \u6771\u4eac region';
  const datasets: Dataset[] = Array.from({ length: opts.datasets }, (_, i) => ({
    name: name(i),
    tier: (i % 3) + 1,
    category: i % 2 ? 'billing' : 'orders',
    keyColumns: ['id'],
    sourceTable: `legacy.${name(i)}`,
    destinationTable: `public.${name(i)}`,
    totalRecords: 1_000_000 + i * 1_000,
    importedRecords: 617_000 + i * 500,
    failedRecords: i % 7,
    skippedRecords: i % 5,
    cutoverState: i % 10 === 0 ? 'READY' : 'PENDING',
    readSource: 'LEGACY',
    lastSampleAt: iso(-0.1),
  }));
  const migration: Migration = {
    id: 'orders-ledger',
    title,
    description: 'Move the orders ledger from Oracle to PostgreSQL',
    owner: 'group:default/orders-team',
    entityRefs: ['component:default/orders'],
    approvers: 'group:default/cab',
    source: { connection: 'oracle-prod' },
    destination: { connection: 'pg-prod' },
    plannedStart: iso(-24 * 6),
    plannedEnd: iso(24 * 2),
    actualStart: iso(-24 * 6),
    actualEnd: null,
    status: 'IN_PROGRESS',
    controlState: 'RUN',
    createdAt: iso(-24 * 30),
    updatedAt: iso(-1),
    createdBy: 'user:default/ana',
    datasets,
  };
  const rows: DashboardDataset[] = datasets.map((d, i) => ({
    name: d.name,
    tier: d.tier,
    category: d.category,
    status: STATUSES[i % STATUSES.length],
    readSource: d.readSource,
    cutoverState: d.cutoverState,
    lastSampleAt: d.lastSampleAt,
    overallProgress: (d.importedRecords / d.totalRecords) * 100,
    totalRecords: d.totalRecords,
    importedRecords: d.importedRecords,
    failedRecords: d.failedRecords,
    skippedRecords: d.skippedRecords,
    importRate: 1_200 + i,
    estimatedCompletion: iso(30),
    completeness: 98,
    validity: i % 4 === 0 ? null : 91,
    consistency: 88,
    accuracy: null,
    qualityScore: i % 9 === 0 ? null : 80 + (i % 20),
    qualityTrend: 'up',
    errors: { critical: 0, high: 1, medium: 2, low: 3 },
  }));
  const dashboard: Dashboard = {
    migrationId: migration.id,
    title,
    status: 'IN_PROGRESS',
    controlState: 'RUN',
    plannedStart: migration.plannedStart,
    plannedEnd: migration.plannedEnd,
    actualStart: migration.actualStart,
    elapsedMs: 6 * 86_400_000,
    cutoverReady: false,
    blockers: ['DQ002: Overall data quality score >= 85%'],
    datasets: rows,
    generatedAt: NOW.toISOString(),
    overallProgress: 63.456,
    totalRecords: 219_900_000,
    importedRecords: 133_350_000,
    failedRecords: 12_345,
    skippedRecords: 678,
    importRate: 245_678.4,
    estimatedCompletion: iso(30),
    completeness: 97.5,
    validity: 91.2,
    consistency: null,
    accuracy: 72.4,
    qualityScore: 83.7,
    qualityTrend: 'down',
    errors: { critical: 3, high: 12, medium: 40, low: 100 },
  };
  const readiness: Readiness = {
    ready: false,
    score: 58,
    recommendation: 'GO_WITH_CAUTION',
    riskLevel: 'HIGH',
    qualityScore: 83.7,
    blockers: [
      {
        severity: 'HIGH',
        source: 'CHECKLIST',
        itemId: 'SR003',
        message:
          'SR003: Snapshot taken and restore rehearsed is not tested yet',
      },
      {
        severity: 'CRITICAL',
        source: 'CHECKLIST',
        itemId: 'DQ004',
        message:
          'DQ004: Reconciliation of row counts between source and destination (3 datasets differ: dataset_003 by 1,204 rows, dataset_017 by 88 rows, dataset_101 by 9 rows; the difference in dataset_003 grew overnight)',
      },
      {
        severity: 'HIGH',
        source: 'SYSTEM',
        message: '4 datasets have not reported progress for 2 hours',
      },
    ],
    warnings: [
      'Data quality 83.7 is below the GO threshold of 85',
      'PF002: Cache warmed on the new database is not tested (recommended)',
    ],
    mitigations: [
      'SR003: Take a snapshot and rehearse a restore; record the time it takes.',
    ],
    approval: {
      status: 'PENDING',
      request: null,
      approvals: [],
      required: 2,
      granted: 1,
      conditions: [],
    },
    evaluatedAt: iso(-0.2),
  };
  const timestamps = Array.from({ length: opts.samples }, (_, i) =>
    iso(-(opts.samples - i)),
  );
  const trends: Trends = {
    range: '7d',
    bucket: '1h',
    dataset: null,
    timestamps,
    progressPercent: timestamps.map(
      (_, i) => (63.456 * (i + 1)) / opts.samples,
    ),
    importedRecords: timestamps.map((_, i) => i * 1_000),
    importRate: timestamps.map(() => 240_000),
    qualityScore: timestamps.map(() => 84),
    completeness: timestamps.map(() => 97),
    validity: timestamps.map(() => 91),
    consistency: timestamps.map(() => null),
    accuracy: timestamps.map(() => 72),
  };
  const phase = (
    id: string,
    phaseName: string,
    status: TimelinePhase['status'],
    progress: number,
    extra: Partial<TimelinePhase>,
  ): TimelinePhase => ({
    id,
    name: phaseName,
    description: null,
    plannedStart: iso(-24 * 6),
    plannedEnd: iso(24),
    actualStart: null,
    actualEnd: null,
    progressPercent: progress,
    status,
    dependsOn: [],
    subTasks: [],
    errors: [],
    warnings: [],
    earliestStart: null,
    earliestFinish: null,
    latestStart: null,
    latestFinish: null,
    slackDays: 0,
    critical: true,
    delayDays: null,
    ...extra,
  });
  const timeline: Timeline = {
    phases: [
      phase('extract', 'Extract', 'COMPLETED', 100, {
        plannedEnd: iso(-24 * 4),
        actualEnd: iso(-24 * 3.5),
        delayDays: 0.5,
      }),
      phase('load', 'Bulk load', 'IN_PROGRESS', 61.7, {
        dependsOn: ['extract'],
        delayDays: 2.5,
      }),
      phase('validate', 'Validate and reconcile', 'PENDING', 0, {
        dependsOn: ['load'],
        plannedEnd: iso(24 * 2),
      }),
      phase('docs', 'Runbook review', 'IN_PROGRESS', 40, {
        critical: false,
        slackDays: 3,
      }),
    ],
    milestones: [
      {
        id: 'm1',
        name: 'Extract signed off',
        plannedDate: iso(-24 * 4),
        actualDate: iso(-24 * 3.5),
        completed: true,
      },
      {
        id: 'm2',
        name: 'Cutover window',
        plannedDate: iso(24 * 2),
        actualDate: null,
        completed: false,
      },
    ],
    criticalPath: ['extract', 'load', 'validate'],
    delays: [
      {
        id: 'load',
        kind: 'phase',
        name: 'Bulk load',
        plannedEnd: iso(24),
        expectedEnd: iso(24 * 3.5),
        delayDays: 2.5,
      },
    ],
    scheduleVarianceDays: 2.5,
    predictedCompletion: iso(24 * 4.5),
    plannedStart: migration.plannedStart,
    plannedEnd: migration.plannedEnd,
  };
  const severities: AlertSeverity[] = [
    'CRITICAL',
    'CRITICAL',
    'HIGH',
    'HIGH',
    'HIGH',
    'MEDIUM',
    'MEDIUM',
    'MEDIUM',
    'LOW',
    'LOW',
    'LOW',
    'LOW',
  ];
  const alerts: Alert[] = severities.map((severity, i) => ({
    id: `a${i}`,
    migrationId: migration.id,
    alertType: 'THRESHOLD',
    severity,
    title:
      i === 0
        ? 'Error rate above 2% on dataset_003 for the last 45 minutes, retries exhausted'
        : `Import rate dropped below plan on ${name(i)}`,
    message: null,
    dataset: name(i),
    recordId: null,
    status: 'OPEN',
    source: 'RULE',
    ruleKey: null,
    createdAt: iso(-(i * 3 + 1)),
    createdBy: 'system',
    targetResolutionTime: iso(i < 3 ? -1 : 12),
    assignedTo: null,
    resolvedAt: null,
    resolvedBy: null,
    resolution: null,
    notes: [],
    escalationLevel: 0,
  }));
  return {
    migration,
    dashboard,
    readiness,
    trends,
    alerts,
    timeline,
    snapshots: opts.snapshots,
    generatedAt: NOW,
  };
}

function snapshot(i: number): Snapshot {
  return {
    id: `s${i}`,
    migrationId: 'orders-ledger',
    name: `pre-cutover-${i}`,
    description: null,
    datasets: [name(0), name(1)],
    status: i === 6 ? 'RUNNING' : 'SUCCEEDED',
    progress: 100,
    recordCounts: { [name(0)]: 1_000_000 + i, [name(1)]: 250_000 },
    sizeBytes: 1e9,
    checksums: {},
    locations: {},
    provider: 's3',
    createdAt: iso(-24 * (7 - i)),
    createdBy: 'user:default/ana',
    finishedAt: null,
    expiresAt: null,
    error: null,
    backupForRollback: null,
    lastVerification: null,
  };
}

async function render(input: ExecutivePdfInput): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await writeExecutivePdf(input, out);
  return Buffer.concat(chunks);
}

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
    // The CJK characters cannot be shown by Helvetica and become '?'.
    expect(text).toContain('Orders ledger migration \u2013 ?? region');
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
    expect(text).toContain('Cutover ? ?-ledger very long title');
    expect(text).toContain('k\u00fcnde_?_?');
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
});
