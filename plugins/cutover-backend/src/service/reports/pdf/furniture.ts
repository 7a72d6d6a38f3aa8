// The first page's title band and every page's footer.
import type { ReportCanvas } from './canvas';
import { DOT, fmtDateTime, label } from './format';
import { C, CONTENT_W, MARGIN_X, PAGE_H, PAGE_W, STATUS_COLOR } from './theme';

export function drawHeader(c: ReportCanvas) {
  const { doc, input } = c;
  const bandH = 92;
  doc.rect(0, 0, PAGE_W, bandH).fill(C.band);
  doc.rect(0, bandH, PAGE_W, 3).fill(C.accent);
  c.put('EXECUTIVE SUMMARY  \u00b7  DATA MIGRATION', MARGIN_X, 24, {
    font: 'bold',
    size: 7.5,
    color: C.bandSoft,
    spacing: 1,
  });

  // The title on one line, smaller as it grows; a long one on two lines.
  const titleW = CONTENT_W - 140;
  let size = 20;
  while (size > 15 && c.text.width(c.title, 'bold', size) > titleW) size -= 1;
  let ownerY = 66;
  if (c.text.width(c.title, 'bold', size) <= titleW) {
    c.put(c.title, MARGIN_X, 38, {
      font: 'bold',
      size,
      color: '#FFFFFF',
      width: titleW,
    });
  } else {
    const lines = c.wrapLines(c.title, titleW, 2, 'bold', 14);
    lines.forEach((line, i) =>
      c.put(line, MARGIN_X, 35 + i * 17, {
        font: 'bold',
        size: 14,
        color: '#FFFFFF',
        width: titleW,
      }),
    );
    ownerY = 72;
  }
  c.put(
    `Owner: ${input.migration.owner}${DOT}Migration ID: ${input.migration.id}`,
    MARGIN_X,
    ownerY,
    {
      size: 8.5,
      color: C.bandText,
      width: titleW,
    },
  );

  const right = MARGIN_X + CONTENT_W;
  const status = input.dashboard.status ?? input.migration.status;
  c.put('STATUS', right - 130, 24, {
    font: 'bold',
    size: 7.5,
    color: C.bandSoft,
    width: 130,
    align: 'right',
    spacing: 1,
  });
  const pillW = c.text.width(label(status), 'bold', 8, 0.3) + 14;
  c.pill(label(status), right - pillW, 37, STATUS_COLOR[status] ?? C.grey, {
    width: pillW,
    size: 8,
    height: 15,
  });
  c.put('Generated', right - 130, 60, {
    size: 7.5,
    color: C.bandSoft,
    width: 130,
    align: 'right',
  });
  c.put(fmtDateTime(input.generatedAt), right - 130, 70, {
    font: 'bold',
    size: 8.5,
    color: '#FFFFFF',
    width: 130,
    align: 'right',
  });
  c.y = bandH + 22;
}

export function drawFooters(c: ReportCanvas) {
  const { doc } = c;
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Writing below the bottom margin would otherwise make pdfkit start a new page.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = PAGE_H - 40;
    c.hline(MARGIN_X, MARGIN_X + CONTENT_W, y - 8, C.rule, 0.75);
    c.put(`Switchyard${DOT}${c.title}${DOT}Internal`, MARGIN_X, y, {
      size: 7.5,
      color: C.faint,
      width: CONTENT_W - 90,
    });
    c.put(
      `Page ${i - range.start + 1} of ${range.count}`,
      MARGIN_X + CONTENT_W - 90,
      y,
      {
        font: 'bold',
        size: 7.5,
        color: C.muted,
        width: 90,
        align: 'right',
      },
    );
    doc.page.margins.bottom = bottom;
  }
}
