import type { ExecutivePdfInput } from '../executivePdf';
import { type FontFace, PdfText } from './fonts';
import { DOT, clamp, finite, fmtDateTime, fmtPct } from './format';
import { C, CONTENT_BOTTOM, CONTENT_W, CONTINUED_TOP, MARGIN_X } from './theme';

type Doc = PDFKit.PDFDocument;
export type Align = 'left' | 'right' | 'center';

// Tokens lines may break between: runs of spaces, single CJK characters, other words.
const BREAKS =
  /\s+|[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]|[^\s\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]+/gu;

// No line starts with closing punctuation, and none ends with an opening bracket or quote.
const CLOSING =
  /^[\p{Pe}\p{Pf}\u3001\u3002\uff0c\uff0e\uff01\uff1f\uff1a\uff1b,.!?:;]/u;
const OPENING = /[\p{Ps}\p{Pi}]+$/u;

export interface TextStyle {
  font?: FontFace;
  size?: number;
  color?: string;
  align?: Align;
  /** Truncate with an ellipsis to this width; also the box that align works in. */
  width?: number;
  spacing?: number;
}

export interface Column<T> {
  header: string;
  width: number;
  align?: Align;
  text?: (row: T) => string;
  color?: (row: T) => string | undefined;
  bold?: boolean;
  /** Wrap the text into up to this many lines (default 1). */
  lines?: number;
  /** Draws the cell itself instead of text. */
  draw?: (row: T, x: number, y: number, w: number, h: number) => void;
}

/** Lays the report out top to bottom, adding pages as content needs them. */
export class ReportCanvas {
  /** Where the next content starts on the current page. */
  y = 0;
  readonly title: string;
  readonly now: number;
  readonly text: PdfText;

  constructor(readonly doc: Doc, readonly input: ExecutivePdfInput) {
    this.text = new PdfText(doc);
    this.title =
      input.migration.title || input.dashboard.title || input.migration.id;
    this.now = input.generatedAt.getTime();
  }

  /** One line of text at (x, y), never wrapped and never starting a page. */
  put(text: string, x: number, y: number, style: TextStyle = {}) {
    const face = style.font ?? 'regular';
    const size = style.size ?? 8.5;
    const spacing = style.spacing ?? 0;
    const shown =
      style.width === undefined
        ? text
        : this.fit(text, style.width, face, size, spacing);
    const w = this.text.width(shown, face, size, spacing);
    let left = x;
    if (style.width !== undefined && style.align === 'right')
      left = x + style.width - w;
    else if (style.width !== undefined && style.align === 'center')
      left = x + (style.width - w) / 2;
    this.text.draw(shown, left, y, {
      face,
      size,
      color: style.color ?? C.text,
      spacing,
    });
    return w;
  }

  /** The text cut with an ellipsis to fit the width. */
  fit(
    text: string,
    width: number,
    face: FontFace,
    size: number,
    spacing = 0,
  ): string {
    const clean = this.text.printable(text, face);
    const measure = (s: string) => this.text.width(s, face, size, spacing);
    if (measure(clean) <= width) return clean;
    // By code point, so a character outside the BMP is never cut in half.
    const chars = [...clean];
    let lo = 0;
    let hi = chars.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (measure(`${chars.slice(0, mid).join('').trimEnd()}\u2026`) <= width)
        lo = mid;
      else hi = mid - 1;
    }
    return lo > 0 ? `${chars.slice(0, lo).join('').trimEnd()}\u2026` : '';
  }

  /**
   * The text wrapped into at most `maxLines` lines of `width`, the last cut with an ellipsis.
   * Lines break at spaces and line breaks, and between CJK characters, which need no spaces.
   */
  wrapLines(
    text: string,
    width: number,
    maxLines: number,
    face: FontFace,
    size: number,
  ): string[] {
    const paragraphs = text.split('\n');
    if (paragraphs.length > 1) {
      return paragraphs
        .flatMap(p => this.wrapLines(p, width, maxLines, face, size))
        .slice(0, maxLines);
    }
    const tokens = this.text.printable(text, face).match(BREAKS) ?? [];
    const measure = (s: string) => this.text.width(s, face, size);
    const lines: string[] = [];
    let current = '';
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i];
      if (!current && /^\s+$/.test(token)) continue;
      const candidate = current + token;
      if (
        !current ||
        /^\s+$/.test(token) ||
        CLOSING.test(token) ||
        measure(candidate) <= width
      ) {
        current = candidate;
      } else if (lines.length === maxLines - 1) {
        current = candidate + tokens.slice(i + 1).join('');
        break;
      } else {
        // An opening bracket or quote goes down with the word it opens.
        const opener = current.match(OPENING)?.[0] ?? '';
        lines.push(
          this.fit(
            current.slice(0, current.length - opener.length).trimEnd(),
            width,
            face,
            size,
          ),
        );
        current = opener + token;
      }
    }
    current = current.trimEnd();
    if (current) lines.push(this.fit(current, width, face, size));
    return lines;
  }

  pill(
    text: string,
    x: number,
    y: number,
    color: string,
    opts: { width?: number; size?: number; height?: number } = {},
  ) {
    const size = opts.size ?? 6.5;
    const h = opts.height ?? 11;
    const w = opts.width ?? this.text.width(text, 'bold', size, 0.3) + 10;
    this.doc.roundedRect(x, y, w, h, Math.min(3, h / 2)).fill(color);
    this.put(text, x, y + (h - size * 0.72) / 2 - 0.5, {
      font: 'bold',
      size,
      color: '#FFFFFF',
      width: w,
      align: 'center',
      spacing: 0.3,
    });
    return w;
  }

  miniBar(
    percent: number | null,
    x: number,
    y: number,
    w: number,
    color: string,
  ) {
    const barW = w - 34;
    this.doc.roundedRect(x, y + 1, barW, 5, 2.5).fill(C.track);
    if (finite(percent) && percent > 0) {
      this.doc
        .roundedRect(
          x,
          y + 1,
          Math.max(3, (barW * clamp(percent, 0, 100)) / 100),
          5,
          2.5,
        )
        .fill(color);
    }
    this.put(fmtPct(percent), x + barW, y + 0.5, {
      size: 8,
      width: 34,
      align: 'right',
      color: C.text,
    });
  }

  hline(x1: number, x2: number, y: number, color = C.rule, width = 0.5) {
    this.doc
      .moveTo(x1, y)
      .lineTo(x2, y)
      .lineWidth(width)
      .strokeColor(color)
      .stroke();
  }

  newPage() {
    this.doc.addPage();
    this.runningHeader();
    this.y = CONTINUED_TOP;
  }

  /** Starts a new page unless `height` more points fit on this one. */
  ensure(height: number) {
    if (this.y + height > CONTENT_BOTTOM) this.newPage();
  }

  section(title: string, note: string | undefined, keepWith: number) {
    this.y += 14;
    this.ensure(26 + keepWith);
    const { y } = this;
    this.doc.rect(MARGIN_X, y + 1, 3, 12).fill(C.accent);
    this.put(title, MARGIN_X + 9, y + 1, {
      font: 'bold',
      size: 12,
      color: C.ink,
      width: CONTENT_W * 0.6,
    });
    if (note)
      this.put(note, MARGIN_X + CONTENT_W * 0.4, y + 4, {
        size: 8,
        color: C.muted,
        width: CONTENT_W * 0.6,
        align: 'right',
      });
    this.hline(MARGIN_X, MARGIN_X + CONTENT_W, y + 19);
    this.y = y + 26;
  }

  subheading(title: string, keepWith: number) {
    this.ensure(16 + keepWith);
    this.put(title.toUpperCase(), MARGIN_X, this.y, {
      font: 'bold',
      size: 7.5,
      color: C.muted,
      spacing: 0.6,
    });
    this.y += 14;
  }

  note(text: string, color = C.muted) {
    this.ensure(14);
    this.put(text, MARGIN_X, this.y, {
      font: 'italic',
      size: 8.5,
      color,
      width: CONTENT_W,
    });
    this.y += 14;
  }

  /** A table whose rows never split across pages; the header repeats on every page. */
  table<T>(name: string, columns: Column<T>[], rows: T[], rowHeight = 16) {
    const headerH = 17;
    const drawHeader = () => {
      let x = MARGIN_X;
      this.doc.rect(MARGIN_X, this.y, CONTENT_W, headerH).fill(C.tableHead);
      for (const col of columns) {
        this.put(col.header.toUpperCase(), x + 5, this.y + 5.5, {
          font: 'bold',
          size: 6.8,
          color: C.muted,
          width: col.width - 10,
          align: col.align,
          spacing: 0.4,
        });
        x += col.width;
      }
      this.y += headerH;
    };
    this.ensure(headerH + rowHeight * Math.min(rows.length, 3));
    drawHeader();
    rows.forEach((row, i) => {
      if (this.y + rowHeight > CONTENT_BOTTOM) {
        this.newPage();
        this.put(`${name} (continued)`, MARGIN_X, this.y, {
          font: 'italic',
          size: 8,
          color: C.muted,
        });
        this.y += 14;
        drawHeader();
      }
      const top = this.y;
      if (i % 2 === 1)
        this.doc.rect(MARGIN_X, top, CONTENT_W, rowHeight).fill(C.zebra);
      let x = MARGIN_X;
      for (const col of columns) {
        if (col.draw)
          col.draw(
            row,
            x + 5,
            top + (rowHeight - 7) / 2,
            col.width - 10,
            rowHeight,
          );
        else {
          const style: TextStyle = {
            font: col.bold ? 'bold' : 'regular',
            size: 8,
            color: col.color?.(row) ?? C.text,
            width: col.width - 10,
            align: col.align,
          };
          const text = col.text ? col.text(row) : '';
          let lines = [text];
          if ((col.lines ?? 1) > 1) {
            lines = this.wrapLines(
              text,
              col.width - 10,
              col.lines!,
              style.font!,
              8,
            );
          }
          const lineH = 9.5;
          const firstY =
            top + (rowHeight - 6 - (lines.length - 1) * lineH) / 2 - 0.5;
          for (let k = 0; k < lines.length; k++)
            this.put(lines[k], x + 5, firstY + k * lineH, style);
        }
        x += col.width;
      }
      this.hline(MARGIN_X, MARGIN_X + CONTENT_W, top + rowHeight);
      this.y = top + rowHeight;
    });
  }

  /** A labelled item with wrapped text, kept on one page. */
  listItem(tag: string, tagColor: string, source: string, message: string) {
    const textX = MARGIN_X + 136;
    const textW = CONTENT_W - 136;
    const lineH = 11.5;
    const lines = this.wrapLines(message, textW, 12, 'regular', 8.5);
    const h = Math.max(12, lines.length * lineH);
    this.ensure(h + 6);
    const { y } = this;
    this.pill(tag, MARGIN_X, y, tagColor, { width: 62 });
    this.put(source, MARGIN_X + 70, y + 1.5, {
      size: 8,
      color: C.muted,
      width: 62,
    });
    lines.forEach((line, i) =>
      this.put(line, textX, y + 1 + i * lineH, { size: 8.5, color: C.text }),
    );
    this.y = y + h + 6;
  }

  runningHeader() {
    const right = MARGIN_X + CONTENT_W;
    this.put(this.title, MARGIN_X, 28, {
      font: 'bold',
      size: 8.5,
      color: C.ink,
      width: CONTENT_W * 0.6,
    });
    this.put(
      `Executive summary${DOT}${fmtDateTime(this.input.generatedAt)}`,
      right - CONTENT_W * 0.4,
      28.5,
      {
        size: 8,
        color: C.muted,
        width: CONTENT_W * 0.4,
        align: 'right',
      },
    );
    this.hline(MARGIN_X, right, 42, C.rule, 0.75);
  }
}
