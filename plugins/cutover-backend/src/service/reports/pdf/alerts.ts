// 4. The top open alerts.
import {
  ALERT_SEVERITIES,
  type Alert,
} from '@switchyard/plugin-cutover-common';
import type { ReportCanvas } from './canvas';
import {
  DASH,
  DOT,
  fmtDuration,
  fmtInt,
  fmtShort,
  plural,
  toDate,
} from './format';
import { C, CONTENT_W, MARGIN_X, SEVERITY_COLOR } from './theme';

export function drawAlerts(c: ReportCanvas) {
  // Worst first as given; a stable sort by severity guards the order without undoing the caller's.
  const rank = (a: Alert) => ALERT_SEVERITIES.indexOf(a.severity);
  const alerts = [...c.input.alerts].sort((a, b) => rank(a) - rank(b));
  const top = alerts.slice(0, 10);
  const overdue = alerts.filter(
    a => (toDate(a.targetResolutionTime)?.getTime() ?? Infinity) < c.now,
  ).length;
  const note = alerts.length
    ? `${top.length < alerts.length ? `top ${top.length} of ` : ''}${plural(
        alerts.length,
        'open alert',
      )}${DOT}${fmtInt(overdue)} past SLA`
    : undefined;
  // Short enough to keep on one page with its heading.
  c.section(
    'Top open alerts',
    note,
    alerts.length ? 14 + 17 + top.length * 26 : 14,
  );
  if (!alerts.length) {
    c.note('No open alerts.', C.green);
    return;
  }
  const counts = ALERT_SEVERITIES.map(
    s =>
      `${fmtInt(
        alerts.filter(a => a.severity === s).length,
      )} ${s.toLowerCase()}`,
  ).join(DOT);
  c.put(`Open alerts by severity: ${counts}`, MARGIN_X, c.y, {
    size: 8,
    color: C.muted,
    width: CONTENT_W,
  });
  c.y += 14;
  c.table<Alert>(
    'Top open alerts',
    [
      {
        header: 'Severity',
        width: 66,
        draw: (a, x, y) =>
          c.pill(a.severity, x, y - 2, SEVERITY_COLOR[a.severity] ?? C.grey, {
            width: 54,
          }),
      },
      {
        header: 'Alert',
        width: 200,
        text: a => a.title,
        bold: true,
        lines: 2,
      },
      { header: 'Dataset', width: 84, text: a => a.dataset ?? DASH },
      {
        header: 'Age',
        width: 44,
        align: 'right',
        text: a =>
          fmtDuration(c.now - (toDate(a.createdAt)?.getTime() ?? c.now)),
      },
      {
        header: 'SLA deadline',
        width: CONTENT_W - 394,
        align: 'right',
        text: a => {
          const due = toDate(a.targetResolutionTime);
          if (!due) return DASH;
          return due.getTime() < c.now
            ? `${fmtShort(due)}\noverdue by ${fmtDuration(
                c.now - due.getTime(),
              )}`
            : fmtShort(due);
        },
        lines: 2,
        color: a =>
          (toDate(a.targetResolutionTime)?.getTime() ?? Infinity) < c.now
            ? C.red
            : undefined,
      },
    ],
    top,
    26,
  );
}
