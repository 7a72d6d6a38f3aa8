// The reconciliation, integrity and freeze-window sheets of the detailed workbook.
import ExcelJS from 'exceljs';
import type {
  FreezeWindow,
  ReconciliationRun,
} from '@switchyard/plugin-cutover-common';
import {
  latestIntegrity,
  latestReconciliations,
  orderFreezeWindows,
  runTime,
} from '../reconciliationSummary';
import {
  Column,
  col,
  date,
  dates,
  DATE,
  INT,
  RATIO,
  rowsOf,
  sheet,
} from './sheet';

/** The latest result per dataset, worst first, and every dataset result of every run. */
export function reconciliationSheets(
  wb: ExcelJS.stream.xlsx.WorkbookWriter,
  runs: ReconciliationRun[],
) {
  const figures: Column[] = [
    col('Source rows', 'sourceCount', 12, INT),
    col('Destination rows', 'destinationCount', 15, INT),
    col('Missing in destination', 'missingInDestination', 14, INT),
    col('Missing in source', 'missingInSource', 12, INT),
    col('Mismatched', 'mismatched', 12, INT),
    col('Rows compared', 'rowsCompared', 13, INT),
  ];
  sheet(
    wb,
    'Reconciliation',
    [
      col('Dataset', 'dataset', 24),
      col('Level', 'outcome', 10),
      col('Drift', 'driftRatio', 10, RATIO),
      ...figures,
      col('Reconciled', 'at', 18, DATE),
      col('Run', 'runId', 38),
      col('Error', 'error', 40),
      col('Not compared', 'notes', 40),
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
      col('Run', 'runId', 38),
      col('Finished', 'at', 18, DATE),
      col('Trigger', 'trigger', 11),
      col('Run status', 'runStatus', 11),
      col('By', 'createdBy', 24),
      col('Dataset', 'name', 24),
      col('Status', 'status', 11),
      col('Level', 'level', 10),
      col('Drift', 'driftRatio', 10, RATIO),
      ...figures,
      col('Warning at', 'warning', 10, RATIO),
      col('Critical at', 'critical', 10, RATIO),
      col('Rollback at', 'rollback', 11, RATIO),
      col('Error', 'error', 40),
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
export function integritySheet(
  wb: ExcelJS.stream.xlsx.WorkbookWriter,
  runs: ReconciliationRun[],
) {
  const latest = latestIntegrity(runs);
  sheet(
    wb,
    'Integrity',
    [
      col('Check', 'kind', 14),
      col('Name', 'name', 40),
      col('Result', 'result', 11),
      col('Figures', 'figures', 36),
      col('Detail', 'detail', 60),
      col('Run', 'runId', 38),
      col('Checked', 'at', 18, DATE),
    ],
    (latest?.lines ?? []).map(l => ({
      ...l,
      runId: latest!.run.id,
      at: date(runTime(latest!.run)),
    })),
  );
}

export function freezeWindowSheet(
  wb: ExcelJS.stream.xlsx.WorkbookWriter,
  windows: FreezeWindow[],
) {
  sheet(
    wb,
    'Freeze windows',
    [
      col('Window', 'name', 28),
      col('Status', 'status', 11),
      col('Datasets', 'datasets', 36),
      col('Starts', 'startsAt', 18, DATE),
      col('Ends', 'endsAt', 18, DATE),
      col('Read switches allowed', 'allowReadSourceSwitch', 12),
      col('Planned by', 'createdBy', 24),
      col('Activated', 'activatedAt', 18, DATE),
      col('Completed', 'completedAt', 18, DATE),
      col('Cancelled', 'cancelledAt', 18, DATE),
      col('Cancel reason', 'cancelReason', 30),
      col('Description', 'description', 40),
    ],
    rowsOf(orderFreezeWindows(windows), w => ({
      ...w,
      datasets: w.datasets.join(', '),
      ...dates(
        w,
        'startsAt',
        'endsAt',
        'activatedAt',
        'completedAt',
        'cancelledAt',
      ),
    })),
  );
}
