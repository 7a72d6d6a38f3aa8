// 6. Reconciliation: outcomes, the drift chart, the latest result per dataset and integrity.
import type { ReconciliationRun } from '@switchyard/plugin-cutover-common';
import {
  type IntegrityLine,
  type LatestReconciliation,
  OUTCOME_ORDER,
  latestIntegrity,
  latestReconciliations,
  outcomeCounts,
  runTime,
} from '../reconciliationSummary';
import type { ReportCanvas } from './canvas';
import { driftChart } from './driftChart';
import {
  DASH,
  DOT,
  fmtDateTime,
  fmtInt,
  fmtRatio,
  fmtShort,
  plural,
} from './format';
import {
  C,
  CONTENT_W,
  MARGIN_X,
  MAX_RECONCILED_ROWS,
  OUTCOME_COLOR,
} from './theme';

export function drawReconciliation(c: ReportCanvas) {
  const runs = c.input.reconciliations;
  if (runs === null || runs === undefined) return;
  const latest = latestReconciliations(runs);
  const connected = !!(
    c.input.migration.source?.connection &&
    c.input.migration.destination?.connection
  );
  const newest = latest.reduce<string | null>(
    (acc, x) => (acc === null || x.at > acc ? x.at : acc),
    null,
  );
  c.section(
    'Reconciliation',
    runs.length
      ? `${plural(runs.length, 'run')}${DOT}latest ${fmtDateTime(newest)}`
      : undefined,
    latest.length ? 212 : 14,
  );
  if (!latest.length) {
    c.note(
      connected
        ? 'No reconciliation has finished yet.'
        : 'Reconciliation compares source and destination once the plan names their connections.',
    );
    return;
  }

  // Where every dataset stands, in one line.
  const counts = outcomeCounts(latest);
  const notYet = c.input.migration.datasets.filter(
    d => !latest.some(x => x.dataset === d.name),
  ).length;
  let x = MARGIN_X;
  for (const outcome of OUTCOME_ORDER) {
    if (!counts[outcome]) continue;
    x +=
      c.pill(
        `${fmtInt(counts[outcome])} ${outcome}`,
        x,
        c.y,
        OUTCOME_COLOR[outcome],
      ) + 6;
  }
  const reconciled = `${plural(latest.length, 'dataset')} reconciled${
    notYet ? `${DOT}${fmtInt(notYet)} not yet` : ''
  }`;
  c.put(reconciled, x + 4, c.y + 1.5, {
    size: 8,
    color: C.muted,
    width: MARGIN_X + CONTENT_W - x - 4,
  });
  c.y += 20;

  driftChart(c, runs, MARGIN_X, c.y, CONTENT_W, 180);
  c.y += 180 + 12;

  const shown = latest.slice(0, MAX_RECONCILED_ROWS);
  c.subheading(
    shown.length < latest.length
      ? `Latest result per dataset, worst ${shown.length} of ${fmtInt(
          latest.length,
        )} (all in the detailed workbook)`
      : 'Latest result per dataset, worst first',
    17 + 16 * Math.min(3, shown.length),
  );
  c.table<LatestReconciliation>(
    'Reconciliation',
    [
      { header: 'Dataset', width: 104, text: r => r.dataset, bold: true },
      {
        header: 'Level',
        width: 62,
        draw: (r, cx, cy) =>
          c.pill(r.outcome, cx, cy - 2, OUTCOME_COLOR[r.outcome], {
            width: 54,
          }),
      },
      {
        header: 'Drift',
        width: 50,
        align: 'right',
        text: r => fmtRatio(r.result.driftRatio),
        color: r => OUTCOME_COLOR[r.outcome],
        bold: true,
      },
      {
        header: 'Source',
        width: 54,
        align: 'right',
        text: r => fmtInt(r.result.sourceCount),
      },
      {
        header: 'Dest.',
        width: 54,
        align: 'right',
        text: r => fmtInt(r.result.destinationCount),
      },
      {
        header: 'Missing',
        width: 54,
        align: 'right',
        text: r =>
          r.result.missingInDestination === null &&
          r.result.missingInSource === null
            ? DASH
            : `${fmtInt(r.result.missingInDestination)} / ${fmtInt(
                r.result.missingInSource,
              )}`,
      },
      {
        header: 'Differ',
        width: 42,
        align: 'right',
        text: r => fmtInt(r.result.mismatched),
      },
      {
        header: 'When',
        width: CONTENT_W - 420,
        align: 'right',
        text: r => fmtShort(r.at),
        color: () => C.muted,
      },
    ],
    shown,
  );
  const failed = shown.filter(r => r.result.error);
  c.y += 4;
  c.ensure(12);
  c.put(
    'Missing: rows missing in the destination / in the source. Differ: rows whose compared columns differ. Drift: share of rows that differ.',
    MARGIN_X,
    c.y,
    { size: 7, color: C.muted, width: CONTENT_W },
  );
  c.y += 12;
  for (const r of failed.slice(0, 5)) {
    c.ensure(12);
    c.put(`${r.dataset}: ${r.result.error}`, MARGIN_X, c.y, {
      size: 7.5,
      color: OUTCOME_COLOR.FAILED,
      width: CONTENT_W,
    });
    c.y += 12;
  }
  integrity(c, runs);
}

/** Foreign-key relations and golden queries of the newest run that checked them. */
function integrity(c: ReportCanvas, runs: ReconciliationRun[]) {
  const latest = latestIntegrity(runs);
  if (!latest || !latest.lines.length) return;
  c.y += 6;
  c.subheading(
    `Integrity (reconciliation of ${fmtDateTime(runTime(latest.run))})`,
    17 + 16 * Math.min(3, latest.lines.length),
  );
  const color = (result: string) =>
    result === 'OK' || result === 'EQUAL'
      ? OUTCOME_COLOR.OK
      : OUTCOME_COLOR.CRITICAL;
  c.table<IntegrityLine>(
    'Integrity',
    [
      { header: 'Check', width: 70, text: l => l.kind, color: () => C.muted },
      { header: 'Name', width: 150, text: l => l.name, bold: true },
      {
        header: 'Result',
        width: 66,
        draw: (l, cx, cy) =>
          c.pill(l.result, cx, cy - 2, color(l.result), { width: 58 }),
      },
      { header: 'Figures', width: 130, text: l => l.figures },
      {
        header: 'Detail',
        width: CONTENT_W - 416,
        text: l => l.detail,
        color: () => C.muted,
      },
    ],
    latest.lines.slice(0, 20),
  );
}
