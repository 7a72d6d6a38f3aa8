// Pieces the report's charts share: the frame, dashed lines and the time axis under a plot.
import type { ReportCanvas } from './canvas';
import { fmtShort } from './format';
import { C } from './theme';

/** The thin rounded frame around a chart. */
export function chartFrame(
  c: ReportCanvas,
  x0: number,
  y0: number,
  w: number,
  h: number,
) {
  c.doc
    .roundedRect(x0, y0, w, h, 4)
    .lineWidth(0.5)
    .strokeColor(C.rule)
    .stroke();
}

/** A dashed straight line, leaving the dash setting as it found it. */
export function dashedLine(
  c: ReportCanvas,
  from: [number, number],
  to: [number, number],
  style: { width: number; color: string; dash: number; space: number },
) {
  const { doc } = c;
  doc.save();
  doc
    .moveTo(from[0], from[1])
    .lineTo(to[0], to[1])
    .lineWidth(style.width)
    .strokeColor(style.color)
    .dash(style.dash, { space: style.space })
    .stroke();
  doc.restore();
  doc.undash();
}

/** Dates under a time plot: the start, and the middle and end when the samples span time. */
export function timeAxis(
  c: ReportCanvas,
  plotX: number,
  plotW: number,
  axisY: number,
  t0: number,
  t1: number,
) {
  const span = t1 - t0;
  c.put(fmtShort(new Date(t0)), plotX, axisY, {
    size: 6.5,
    color: C.muted,
    width: plotW / 3,
    align: span > 0 ? 'left' : 'center',
  });
  if (span > 0) {
    c.put(fmtShort(new Date(t0 + span / 2)), plotX + plotW / 3, axisY, {
      size: 6.5,
      color: C.muted,
      width: plotW / 3,
      align: 'center',
    });
    c.put(fmtShort(new Date(t1)), plotX + (2 * plotW) / 3, axisY, {
      size: 6.5,
      color: C.muted,
      width: plotW / 3,
      align: 'right',
    });
  }
}

/** The line a plot shows in its middle while it has nothing to draw. */
export function emptyPlot(
  c: ReportCanvas,
  message: string,
  plotX: number,
  y: number,
  plotW: number,
) {
  c.put(message, plotX, y, {
    font: 'italic',
    size: 9,
    color: C.muted,
    width: plotW,
    align: 'center',
  });
}
