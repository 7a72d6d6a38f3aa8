// 5. Schedule figures, phases and delays.
import type { TimelinePhase } from '@switchyard/plugin-cutover-common';
import type { ReportCanvas } from './canvas';
import {
  DASH,
  DOT,
  finite,
  fmtDate,
  fmtDays,
  fmtInt,
  fmtOne,
  plural,
  sentence,
  toDate,
} from './format';
import { C, CONTENT_W, MARGIN_X, STATUS_COLOR } from './theme';

export function drawTimeline(c: ReportCanvas) {
  const { timeline: t } = c.input;
  const v = t.scheduleVarianceDays;
  let varianceText = 'on schedule';
  let varianceColor = C.green;
  if (finite(v) && v >= 0.05) {
    varianceText = `+${fmtDays(v)} (behind plan)`;
    varianceColor = C.red;
  } else if (finite(v) && v <= -0.05) {
    varianceText = `-${fmtDays(v)} (ahead of plan)`;
  }
  const done = t.phases.filter(p => p.status === 'COMPLETED').length;
  const phasesHeight = t.phases.length ? 17 + 16 * t.phases.length : 14;
  const notes =
    (t.criticalPath.length ? 14 : 0) + (t.milestones?.length ? 14 : 0);
  c.section(
    'Timeline',
    `${fmtInt(done)} of ${plural(t.phases.length, 'phase')} completed`,
    Math.min(32 + notes + phasesHeight, 360),
  );

  // Key schedule figures in a row.
  const facts: Array<[string, string, string]> = [
    ['Schedule variance', varianceText, varianceColor],
    ['Predicted completion', fmtDate(t.predictedCompletion), C.ink],
    ['Planned end', fmtDate(t.plannedEnd), C.ink],
    [
      'Delays',
      t.delays.length ? plural(t.delays.length, 'late item') : 'none',
      t.delays.length ? C.red : C.green,
    ],
  ];
  const fw = CONTENT_W / facts.length;
  c.ensure(34);
  facts.forEach(([name, value, color], i) => {
    c.put(name.toUpperCase(), MARGIN_X + i * fw, c.y, {
      font: 'bold',
      size: 6.5,
      color: C.muted,
      width: fw - 8,
      spacing: 0.5,
    });
    c.put(value, MARGIN_X + i * fw, c.y + 10, {
      font: 'bold',
      size: 10,
      color,
      width: fw - 8,
    });
  });
  c.y += 30;

  const byId = new Map(t.phases.map(p => [p.id, p.name]));
  if (t.criticalPath.length) {
    c.ensure(14);
    c.put(
      `Critical path: ${t.criticalPath
        .map(id => byId.get(id) ?? id)
        .join(' > ')}`,
      MARGIN_X,
      c.y,
      { size: 8, color: C.muted, width: CONTENT_W },
    );
    c.y += 14;
  }
  const milestones = t.milestones ?? [];
  if (milestones.length) {
    const next = milestones
      .filter(m => !m.completed)
      .sort(
        (a, b) =>
          (toDate(a.plannedDate)?.getTime() ?? Infinity) -
          (toDate(b.plannedDate)?.getTime() ?? Infinity),
      )[0];
    const reached = milestones.filter(m => m.completed).length;
    c.ensure(14);
    c.put(
      `Milestones: ${fmtInt(reached)} of ${fmtInt(milestones.length)} reached${
        next ? `${DOT}next: ${next.name} (${fmtDate(next.plannedDate)})` : ''
      }`,
      MARGIN_X,
      c.y,
      {
        size: 8,
        color: C.muted,
        width: CONTENT_W,
      },
    );
    c.y += 14;
  }
  c.y += 2;

  if (!t.phases.length) {
    c.note('No phases are planned for this migration.');
  } else {
    c.table<TimelinePhase>(
      'Timeline',
      [
        {
          header: 'Phase',
          width: 150,
          text: p => `${p.name}${p.critical ? ' (critical)' : ''}`,
          bold: true,
        },
        {
          header: 'Status',
          width: 78,
          text: p => sentence(p.status),
          color: p => STATUS_COLOR[p.status],
        },
        {
          header: 'Progress',
          width: 100,
          draw: (p, x, y, w) =>
            c.miniBar(
              p.progressPercent,
              x,
              y,
              w,
              STATUS_COLOR[p.status] ?? C.accent,
            ),
        },
        {
          header: 'Planned end',
          width: 70,
          text: p => fmtDate(p.plannedEnd),
        },
        {
          header: 'Delay',
          width: 52,
          align: 'right',
          text: p =>
            finite(p.delayDays) && p.delayDays > 0
              ? `${fmtOne(p.delayDays)} d`
              : DASH,
          color: p =>
            finite(p.delayDays) && p.delayDays > 0 ? C.red : C.muted,
        },
        {
          header: 'Slack',
          width: CONTENT_W - 450,
          align: 'right',
          text: p => `${fmtOne(p.slackDays)} d`,
          color: () => C.muted,
        },
      ],
      t.phases,
    );
  }

  if (t.delays.length) {
    c.y += 8;
    c.subheading('Delays', 40);
    c.table(
      'Delays',
      [
        {
          header: 'Late item',
          width: 200,
          text: x => `${x.name} (${x.kind})`,
          bold: true,
        },
        {
          header: 'Planned end',
          width: 110,
          text: x => fmtDate(x.plannedEnd),
        },
        {
          header: 'Expected end',
          width: 110,
          text: x => fmtDate(x.expectedEnd),
        },
        {
          header: 'Late by',
          width: CONTENT_W - 420,
          align: 'right',
          text: x => fmtDays(x.delayDays),
          color: () => C.red,
        },
      ],
      [...t.delays].sort((a, b) => b.delayDays - a.delayDays),
    );
  }
}
