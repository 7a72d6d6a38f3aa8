// 1. The status headline: recommendation, KPI tiles and the overall progress bar.
import type { ReportCanvas } from './canvas';
import {
  DASH,
  DOT,
  clamp,
  finite,
  fmtDate,
  fmtDateTime,
  fmtDays,
  fmtDuration,
  fmtInt,
  fmtOne,
  fmtPct,
  fmtShort,
  label,
  plural,
  toDate,
} from './format';
import {
  C,
  CONTENT_W,
  MARGIN_X,
  RECOMMENDATION,
  RISK_COLOR,
  qualityColor,
} from './theme';

export function drawHeadline(c: ReportCanvas) {
  const { input } = c;
  const { readiness: r, dashboard: d, timeline } = input;
  const rec = RECOMMENDATION[r.recommendation] ?? {
    label: label(String(r.recommendation)),
    color: C.grey,
  };
  const top = c.y;

  // Recommendation badge.
  const badgeW = 176;
  const badgeH = 58;
  c.doc.roundedRect(MARGIN_X, top, badgeW, badgeH, 6).fill(rec.color);
  c.put('RECOMMENDATION', MARGIN_X + 14, top + 11, {
    font: 'bold',
    size: 7,
    color: '#FFFFFF',
    spacing: 0.8,
  });
  let size = 19;
  while (size > 11 && c.text.width(rec.label, 'bold', size) > badgeW - 28)
    size -= 1;
  c.put(rec.label, MARGIN_X + 14, top + 24 + (19 - size) / 2, {
    font: 'bold',
    size,
    color: '#FFFFFF',
    width: badgeW - 28,
  });

  // What stands behind it, in words.
  const x = MARGIN_X + badgeW + 16;
  const w = CONTENT_W - badgeW - 16;
  const critical = r.blockers.filter(b => b.severity === 'CRITICAL').length;
  const high = r.blockers.length - critical;
  const verdict = r.ready ? 'Ready for cutover' : 'Not ready for cutover';
  c.put(verdict, x, top + 4, {
    font: 'bold',
    size: 13,
    color: C.ink,
    width: w,
  });
  const blockerText = r.blockers.length
    ? `${plural(r.blockers.length, 'blocker')} (${fmtInt(
        critical,
      )} critical, ${fmtInt(high)} high)`
    : 'No blockers';
  const criticalAlerts = input.alerts.filter(
    a => a.severity === 'CRITICAL',
  ).length;
  const alertText = `${plural(input.alerts.length, 'open alert')}${
    criticalAlerts ? ` (${fmtInt(criticalAlerts)} critical)` : ''
  }`;
  c.put(
    `${blockerText}${DOT}${alertText}${DOT}${plural(
      r.warnings.length,
      'warning',
    )}`,
    x,
    top + 23,
    { size: 8.5, color: C.text, width: w },
  );
  const v = timeline.scheduleVarianceDays;
  let schedule = 'On schedule';
  if (finite(v) && v >= 0.05) schedule = `${fmtDays(v)} behind plan`;
  else if (finite(v) && v <= -0.05) schedule = `${fmtDays(v)} ahead of plan`;
  const approval = r.approval
    ? `Approval: ${label(r.approval.status).toLowerCase()} (${fmtInt(
        r.approval.granted,
      )} of ${fmtInt(r.approval.required)})`
    : '';
  c.put([schedule, approval].filter(Boolean).join(DOT), x, top + 36, {
    size: 8.5,
    color: C.text,
    width: w,
  });
  c.put(`Readiness evaluated ${fmtDateTime(r.evaluatedAt)}`, x, top + 49, {
    size: 7.5,
    color: C.muted,
    width: w,
  });
  c.y = top + badgeH + 12;

  // KPI tiles, four to a row.
  const gap = 8;
  const tileW = (CONTENT_W - 3 * gap) / 4;
  const tileH = 54;
  const eta = toDate(d.estimatedCompletion);
  const qualityTrend = d.qualityTrend ? `trend ${d.qualityTrend}` : '';
  let varianceColor = C.green;
  if (finite(v) && v >= 0.05) varianceColor = C.red;
  let varianceText = 'on plan';
  if (finite(v) && Math.abs(v) >= 0.05)
    varianceText = `${v > 0 ? '+' : '-'}${fmtDays(v)}`;
  const tiles: Array<{
    label: string;
    value: string;
    sub: string;
    color?: string;
  }> = [
    {
      label: 'Risk level',
      value: label(r.riskLevel),
      sub: `${plural(r.blockers.length, 'blocker')}`,
      color: RISK_COLOR[r.riskLevel],
    },
    {
      label: 'Readiness score',
      value: `${fmtInt(r.score)} / 100`,
      sub: r.ready ? 'ready' : 'not ready',
      color: C.ink,
    },
    {
      label: 'Overall progress',
      value: fmtPct(d.overallProgress),
      sub: `${plural(d.datasets.length, 'dataset')}`,
      color: C.ink,
    },
    {
      label: 'Quality score',
      value: fmtOne(d.qualityScore),
      sub: qualityTrend || 'no data',
      color: qualityColor(d.qualityScore),
    },
    {
      label: 'Records imported',
      value: fmtInt(d.importedRecords),
      sub: `of ${fmtInt(d.totalRecords)} total`,
      color: C.ink,
    },
    {
      label: 'Import rate',
      value: `${fmtInt(d.importRate)} /min`,
      sub: 'records per minute, recent',
      color: C.ink,
    },
    {
      label: 'Estimated completion',
      value: eta ? fmtShort(eta) : DASH,
      sub: eta
        ? `${fmtDate(eta)}${
            eta.getTime() > c.now
              ? `, in ${fmtDuration(eta.getTime() - c.now)}`
              : ''
          }`
        : 'not enough data yet',
      color: C.ink,
    },
    {
      label: 'Schedule variance',
      value: varianceText,
      sub: `predicted end ${fmtDate(timeline.predictedCompletion)}`,
      color: varianceColor,
    },
  ];
  tiles.forEach((t, i) => {
    const tx = MARGIN_X + (i % 4) * (tileW + gap);
    const ty = c.y + Math.floor(i / 4) * (tileH + gap);
    c.doc.roundedRect(tx, ty, tileW, tileH, 4).fill(C.panel);
    c.doc
      .rect(tx, ty + 8, 2.5, tileH - 16)
      .fill(t.color === C.ink ? C.accent : t.color ?? C.accent);
    c.put(t.label.toUpperCase(), tx + 11, ty + 9, {
      font: 'bold',
      size: 6.5,
      color: C.muted,
      width: tileW - 18,
      spacing: 0.5,
    });
    let vs = 15;
    while (vs > 9 && c.text.width(t.value, 'bold', vs) > tileW - 18) vs -= 0.5;
    c.put(t.value, tx + 11, ty + 21 + (15 - vs) / 2, {
      font: 'bold',
      size: vs,
      color: t.color ?? C.ink,
      width: tileW - 18,
    });
    c.put(t.sub, tx + 11, ty + 40, {
      size: 7,
      color: C.muted,
      width: tileW - 18,
    });
  });
  c.y += 2 * tileH + gap + 16;
}

export function drawProgressBar(c: ReportCanvas) {
  const { dashboard: d } = c.input;
  const top = c.y;
  c.put('Overall progress', MARGIN_X, top + 3, {
    font: 'bold',
    size: 10,
    color: C.ink,
  });
  c.put(
    `${fmtPct(d.overallProgress)} complete`,
    MARGIN_X + CONTENT_W - 200,
    top,
    {
      font: 'bold',
      size: 13,
      color: C.accent,
      width: 200,
      align: 'right',
    },
  );
  const barY = top + 20;
  const barH = 14;
  const p = finite(d.overallProgress) ? clamp(d.overallProgress, 0, 100) : 0;
  c.doc.roundedRect(MARGIN_X, barY, CONTENT_W, barH, barH / 2).fill(C.track);
  if (p > 0)
    c.doc
      .roundedRect(
        MARGIN_X,
        barY,
        Math.max(barH, (CONTENT_W * p) / 100),
        barH,
        barH / 2,
      )
      .fill(C.accent);
  for (const tick of [25, 50, 75]) {
    const tx = MARGIN_X + (CONTENT_W * tick) / 100;
    c.doc
      .moveTo(tx, barY + 3)
      .lineTo(tx, barY + barH - 3)
      .lineWidth(0.75)
      .strokeColor('#FFFFFF')
      .strokeOpacity(0.6)
      .stroke();
    c.doc.strokeOpacity(1);
  }

  // Where the plan says progress should be by now, from the planned start and end.
  const start = toDate(d.plannedStart ?? c.input.migration.plannedStart);
  const end = toDate(d.plannedEnd ?? c.input.migration.plannedEnd);
  const detail = `${fmtInt(d.importedRecords)} of ${fmtInt(
    d.totalRecords,
  )} records imported${DOT}${fmtInt(d.failedRecords)} failed${DOT}${fmtInt(
    d.skippedRecords,
  )} skipped`;
  c.put(detail, MARGIN_X, barY + barH + 6, {
    size: 8,
    color: C.muted,
    width: CONTENT_W * 0.62,
  });
  if (start && end && end.getTime() > start.getTime()) {
    const planned = clamp(
      ((c.now - start.getTime()) / (end.getTime() - start.getTime())) * 100,
      0,
      100,
    );
    const px = MARGIN_X + (CONTENT_W * planned) / 100;
    c.doc
      .moveTo(px, barY - 3)
      .lineTo(px, barY + barH + 3)
      .lineWidth(1.5)
      .strokeColor(C.ink)
      .stroke();
    const text = `Plan by now: ${fmtPct(planned)}`;
    const tw = c.text.width(text, 'bold', 7.5);
    const tx = clamp(
      px - tw / 2,
      MARGIN_X + CONTENT_W * 0.64,
      MARGIN_X + CONTENT_W - tw,
    );
    c.put(text, tx, barY + barH + 6, {
      font: 'bold',
      size: 7.5,
      color: C.ink,
    });
  }
  c.y = barY + barH + 24;
}
