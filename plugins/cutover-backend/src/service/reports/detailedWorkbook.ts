import ExcelJS from 'exceljs';
import type {
  Alert,
  Approval,
  Checklist,
  Dashboard,
  FreezeWindow,
  Migration,
  ReconciliationRun,
  Timeline,
  Trends,
  Rollback,
  Snapshot,
} from '@switchyard/plugin-cutover-common';
import { Writable } from 'node:stream';
import {
  latestIntegrity,
  latestReconciliations,
  orderFreezeWindows,
  runTime,
} from './reconciliationSummary';
import { spreadsheetSafe } from './spreadsheetSafe';

/** Everything the detailed workbook shows, gathered by the caller. */
export interface WorkbookInput {
  migration: Migration;
  dashboard: Dashboard;
  trends: Trends;
  checklist: Checklist;
  approvals: Approval[];
  alerts: Alert[];
  timeline: Timeline;
  /** Null when no snapshot capability is installed: the sheets say so. */
  snapshots?: Snapshot[] | null;
  rollbacks?: Rollback[] | null;
  /** Reconciliation runs in any order; none gives the sheets their headers only. */
  reconciliations?: ReconciliationRun[] | null;
  freezeWindows?: FreezeWindow[] | null;
  generatedAt: Date;
}

type Column = { header: string; key: string; width: number; numFmt?: string };

function verificationText(s: Snapshot): string {
  if (!s.lastVerification) return 'not verified';
  return `${
    s.lastVerification.matches ? 'matches' : 'differs'
  } (${s.lastVerification.at.slice(0, 16).replace('T', ' ')})`;
}

/** The items mapped to rows one at a time, so no second copy of a large list is built. */
function* rowsOf<T>(
  items: Iterable<T>,
  toRow: (item: T) => Record<string, unknown>,
) {
  for (const item of items) yield toRow(item);
}

/**
 * Adds a sheet with a bold, frozen, filterable header row and typed cells. Rows are committed
 * (written out) as they are added and the sheet is committed at the end, so memory stays flat
 * however many rows there are. Every text cell goes through the formula guard here, so no sheet
 * can carry user text that a spreadsheet would run.
 */
function sheet(
  wb: ExcelJS.stream.xlsx.WorkbookWriter,
  name: string,
  columns: Column[],
  rows: Iterable<Record<string, unknown>>,
) {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map(c => ({
    header: c.header,
    key: c.key,
    width: c.width,
    style: c.numFmt ? { numFmt: c.numFmt } : {},
  }));
  ws.autoFilter = {
    from: { row: 1, column: 1 },
    to: { row: 1, column: columns.length },
  };
  const header = ws.getRow(1);
  header.font = { bold: true };
  header.commit();
  for (const row of rows) {
    ws.addRow(columns.map(c => spreadsheetSafe(row[c.key]))).commit();
  }
  ws.commit();
}

const date = (iso: string | null | undefined) => (iso ? new Date(iso) : null);
const DATE = 'yyyy-mm-dd hh:mm';
const PCT = '0.0';
const RATIO = '0.000%';
const INT = '#,##0';

/** The latest result per dataset, worst first, and every dataset result of every run. */
function reconciliationSheets(
  wb: ExcelJS.stream.xlsx.WorkbookWriter,
  runs: ReconciliationRun[],
) {
  const figures: Column[] = [
    { header: 'Source rows', key: 'sourceCount', width: 12, numFmt: INT },
    {
      header: 'Destination rows',
      key: 'destinationCount',
      width: 15,
      numFmt: INT,
    },
    {
      header: 'Missing in destination',
      key: 'missingInDestination',
      width: 14,
      numFmt: INT,
    },
    {
      header: 'Missing in source',
      key: 'missingInSource',
      width: 12,
      numFmt: INT,
    },
    { header: 'Mismatched', key: 'mismatched', width: 12, numFmt: INT },
    { header: 'Rows compared', key: 'rowsCompared', width: 13, numFmt: INT },
  ];
  sheet(
    wb,
    'Reconciliation',
    [
      { header: 'Dataset', key: 'dataset', width: 24 },
      { header: 'Level', key: 'outcome', width: 10 },
      { header: 'Drift', key: 'driftRatio', width: 10, numFmt: RATIO },
      ...figures,
      { header: 'Reconciled', key: 'at', width: 18, numFmt: DATE },
      { header: 'Run', key: 'runId', width: 38 },
      { header: 'Error', key: 'error', width: 40 },
      { header: 'Not compared', key: 'notes', width: 40 },
    ],
    rowsOf(latestReconciliations(runs), x => ({
      ...x.result,
      dataset: x.dataset,
      outcome: x.outcome,
      at: date(x.at),
      runId: x.run.id,
      notes: (x.result.notes ?? []).join('; '),
    })),
  );
  const ordered = [...runs].sort(
    (a, b) => Date.parse(runTime(b)) - Date.parse(runTime(a)),
  );
  sheet(
    wb,
    'Reconciliation runs',
    [
      { header: 'Run', key: 'runId', width: 38 },
      { header: 'Finished', key: 'at', width: 18, numFmt: DATE },
      { header: 'Trigger', key: 'trigger', width: 11 },
      { header: 'Run status', key: 'runStatus', width: 11 },
      { header: 'By', key: 'createdBy', width: 24 },
      { header: 'Dataset', key: 'name', width: 24 },
      { header: 'Status', key: 'status', width: 11 },
      { header: 'Level', key: 'level', width: 10 },
      { header: 'Drift', key: 'driftRatio', width: 10, numFmt: RATIO },
      ...figures,
      { header: 'Warning at', key: 'warning', width: 10, numFmt: RATIO },
      { header: 'Critical at', key: 'critical', width: 10, numFmt: RATIO },
      { header: 'Rollback at', key: 'rollback', width: 11, numFmt: RATIO },
      { header: 'Error', key: 'error', width: 40 },
    ],
    (function* results() {
      for (const run of ordered) {
        for (const r of run.datasets) {
          yield {
            ...r,
            ...run.thresholds,
            runId: run.id,
            at: date(runTime(run)),
            trigger: run.trigger,
            runStatus: run.status,
            createdBy: run.createdBy,
            error: r.error ?? run.error,
          };
        }
      }
    })(),
  );
}

/** The integrity checks of the newest run that made them: relations, then golden queries. */
function integritySheet(
  wb: ExcelJS.stream.xlsx.WorkbookWriter,
  runs: ReconciliationRun[],
) {
  const latest = latestIntegrity(runs);
  sheet(
    wb,
    'Integrity',
    [
      { header: 'Check', key: 'kind', width: 14 },
      { header: 'Name', key: 'name', width: 40 },
      { header: 'Result', key: 'result', width: 11 },
      { header: 'Figures', key: 'figures', width: 36 },
      { header: 'Detail', key: 'detail', width: 60 },
      { header: 'Run', key: 'runId', width: 38 },
      { header: 'Checked', key: 'at', width: 18, numFmt: DATE },
    ],
    (latest?.lines ?? []).map(l => ({
      ...l,
      runId: latest!.run.id,
      at: date(runTime(latest!.run)),
    })),
  );
}

function freezeWindowSheet(
  wb: ExcelJS.stream.xlsx.WorkbookWriter,
  windows: FreezeWindow[],
) {
  sheet(
    wb,
    'Freeze windows',
    [
      { header: 'Window', key: 'name', width: 28 },
      { header: 'Status', key: 'status', width: 11 },
      { header: 'Datasets', key: 'datasets', width: 36 },
      { header: 'Starts', key: 'startsAt', width: 18, numFmt: DATE },
      { header: 'Ends', key: 'endsAt', width: 18, numFmt: DATE },
      {
        header: 'Read switches allowed',
        key: 'allowReadSourceSwitch',
        width: 12,
      },
      { header: 'Planned by', key: 'createdBy', width: 24 },
      { header: 'Activated', key: 'activatedAt', width: 18, numFmt: DATE },
      { header: 'Completed', key: 'completedAt', width: 18, numFmt: DATE },
      { header: 'Cancelled', key: 'cancelledAt', width: 18, numFmt: DATE },
      { header: 'Cancel reason', key: 'cancelReason', width: 30 },
      { header: 'Description', key: 'description', width: 40 },
    ],
    rowsOf(orderFreezeWindows(windows), w => ({
      ...w,
      datasets: w.datasets.join(', '),
      startsAt: date(w.startsAt),
      endsAt: date(w.endsAt),
      activatedAt: date(w.activatedAt),
      completedAt: date(w.completedAt),
      cancelledAt: date(w.cancelledAt),
    })),
  );
}

/**
 * The detailed Excel workbook: sheets for datasets, trends, checklist, approvals, alerts,
 * timeline, reconciliation (latest per dataset and every run), freeze windows, and snapshots and
 * rollbacks (which say so while that capability is not installed). Text a spreadsheet would read
 * as a formula is escaped in every sheet.
 * Streams into `out` (and ends it) as the sheets are written; resolves when `out` has finished.
 */
export async function writeDetailedWorkbook(
  input: WorkbookInput,
  out: Writable,
) {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  wb.creator = 'Switchyard';
  wb.created = input.generatedAt;
  const { migration: m, dashboard: d } = input;

  sheet(
    wb,
    'Summary',
    [
      { header: 'Field', key: 'field', width: 28 },
      { header: 'Value', key: 'value', width: 60 },
    ],
    [
      { field: 'Migration', value: `${m.title} (${m.id})` },
      { field: 'Owner', value: m.owner },
      { field: 'Status', value: d.status },
      { field: 'Overall progress %', value: d.overallProgress },
      { field: 'Records imported', value: d.importedRecords },
      { field: 'Records total', value: d.totalRecords },
      { field: 'Quality score', value: d.qualityScore },
      ...(d.resources
        ? [
            { field: 'Bytes moved', value: d.resources.bytesMoved },
            { field: 'Throughput bytes/s', value: d.resources.bytesPerSecond },
            { field: 'CPU seconds', value: d.resources.cpuSeconds },
            { field: 'Memory peak bytes', value: d.resources.memoryPeakBytes },
            {
              field: `Cost to date (${d.resources.currency})`,
              value: d.resources.cost,
            },
            {
              field: `Projected cost at completion (${d.resources.currency})`,
              value: d.resources.projectedCost,
            },
          ]
        : []),
      { field: 'Generated', value: input.generatedAt },
    ],
  );

  sheet(
    wb,
    'Datasets',
    [
      { header: 'Dataset', key: 'name', width: 24 },
      { header: 'Tier', key: 'tier', width: 6 },
      { header: 'Category', key: 'category', width: 16 },
      { header: 'Total', key: 'totalRecords', width: 12, numFmt: '#,##0' },
      {
        header: 'Imported',
        key: 'importedRecords',
        width: 12,
        numFmt: '#,##0',
      },
      { header: 'Failed', key: 'failedRecords', width: 10, numFmt: '#,##0' },
      { header: 'Skipped', key: 'skippedRecords', width: 10, numFmt: '#,##0' },
      { header: 'Progress %', key: 'overallProgress', width: 11, numFmt: PCT },
      { header: 'Rate /min', key: 'importRate', width: 11, numFmt: '#,##0.0' },
      { header: 'Quality', key: 'qualityScore', width: 9, numFmt: PCT },
      { header: 'Critical errors', key: 'critical', width: 14 },
      { header: 'Status', key: 'status', width: 13 },
      { header: 'Cutover state', key: 'cutoverState', width: 13 },
      { header: 'Reads from', key: 'readSource', width: 11 },
      { header: 'Last sample', key: 'lastSampleAt', width: 18, numFmt: DATE },
      { header: 'ETA', key: 'eta', width: 18, numFmt: DATE },
      // Resources only once a job has reported them: a workbook of jobs that send none is as before.
      ...(d.resources
        ? [
            { header: 'Bytes moved', key: 'bytesMoved', width: 14, numFmt: '#,##0' },
            { header: 'Bytes/s', key: 'bytesPerSecond', width: 12, numFmt: '#,##0' },
            { header: 'CPU s', key: 'cpuSeconds', width: 10, numFmt: '#,##0.0' },
            { header: 'Memory peak', key: 'memoryPeakBytes', width: 14, numFmt: '#,##0' },
            { header: `Cost (${d.resources.currency})`, key: 'cost', width: 12, numFmt: '#,##0.00' },
            { header: 'Errors by type', key: 'errorsByType', width: 40 },
          ]
        : []),
    ],
    rowsOf(d.datasets, x => ({
      ...x,
      critical: x.errors.critical,
      lastSampleAt: date(x.lastSampleAt),
      eta: date(x.estimatedCompletion),
      bytesMoved: x.resources?.bytesMoved ?? null,
      bytesPerSecond: x.resources?.bytesPerSecond ?? null,
      cpuSeconds: x.resources?.cpuSeconds ?? null,
      memoryPeakBytes: x.resources?.memoryPeakBytes ?? null,
      cost: x.resources?.cost ?? null,
      errorsByType: Object.entries(x.errorsByType ?? {})
        .map(([type, n]) => `${type}: ${n}`)
        .join(', '),
    })),
  );

  sheet(
    wb,
    'Trends',
    [
      { header: 'Time', key: 't', width: 18, numFmt: DATE },
      { header: 'Progress %', key: 'p', width: 11, numFmt: PCT },
      { header: 'Imported', key: 'i', width: 12, numFmt: '#,##0' },
      { header: 'Rate /min', key: 'r', width: 11, numFmt: '#,##0.0' },
      { header: 'Quality', key: 'q', width: 9, numFmt: PCT },
      ...(input.trends.bytesPerSecond
        ? [{ header: 'Bytes/s', key: 'b', width: 12, numFmt: '#,##0' }]
        : []),
      ...(input.trends.cost
        ? [{ header: 'Cost to date', key: 'c', width: 12, numFmt: '#,##0.00' }]
        : []),
    ],
    rowsOf(input.trends.timestamps.keys(), k => ({
      t: new Date(input.trends.timestamps[k]),
      p: input.trends.progressPercent[k],
      i: input.trends.importedRecords[k],
      r: input.trends.importRate[k],
      q: input.trends.qualityScore[k],
      b: input.trends.bytesPerSecond?.[k],
      c: input.trends.cost?.[k],
    })),
  );

  sheet(
    wb,
    'Checklist',
    [
      { header: 'Id', key: 'id', width: 10 },
      { header: 'Category', key: 'category', width: 18 },
      { header: 'Item', key: 'title', width: 50 },
      { header: 'Required', key: 'required', width: 9 },
      { header: 'Automatic', key: 'automated', width: 10 },
      { header: 'Result', key: 'status', width: 11 },
      { header: 'Decided from / notes', key: 'evidence', width: 50 },
      { header: 'By', key: 'updatedBy', width: 28 },
      { header: 'When', key: 'updatedAt', width: 18, numFmt: DATE },
    ],
    rowsOf(
      input.checklist.categories.flatMap(c => c.items),
      i => ({
        ...i,
        evidence: i.evidence ?? i.notes ?? '',
        updatedAt: date(i.updatedAt),
      }),
    ),
  );

  sheet(
    wb,
    'Approvals',
    [
      { header: 'Decision', key: 'decision', width: 12 },
      { header: 'Approver', key: 'approver', width: 30 },
      { header: 'Decided', key: 'decidedAt', width: 18, numFmt: DATE },
      { header: 'Recommendation then', key: 'recommendation', width: 18 },
      { header: 'Score then', key: 'score', width: 10 },
      { header: 'Risk then', key: 'riskLevel', width: 10 },
      { header: 'Comments', key: 'comments', width: 40 },
      { header: 'Conditions', key: 'conditions', width: 40 },
      { header: 'Revoked', key: 'revokedAt', width: 18, numFmt: DATE },
      { header: 'Revoke reason', key: 'revokeReason', width: 30 },
    ],
    rowsOf(input.approvals, a => ({
      ...a,
      decidedAt: date(a.decidedAt),
      revokedAt: date(a.revokedAt),
      conditions: a.conditions.join('; '),
    })),
  );

  sheet(
    wb,
    'Alerts',
    [
      { header: 'Severity', key: 'severity', width: 10 },
      { header: 'Type', key: 'alertType', width: 11 },
      { header: 'Title', key: 'title', width: 40 },
      { header: 'Dataset', key: 'dataset', width: 16 },
      { header: 'Status', key: 'status', width: 10 },
      { header: 'Raised', key: 'createdAt', width: 18, numFmt: DATE },
      {
        header: 'SLA deadline',
        key: 'targetResolutionTime',
        width: 18,
        numFmt: DATE,
      },
      { header: 'Assignee', key: 'assignedTo', width: 28 },
      { header: 'Resolved', key: 'resolvedAt', width: 18, numFmt: DATE },
      { header: 'Resolution', key: 'resolution', width: 40 },
      { header: 'Message', key: 'message', width: 40 },
      { header: 'Notes', key: 'notes', width: 50 },
    ],
    rowsOf(input.alerts, a => ({
      ...a,
      createdAt: date(a.createdAt),
      targetResolutionTime: date(a.targetResolutionTime),
      resolvedAt: date(a.resolvedAt),
      notes: a.notes.map(n => n.text).join('\n'),
    })),
  );

  sheet(
    wb,
    'Timeline',
    [
      { header: 'Phase', key: 'name', width: 32 },
      { header: 'Status', key: 'status', width: 12 },
      { header: 'Progress %', key: 'progressPercent', width: 11, numFmt: PCT },
      { header: 'Planned start', key: 'plannedStart', width: 18, numFmt: DATE },
      { header: 'Planned end', key: 'plannedEnd', width: 18, numFmt: DATE },
      { header: 'Actual start', key: 'actualStart', width: 18, numFmt: DATE },
      { header: 'Actual end', key: 'actualEnd', width: 18, numFmt: DATE },
      { header: 'Critical', key: 'critical', width: 8 },
      { header: 'Slack (days)', key: 'slackDays', width: 11 },
      { header: 'Delay (days)', key: 'delayDays', width: 11 },
      { header: 'Depends on', key: 'dependsOn', width: 24 },
    ],
    rowsOf(input.timeline.phases, p => ({
      ...p,
      plannedStart: date(p.plannedStart),
      plannedEnd: date(p.plannedEnd),
      actualStart: date(p.actualStart),
      actualEnd: date(p.actualEnd),
      dependsOn: p.dependsOn.join(', '),
    })),
  );

  reconciliationSheets(wb, input.reconciliations ?? []);
  integritySheet(wb, input.reconciliations ?? []);
  freezeWindowSheet(wb, input.freezeWindows ?? []);

  if (input.snapshots && input.rollbacks) {
    const names = new Map(input.snapshots.map(x => [x.id, x.name]));
    sheet(
      wb,
      'Snapshots',
      [
        { header: 'Name', key: 'name', width: 30 },
        { header: 'Status', key: 'status', width: 11 },
        { header: 'Datasets', key: 'datasets', width: 30 },
        { header: 'Records', key: 'records', width: 12, numFmt: '#,##0' },
        {
          header: 'Size (bytes)',
          key: 'sizeBytes',
          width: 14,
          numFmt: '#,##0',
        },
        { header: 'Taken', key: 'createdAt', width: 18, numFmt: DATE },
        { header: 'By', key: 'createdBy', width: 28 },
        { header: 'Expires', key: 'expiresAt', width: 18, numFmt: DATE },
        { header: 'Backup before rollback', key: 'backup', width: 12 },
        { header: 'Last verification', key: 'verification', width: 18 },
        { header: 'Checksums', key: 'checksums', width: 60 },
      ],
      rowsOf(input.snapshots, x => ({
        ...x,
        datasets: x.datasets.join(', '),
        records: Object.values(x.recordCounts).reduce((a, b) => a + b, 0),
        createdAt: date(x.createdAt),
        expiresAt: date(x.expiresAt),
        backup: !!x.backupForRollback,
        verification: verificationText(x),
        checksums: Object.entries(x.checksums)
          .map(([k, v]) => `${k}=${v}`)
          .join('; '),
      })),
    );
    sheet(
      wb,
      'Rollbacks',
      [
        { header: 'Started', key: 'createdAt', width: 18, numFmt: DATE },
        { header: 'By', key: 'createdBy', width: 28 },
        { header: 'Snapshot', key: 'snapshot', width: 30 },
        { header: 'Datasets', key: 'datasets', width: 30 },
        { header: 'Status', key: 'status', width: 11 },
        {
          header: 'Restored',
          key: 'recordsRestored',
          width: 11,
          numFmt: '#,##0',
        },
        {
          header: 'Deleted',
          key: 'recordsDeleted',
          width: 11,
          numFmt: '#,##0',
        },
        { header: 'Duration (s)', key: 'seconds', width: 12, numFmt: '0.0' },
        { header: 'Verified', key: 'verified', width: 9 },
        { header: 'Backup snapshot', key: 'backup', width: 30 },
        { header: 'Errors', key: 'errors', width: 60 },
      ],
      rowsOf(input.rollbacks, r => ({
        ...r,
        createdAt: date(r.createdAt),
        snapshot: names.get(r.snapshotId) ?? r.snapshotId,
        datasets: r.datasets.join(', '),
        seconds: r.durationMs === null ? null : r.durationMs / 1000,
        backup: r.backupSnapshotId
          ? names.get(r.backupSnapshotId) ?? r.backupSnapshotId
          : '',
        errors: r.errors
          .map(e => `${e.dataset ?? 'rollback'}: ${e.message}`)
          .join('; '),
      })),
    );
  } else {
    const notYet = [
      {
        note: 'Snapshots and rollback are not available in this installation.',
      },
    ];
    sheet(
      wb,
      'Snapshots',
      [{ header: 'Note', key: 'note', width: 70 }],
      rowsOf(notYet, x => x),
    );
    sheet(
      wb,
      'Rollbacks',
      [{ header: 'Note', key: 'note', width: 70 }],
      rowsOf(notYet, x => x),
    );
  }

  await wb.commit();
}
