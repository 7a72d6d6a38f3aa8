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
  freezeWindowSheet,
  integritySheet,
  reconciliationSheets,
} from './workbook/reconciliationSheets';
import {
  col,
  date,
  dates,
  DATE,
  INT,
  PCT,
  rowsOf,
  sheet,
} from './workbook/sheet';
import { snapshotSheets } from './workbook/snapshotSheets';

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
    [col('Field', 'field', 28), col('Value', 'value', 60)],
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
      col('Dataset', 'name', 24),
      col('Tier', 'tier', 6),
      col('Category', 'category', 16),
      col('Total', 'totalRecords', 12, INT),
      col('Imported', 'importedRecords', 12, INT),
      col('Failed', 'failedRecords', 10, INT),
      col('Skipped', 'skippedRecords', 10, INT),
      col('Progress %', 'overallProgress', 11, PCT),
      col('Rate /min', 'importRate', 11, '#,##0.0'),
      col('Quality', 'qualityScore', 9, PCT),
      col('Critical errors', 'critical', 14),
      col('Status', 'status', 13),
      col('Cutover state', 'cutoverState', 13),
      col('Reads from', 'readSource', 11),
      col('Last sample', 'lastSampleAt', 18, DATE),
      col('ETA', 'eta', 18, DATE),
      // Resources only once a job has reported them: a workbook of jobs that send none is as before.
      ...(d.resources
        ? [
            col('Bytes moved', 'bytesMoved', 14, INT),
            col('Bytes/s', 'bytesPerSecond', 12, INT),
            col('CPU s', 'cpuSeconds', 10, '#,##0.0'),
            col('Memory peak', 'memoryPeakBytes', 14, INT),
            col(`Cost (${d.resources.currency})`, 'cost', 12, '#,##0.00'),
            col('Errors by type', 'errorsByType', 40),
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
      col('Time', 't', 18, DATE),
      col('Progress %', 'p', 11, PCT),
      col('Imported', 'i', 12, INT),
      col('Rate /min', 'r', 11, '#,##0.0'),
      col('Quality', 'q', 9, PCT),
      ...(input.trends.bytesPerSecond ? [col('Bytes/s', 'b', 12, INT)] : []),
      ...(input.trends.cost ? [col('Cost to date', 'c', 12, '#,##0.00')] : []),
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
      col('Id', 'id', 10),
      col('Category', 'category', 18),
      col('Item', 'title', 50),
      col('Required', 'required', 9),
      col('Automatic', 'automated', 10),
      col('Result', 'status', 11),
      col('Decided from / notes', 'evidence', 50),
      col('By', 'updatedBy', 28),
      col('When', 'updatedAt', 18, DATE),
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
      col('Decision', 'decision', 12),
      col('Approver', 'approver', 30),
      col('Decided', 'decidedAt', 18, DATE),
      col('Recommendation then', 'recommendation', 18),
      col('Score then', 'score', 10),
      col('Risk then', 'riskLevel', 10),
      col('Comments', 'comments', 40),
      col('Conditions', 'conditions', 40),
      col('Revoked', 'revokedAt', 18, DATE),
      col('Revoke reason', 'revokeReason', 30),
    ],
    rowsOf(input.approvals, a => ({
      ...a,
      ...dates(a, 'decidedAt', 'revokedAt'),
      conditions: a.conditions.join('; '),
    })),
  );

  sheet(
    wb,
    'Alerts',
    [
      col('Severity', 'severity', 10),
      col('Type', 'alertType', 11),
      col('Title', 'title', 40),
      col('Dataset', 'dataset', 16),
      col('Status', 'status', 10),
      col('Raised', 'createdAt', 18, DATE),
      col('SLA deadline', 'targetResolutionTime', 18, DATE),
      col('Assignee', 'assignedTo', 28),
      col('Resolved', 'resolvedAt', 18, DATE),
      col('Resolution', 'resolution', 40),
      col('Message', 'message', 40),
      col('Notes', 'notes', 50),
    ],
    rowsOf(input.alerts, a => ({
      ...a,
      ...dates(a, 'createdAt', 'targetResolutionTime', 'resolvedAt'),
      notes: a.notes.map(n => n.text).join('\n'),
    })),
  );

  sheet(
    wb,
    'Timeline',
    [
      col('Phase', 'name', 32),
      col('Status', 'status', 12),
      col('Progress %', 'progressPercent', 11, PCT),
      col('Planned start', 'plannedStart', 18, DATE),
      col('Planned end', 'plannedEnd', 18, DATE),
      col('Actual start', 'actualStart', 18, DATE),
      col('Actual end', 'actualEnd', 18, DATE),
      col('Critical', 'critical', 8),
      col('Slack (days)', 'slackDays', 11),
      col('Delay (days)', 'delayDays', 11),
      col('Depends on', 'dependsOn', 24),
    ],
    rowsOf(input.timeline.phases, p => ({
      ...p,
      ...dates(p, 'plannedStart', 'plannedEnd', 'actualStart', 'actualEnd'),
      dependsOn: p.dependsOn.join(', '),
    })),
  );

  reconciliationSheets(wb, input.reconciliations ?? []);
  integritySheet(wb, input.reconciliations ?? []);
  freezeWindowSheet(wb, input.freezeWindows ?? []);

  snapshotSheets(wb, input.snapshots, input.rollbacks);

  await wb.commit();
}
