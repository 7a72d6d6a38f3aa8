// 2. Quality by dimension and progress over time, side by side.
import { DEFAULT_READINESS_THRESHOLDS } from '@switchyard/plugin-cutover-common';
import type { ReportCanvas } from './canvas';
import { chartFrame, dashedLine, emptyPlot, timeAxis } from './chartKit';
import { DASH, clamp, finite, fmtOne, fmtPct, plural, toDate } from './format';
import { C, CONTENT_W, MARGIN_X, qualityColor } from './theme';

export function drawCharts(c: ReportCanvas) {
  const gap = 18;
  const w = (CONTENT_W - gap) / 2;
  const h = 150;
  c.ensure(h + 24);
  const top = c.y;
  const { trends } = c.input;
  c.put('Data quality by dimension', MARGIN_X, top, {
    font: 'bold',
    size: 10,
    color: C.ink,
    width: w,
  });
  c.put('Progress over time', MARGIN_X + w + gap, top, {
    font: 'bold',
    size: 10,
    color: C.ink,
    width: w * 0.55,
  });
  const window = [
    trends.range && `last ${trends.range}`,
    trends.bucket && `${trends.bucket} buckets`,
  ]
    .filter(Boolean)
    .join(', ');
  if (window)
    c.put(window, MARGIN_X + w + gap + w * 0.55, top + 1.5, {
      size: 7.5,
      color: C.muted,
      width: w * 0.45,
      align: 'right',
    });
  qualityChart(c, MARGIN_X, top + 18, w, h);
  progressChart(c, MARGIN_X + w + gap, top + 18, w, h);
  c.y = top + 18 + h + 6;
}

function qualityChart(
  c: ReportCanvas,
  x0: number,
  y0: number,
  w: number,
  h: number,
) {
  const { doc } = c;
  const d = c.input.dashboard;
  const dims: Array<[string, number | null]> = [
    ['Completeness', d.completeness],
    ['Validity', d.validity],
    ['Consistency', d.consistency],
    ['Accuracy', d.accuracy],
  ];
  chartFrame(c, x0, y0, w, h);
  const labelW = 66;
  const valueW = 36;
  const plotX = x0 + 10 + labelW;
  const plotW = w - 20 - labelW - valueW;
  const plotTop = y0 + 16;
  const plotH = h - 40;
  const rowH = plotH / dims.length;
  const xAt = (v: number) => plotX + (plotW * clamp(v, 0, 100)) / 100;

  for (const tick of [0, 25, 50, 75, 100]) {
    const tx = xAt(tick);
    doc
      .moveTo(tx, plotTop)
      .lineTo(tx, plotTop + plotH)
      .lineWidth(0.5)
      .strokeColor(tick === 0 ? C.faint : C.rule)
      .stroke();
    c.put(String(tick), tx - 10, plotTop + plotH + 4, {
      size: 6.5,
      color: C.muted,
      width: 20,
      align: 'center',
    });
  }
  const go = DEFAULT_READINESS_THRESHOLDS.qualityGo;
  dashedLine(c, [xAt(go), plotTop - 6], [xAt(go), plotTop + plotH], {
    width: 0.8,
    color: C.green,
    dash: 2,
    space: 2,
  });
  c.put(`GO ${go}`, xAt(go) - 20, plotTop - 13, {
    font: 'bold',
    size: 6,
    color: C.green,
    width: 40,
    align: 'center',
  });

  dims.forEach(([name, value], i) => {
    const cy = plotTop + i * rowH + rowH / 2;
    c.put(name, x0 + 10, cy - 3.5, {
      size: 8,
      color: C.text,
      width: labelW - 4,
    });
    if (!finite(value)) {
      doc.save();
      doc
        .rect(plotX, cy - 6, plotW, 12)
        .lineWidth(0.6)
        .strokeColor(C.faint)
        .dash(2, { space: 2 })
        .stroke();
      doc.restore();
      doc.undash();
      c.put('no data', plotX + 6, cy - 3.5, {
        font: 'italic',
        size: 7.5,
        color: C.muted,
      });
      c.put(DASH, plotX + plotW + 4, cy - 3.5, {
        size: 8,
        color: C.muted,
        width: valueW - 4,
        align: 'right',
      });
      return;
    }
    const color = qualityColor(value);
    if (value > 0)
      doc.rect(plotX, cy - 6, Math.max(1, xAt(value) - plotX), 12).fill(color);
    c.put(fmtOne(value), plotX + plotW + 4, cy - 3.5, {
      font: 'bold',
      size: 8,
      color,
      width: valueW - 4,
      align: 'right',
    });
  });
}

function progressChart(
  c: ReportCanvas,
  x0: number,
  y0: number,
  w: number,
  h: number,
) {
  const { doc, input } = c;
  const { trends } = input;
  chartFrame(c, x0, y0, w, h);
  const plotX = x0 + 34;
  const plotY = y0 + 12;
  const plotW = w - 34 - 12;
  const plotH = h - 12 - 30;
  const yAt = (v: number) => plotY + plotH - (plotH * clamp(v, 0, 100)) / 100;
  for (const tick of [0, 25, 50, 75, 100]) {
    const ty = yAt(tick);
    c.hline(plotX, plotX + plotW, ty, tick === 0 ? C.faint : C.rule);
    c.put(`${tick}%`, x0 + 4, ty - 3, {
      size: 6.5,
      color: C.muted,
      width: 26,
      align: 'right',
    });
  }
  doc
    .moveTo(plotX, plotY)
    .lineTo(plotX, plotY + plotH)
    .lineWidth(0.5)
    .strokeColor(C.faint)
    .stroke();

  const points: Array<{ t: number; v: number }> = [];
  const count = Math.min(
    trends.timestamps.length,
    trends.progressPercent.length,
  );
  for (let i = 0; i < count; i++) {
    const t = Date.parse(trends.timestamps[i]);
    const v = trends.progressPercent[i];
    if (Number.isFinite(t) && finite(v))
      points.push({ t, v: clamp(v, 0, 100) });
  }
  points.sort((a, b) => a.t - b.t);
  if (!points.length) {
    emptyPlot(c, 'No samples yet', plotX, plotY + plotH / 2 - 6, plotW);
    c.put(
      'Progress appears here once jobs report metrics.',
      plotX,
      plotY + plotH / 2 + 7,
      { size: 7, color: C.faint, width: plotW, align: 'center' },
    );
    return;
  }
  const t0 = points[0].t;
  const t1 = points[points.length - 1].t;
  const span = t1 - t0;
  const xAt = (t: number) =>
    span > 0 ? plotX + (plotW * (t - t0)) / span : plotX + plotW / 2;

  // The plan, as a straight line from 0% at the planned start to 100% at the planned end.
  const ps = toDate(
    input.dashboard.plannedStart ?? input.migration.plannedStart,
  );
  const pe = toDate(input.dashboard.plannedEnd ?? input.migration.plannedEnd);
  let plan = false;
  if (span > 0 && ps && pe && pe.getTime() > ps.getTime()) {
    const planAt = (t: number) =>
      ((t - ps.getTime()) / (pe.getTime() - ps.getTime())) * 100;
    const a = planAt(t0);
    const b = planAt(t1);
    if (!(a > 100 && b > 100) && !(a < 0 && b < 0)) {
      plan = true;
      doc.save();
      doc.rect(plotX, plotY, plotW, plotH).clip();
      // Unclamped ends so the slope stays true; the clip keeps it inside the plot.
      doc
        .moveTo(plotX, plotY + plotH - (plotH * a) / 100)
        .lineTo(plotX + plotW, plotY + plotH - (plotH * b) / 100)
        .lineWidth(1)
        .strokeColor(C.faint)
        .dash(3, { space: 2 })
        .stroke();
      doc.restore();
      doc.undash();
    }
  }

  if (points.length > 1) {
    doc.save();
    doc.moveTo(xAt(points[0].t), yAt(0));
    for (const p of points) doc.lineTo(xAt(p.t), yAt(p.v));
    doc
      .lineTo(xAt(t1), yAt(0))
      .closePath()
      .fillOpacity(0.35)
      .fill(C.accentSoft);
    doc.restore();
    doc.moveTo(xAt(points[0].t), yAt(points[0].v));
    for (const p of points.slice(1)) doc.lineTo(xAt(p.t), yAt(p.v));
    doc.lineWidth(1.5).lineJoin('round').strokeColor(C.accent).stroke();
  }
  const last = points[points.length - 1];
  doc.circle(xAt(last.t), yAt(last.v), 2.5).fill(C.accent);
  const labelY = clamp(yAt(last.v) - 12, plotY - 8, plotY + plotH - 10);
  c.put(fmtPct(last.v), xAt(last.t) - 60, labelY, {
    font: 'bold',
    size: 7.5,
    color: C.accent,
    width: 56,
    align: 'right',
  });

  const axisY = plotY + plotH + 4;
  timeAxis(c, plotX, plotW, axisY, t0, t1);
  // Legend.
  const ly = y0 + h - 11;
  doc
    .moveTo(plotX, ly + 3)
    .lineTo(plotX + 14, ly + 3)
    .lineWidth(1.5)
    .strokeColor(C.accent)
    .stroke();
  c.put(`Actual (${plural(points.length, 'sample')})`, plotX + 18, ly, {
    size: 6.5,
    color: C.muted,
  });
  if (plan) {
    const px = plotX + plotW / 2 + 10;
    dashedLine(c, [px, ly + 3], [px + 14, ly + 3], {
      width: 1,
      color: C.faint,
      dash: 3,
      space: 2,
    });
    c.put('Plan (linear)', px + 18, ly, { size: 6.5, color: C.muted });
  }
}
