// 8. Datasets, and resources and cost once jobs report them.
import type { DashboardDataset } from '@switchyard/plugin-cutover-common';
import type { ReportCanvas } from './canvas';
import {
  DASH,
  DOT,
  MONEY,
  finite,
  fmtBytes,
  fmtInt,
  fmtOne,
  plural,
  sentence,
} from './format';
import { C, CONTENT_W, STATUS_COLOR, qualityColor } from './theme';

export function drawDatasets(c: ReportCanvas) {
  const { datasets } = c.input.dashboard;
  const completed = datasets.filter(x => x.status === 'COMPLETED').length;
  const attention = datasets.filter(
    x => x.status === 'FAILED' || x.status === 'STALLED',
  ).length;
  c.section(
    'Datasets',
    `${plural(datasets.length, 'dataset')}${DOT}${fmtInt(
      completed,
    )} completed${DOT}${fmtInt(attention)} failed or stalled`,
    60,
  );
  if (!datasets.length) {
    c.note('This migration has no datasets.');
    return;
  }
  c.table<DashboardDataset>(
    'Datasets',
    [
      { header: 'Dataset', width: 158, text: x => x.name, bold: true },
      {
        header: 'Tier',
        width: 36,
        align: 'center',
        text: x => fmtInt(x.tier),
      },
      {
        header: 'Progress',
        width: 108,
        draw: (x, cx, cy, w) =>
          c.miniBar(
            x.overallProgress,
            cx,
            cy,
            w,
            STATUS_COLOR[x.status] ?? C.accent,
          ),
      },
      {
        header: 'Quality',
        width: 50,
        align: 'right',
        text: x => fmtOne(x.qualityScore),
        color: x => qualityColor(x.qualityScore),
      },
      {
        header: 'Status',
        width: 74,
        text: x => sentence(x.status),
        color: x => STATUS_COLOR[x.status],
      },
      {
        header: 'Cutover state',
        width: CONTENT_W - 426,
        text: x => sentence(x.cutoverState),
        color: x => STATUS_COLOR[x.cutoverState] ?? C.text,
      },
    ],
    datasets,
    15,
  );
}

export function drawResources(c: ReportCanvas) {
  const { dashboard: d } = c.input;
  const total = d.resources;
  if (!total) return;
  const money = (n: number | null | undefined) =>
    finite(n) ? `${MONEY.format(n)} ${total.currency}` : DASH;
  const rows = d.datasets.filter(x => x.resources);
  c.section(
    'Resources and cost',
    `${money(total.cost)} to date${DOT}${money(
      total.projectedCost,
    )} projected at completion`,
    60,
  );
  c.note(
    `${fmtBytes(total.bytesMoved)} moved${DOT}${fmtBytes(
      total.bytesPerSecond,
    )}/s now${DOT}${fmtOne(
      total.cpuSeconds,
    )} CPU seconds${DOT}memory peak ${fmtBytes(
      total.memoryPeakBytes,
    )}. Projected cost: cost to date over the share of records handled.`,
  );
  c.y += 4;
  c.table<DashboardDataset>(
    'Resources and cost',
    [
      { header: 'Dataset', width: 110, text: x => x.name, bold: true },
      {
        header: 'Moved',
        width: 62,
        align: 'right',
        text: x => fmtBytes(x.resources?.bytesMoved),
      },
      {
        header: 'Bytes/s',
        width: 62,
        align: 'right',
        text: x => fmtBytes(x.resources?.bytesPerSecond),
      },
      {
        header: 'CPU s',
        width: 50,
        align: 'right',
        text: x => fmtOne(x.resources?.cpuSeconds),
      },
      {
        header: 'Cost',
        width: 74,
        align: 'right',
        text: x => money(x.resources?.cost),
      },
      {
        header: 'Errors by type',
        width: CONTENT_W - 358,
        lines: 2,
        text: x =>
          Object.entries(x.errorsByType ?? {})
            .sort((a, b) => b[1] - a[1])
            .map(([type, n]) => `${type} ${fmtInt(n)}`)
            .join(', ') || DASH,
      },
    ],
    rows,
    24,
  );
}
