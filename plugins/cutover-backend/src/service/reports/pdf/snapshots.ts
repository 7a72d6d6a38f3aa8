// 9. The latest snapshots.
import type { Snapshot } from '@switchyard/plugin-cutover-common';
import type { ReportCanvas } from './canvas';
import { finite, fmtDateTime, fmtInt, sentence, toDate } from './format';
import { CONTENT_W, STATUS_COLOR } from './theme';

export function drawSnapshots(c: ReportCanvas) {
  const { snapshots } = c.input;
  if (snapshots === null || snapshots === undefined) {
    c.section('Snapshots', undefined, 14);
    c.note('Snapshots: not available on this installation');
    return;
  }
  const latest = [...snapshots]
    .sort(
      (a, b) =>
        (toDate(b.createdAt)?.getTime() ?? 0) -
        (toDate(a.createdAt)?.getTime() ?? 0),
    )
    .slice(0, 5);
  c.section(
    'Snapshots',
    snapshots.length
      ? `latest ${latest.length} of ${fmtInt(snapshots.length)}`
      : undefined,
    40,
  );
  if (!snapshots.length) {
    c.note('No snapshots taken');
    return;
  }
  const total = (s: Snapshot) =>
    Object.values(s.recordCounts ?? {}).reduce(
      (sum, n) => sum + (finite(n) ? n : 0),
      0,
    );
  c.table<Snapshot>(
    'Snapshots',
    [
      { header: 'Snapshot', width: 170, text: s => s.name, bold: true },
      { header: 'Created', width: 120, text: s => fmtDateTime(s.createdAt) },
      {
        header: 'Datasets',
        width: 55,
        align: 'right',
        text: s => fmtInt(s.datasets.length),
      },
      {
        header: 'Records total',
        width: 80,
        align: 'right',
        text: s => fmtInt(total(s)),
      },
      {
        header: 'Status',
        width: CONTENT_W - 425,
        align: 'right',
        text: s => sentence(s.status),
        color: s => STATUS_COLOR[s.status],
      },
    ],
    latest,
  );
}
