// The drift-over-time chart of the reconciliation section.
import type { ReconciliationRun } from '@switchyard/plugin-cutover-common';
import { currentThresholds, driftSeries } from '../reconciliationSummary';
import type { ReportCanvas } from './canvas';
import { chartFrame, dashedLine, emptyPlot, timeAxis } from './chartKit';
import { clamp, fmtInt, fmtRatio, niceCeil, plural } from './format';
import { C, OUTCOME_COLOR, SERIES_STYLE } from './theme';

/** Drift ratio over time for the datasets that drifted most, with the thresholds. */
export function driftChart(
  c: ReportCanvas,
  runs: ReconciliationRun[],
  x0: number,
  y0: number,
  w: number,
  h: number,
) {
  const { doc } = c;
  const { series, datasets } = driftSeries(runs, SERIES_STYLE.length);
  const thresholds = currentThresholds(runs);
  chartFrame(c, x0, y0, w, h);
  c.put('Drift over time', x0 + 10, y0 + 8, {
    font: 'bold',
    size: 9,
    color: C.ink,
    width: w / 2,
  });
  c.put(
    datasets > series.length
      ? `the ${series.length} of ${fmtInt(datasets)} datasets that drifted most`
      : `${plural(datasets, 'dataset')}`,
    x0 + w / 2,
    y0 + 9,
    { size: 7, color: C.muted, width: w / 2 - 10, align: 'right' },
  );
  const legendW = 128;
  const plotX = x0 + 46;
  const plotY = y0 + 28;
  const plotW = w - 46 - legendW - 8;
  const plotH = h - 28 - 24;
  const points = series.flatMap(s => s.points);
  if (!points.length) {
    emptyPlot(c, 'No drift figures yet', plotX, plotY + plotH / 2 - 5, plotW);
    return;
  }
  const peak = Math.max(...points.map(p => p.drift));
  const top = niceCeil(
    Math.max(peak, thresholds?.rollback ?? 0, 0.0001) * 1.08,
  );
  const yAt = (v: number) => plotY + plotH - (plotH * clamp(v, 0, top)) / top;
  const t0 = Math.min(...points.map(p => p.at));
  const t1 = Math.max(...points.map(p => p.at));
  const span = t1 - t0;
  const xAt = (t: number) =>
    span > 0 ? plotX + (plotW * (t - t0)) / span : plotX + plotW / 2;

  for (let k = 0; k <= 4; k++) {
    const v = (top * k) / 4;
    c.hline(plotX, plotX + plotW, yAt(v), k === 0 ? C.faint : C.rule);
    c.put(fmtRatio(v), x0 + 2, yAt(v) - 3, {
      size: 6.5,
      color: C.muted,
      width: 40,
      align: 'right',
    });
  }
  // Thresholds as thin dashed lines, named in the legend under the datasets.
  const legendX = plotX + plotW + 14;
  let legendY = plotY + series.length * 18 + 4;
  if (thresholds) {
    const lines: Array<[string, number, string]> = [
      ['rollback', thresholds.rollback, OUTCOME_COLOR.ROLLBACK],
      ['critical', thresholds.critical, OUTCOME_COLOR.CRITICAL],
      ['warning', thresholds.warning, OUTCOME_COLOR.WARNING],
    ];
    for (const [name, v, color] of lines) {
      if (!(v > 0) || v > top) continue;
      for (const [ax, bx, ay] of [
        [plotX, plotX + plotW, yAt(v)],
        [legendX, legendX + 14, legendY + 3.5],
      ]) {
        dashedLine(c, [ax, ay], [bx, ay], {
          width: 0.7,
          color,
          dash: 2.5,
          space: 2,
        });
      }
      c.put(`${name} at ${fmtRatio(v)}`, legendX + 18, legendY, {
        size: 6.5,
        color,
        width: legendW - 24,
      });
      legendY += 11;
    }
  }
  series.forEach((s, i) => {
    const style = SERIES_STYLE[i];
    doc.save();
    if (s.points.length > 1) {
      doc.moveTo(xAt(s.points[0].at), yAt(s.points[0].drift));
      for (const p of s.points.slice(1)) doc.lineTo(xAt(p.at), yAt(p.drift));
      doc.lineWidth(1.4).lineJoin('round').strokeColor(style.color);
      if (style.dash) doc.dash(style.dash[0], { space: style.dash[1] });
      doc.stroke();
      doc.undash();
    }
    const last = s.points[s.points.length - 1];
    doc.circle(xAt(last.at), yAt(last.drift), 2).fill(style.color);
    doc.restore();
    // Legend: a swatch, the name and the latest drift.
    const ly = plotY + i * 18;
    const lx = plotX + plotW + 14;
    doc.save();
    doc
      .moveTo(lx, ly + 4)
      .lineTo(lx + 14, ly + 4)
      .lineWidth(1.4)
      .strokeColor(style.color);
    if (style.dash) doc.dash(style.dash[0], { space: style.dash[1] });
    doc.stroke();
    doc.undash();
    doc.restore();
    c.put(s.dataset, lx + 18, ly, {
      size: 7,
      color: C.text,
      width: legendW - 24,
    });
    c.put(`last ${fmtRatio(last.drift)}`, lx + 18, ly + 8, {
      size: 6.5,
      color: C.muted,
      width: legendW - 24,
    });
  });
  const axisY = plotY + plotH + 5;
  timeAxis(c, plotX, plotW, axisY, t0, t1);
}
