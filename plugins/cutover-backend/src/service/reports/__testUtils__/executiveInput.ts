import { PassThrough } from 'node:stream';
import type {
  Alert,
  AlertSeverity,
  Dashboard,
  DashboardDataset,
  Dataset,
  DatasetProgressStatus,
  FreezeWindow,
  Migration,
  Readiness,
  ReconciliationDatasetResult,
  ReconciliationRun,
  Snapshot,
  Timeline,
  TimelinePhase,
  Trends,
} from '@switchyard/plugin-cutover-common';
import { ExecutivePdfInput, writeExecutivePdf } from '../executivePdf';

// Inputs for the executive PDF built in memory, for its tests and for rendering it by hand.

export const NOW = new Date('2025-03-14T09:30:00Z');
export const iso = (offsetHours: number) =>
  new Date(NOW.getTime() + offsetHours * 3_600_000).toISOString();
export const name = (i: number) => `dataset_${String(i).padStart(3, '0')}`;
const STATUSES: DatasetProgressStatus[] = [
  'IN_PROGRESS',
  'COMPLETED',
  'STALLED',
  'FAILED',
  'NOT_STARTED',
];

export function buildInput(opts: {
  datasets: number;
  samples: number;
  snapshots?: Snapshot[] | null;
  /** Twelve runs over the first datasets unless given. */
  reconciliations?: ReconciliationRun[] | null;
  /** Four windows over the first datasets unless given. */
  freezeWindows?: FreezeWindow[] | null;
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
    cutoverGate: { open: true, approval: [], datasets: [] },
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
    reconciliations:
      opts.reconciliations === undefined
        ? reconciliationRuns(Math.min(opts.datasets, 8), 12)
        : opts.reconciliations,
    freezeWindows:
      opts.freezeWindows === undefined
        ? freezeWindows(Math.min(opts.datasets, 6))
        : opts.freezeWindows,
    generatedAt: NOW,
  };
}

/** One dataset's result in a reconciliation run. */
export function reconciled(
  dataset: string,
  drift: number | null,
  extra: Partial<ReconciliationDatasetResult> = {},
): ReconciliationDatasetResult {
  const rows = 200_000;
  const differing = drift === null ? null : Math.round(drift * rows);
  let level: ReconciliationDatasetResult['level'] = null;
  if (drift !== null) {
    if (drift >= 0.005) level = 'ROLLBACK';
    else if (drift >= 0.001) level = 'CRITICAL';
    else if (drift >= 0.0005) level = 'WARNING';
    else level = 'OK';
  }
  return {
    name: dataset,
    status: drift === null ? 'FAILED' : 'SUCCEEDED',
    sourceCount: rows,
    destinationCount: differing === null ? null : rows - (differing >> 1),
    missingInDestination: differing === null ? null : differing >> 1,
    missingInSource: differing === null ? null : 0,
    mismatched: differing === null ? null : differing - (differing >> 1),
    driftRatio: drift,
    level,
    sampleKeys: [],
    rowsCompared: rows,
    durationMs: 1_200,
    error: drift === null ? 'connection refused by pg-prod' : null,
    ...extra,
  };
}

/** A finished reconciliation run `hoursAgo` before NOW. */
export function reconciliationRun(
  id: string,
  hoursAgo: number,
  datasets: ReconciliationDatasetResult[],
): ReconciliationRun {
  return {
    id,
    migrationId: 'orders-ledger',
    status: 'SUCCEEDED',
    trigger: 'SCHEDULED',
    progress: 100,
    createdBy: 'plugin:cutover',
    createdAt: iso(-hoursAgo - 0.1),
    startedAt: iso(-hoursAgo - 0.1),
    finishedAt: iso(-hoursAgo),
    datasets,
    error: null,
    thresholds: { warning: 0.0005, critical: 0.001, rollback: 0.005 },
  };
}

/**
 * `count` runs, two hours apart, newest first, over the first `datasets` datasets: dataset 0
 * drifts further every run (to past the rollback threshold), dataset 1 settles, dataset 2 could
 * not be compared in the newest run, the others stay clean.
 */
export function reconciliationRuns(
  datasets: number,
  count: number,
): ReconciliationRun[] {
  return Array.from({ length: count }, (_, k) => {
    const age = k * 2; // hours; k = 0 is the newest
    const step = count - 1 - k; // 0 for the oldest
    const results = Array.from({ length: datasets }, (__, i) => {
      if (i === 0) return reconciled(name(i), 0.0004 + step * 0.0006);
      if (i === 1)
        return reconciled(name(i), Math.max(0, 0.003 - step * 0.0004));
      if (i === 2 && k === 0) return reconciled(name(i), null);
      return reconciled(name(i), (i % 3) * 0.0001);
    });
    return reconciliationRun(`run-${count - k}`, age + 1, results);
  });
}

/** A freeze window over the given datasets. */
export function freezeWindow(
  id: string,
  windowName: string,
  status: FreezeWindow['status'],
  fromHours: number,
  toHours: number,
  datasets: string[],
): FreezeWindow {
  return {
    id,
    migrationId: 'orders-ledger',
    name: windowName,
    description: null,
    datasets,
    startsAt: iso(fromHours),
    endsAt: iso(toHours),
    status,
    allowReadSourceSwitch: status !== 'ACTIVE',
    createdAt: iso(-24 * 10),
    createdBy: 'user:default/ana',
    activatedAt:
      status === 'ACTIVE' || status === 'COMPLETED' ? iso(fromHours) : null,
    completedAt: status === 'COMPLETED' ? iso(toHours) : null,
    cancelledAt: status === 'CANCELLED' ? iso(-48) : null,
    cancelReason: status === 'CANCELLED' ? 'moved to the weekend' : null,
  };
}

/** An active, a planned, a completed and a cancelled window over the first datasets. */
export function freezeWindows(datasets: number): FreezeWindow[] {
  const names = Array.from({ length: datasets }, (_, i) => name(i));
  return [
    freezeWindow('w1', 'Tier 1 cutover', 'ACTIVE', -2, 10, names.slice(0, 3)),
    freezeWindow('w2', 'Month-end close', 'PLANNED', 24 * 5, 24 * 6, names),
    freezeWindow(
      'w3',
      'Rehearsal',
      'COMPLETED',
      -24 * 3,
      -24 * 3 + 6,
      names.slice(0, 2),
    ),
    freezeWindow(
      'w4',
      'Weekday trial',
      'CANCELLED',
      -24 * 2,
      -24 * 2 + 4,
      names.slice(3),
    ),
  ];
}

export function snapshot(i: number): Snapshot {
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

export async function render(input: ExecutivePdfInput): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await writeExecutivePdf(input, out);
  return Buffer.concat(chunks);
}
