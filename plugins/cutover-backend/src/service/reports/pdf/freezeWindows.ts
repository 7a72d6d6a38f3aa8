// 7. Freeze windows.
import type { FreezeWindow } from '@switchyard/plugin-cutover-common';
import { orderFreezeWindows } from '../reconciliationSummary';
import type { ReportCanvas } from './canvas';
import { DOT, fmtInt, fmtShort, label, plural } from './format';
import { C, CONTENT_W, FREEZE_COLOR, MAX_FREEZE_ROWS } from './theme';

export function drawFreezeWindows(c: ReportCanvas) {
  const windows = c.input.freezeWindows;
  if (windows === null || windows === undefined) return;
  const ordered = orderFreezeWindows(windows);
  const count = (status: string) =>
    windows.filter(w => w.status === status).length;
  c.section(
    'Freeze windows',
    windows.length
      ? `${fmtInt(count('ACTIVE'))} active${DOT}${fmtInt(
          count('PLANNED'),
        )} planned${DOT}${plural(windows.length, 'window')}`
      : undefined,
    windows.length ? 17 + 26 * Math.min(3, windows.length) : 14,
  );
  if (!windows.length) {
    c.note('No freeze windows are planned.');
    return;
  }
  const shown = ordered.slice(0, MAX_FREEZE_ROWS);
  c.table<FreezeWindow>(
    'Freeze windows',
    [
      {
        header: 'Window',
        width: 120,
        text: w => w.name,
        bold: true,
        lines: 2,
      },
      {
        header: 'Status',
        width: 78,
        draw: (w, cx, cy) =>
          c.pill(
            label(w.status),
            cx,
            cy - 2,
            FREEZE_COLOR[w.status] ?? C.grey,
            {
              width: 66,
            },
          ),
      },
      {
        header: 'Datasets',
        width: 157,
        text: w => w.datasets.join(', '),
        lines: 2,
      },
      { header: 'Starts', width: 72, text: w => fmtShort(w.startsAt) },
      {
        header: 'Ends',
        width: CONTENT_W - 427,
        text: w => fmtShort(w.endsAt),
      },
    ],
    shown,
    26,
  );
  if (shown.length < ordered.length) {
    c.y += 4;
    c.note(
      `${fmtInt(
        ordered.length - shown.length,
      )} older windows are in the detailed workbook.`,
    );
  }
}
