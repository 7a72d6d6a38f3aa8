import PDFDocument from 'pdfkit';
import {
  ALERT_SEVERITIES,
  DEFAULT_READINESS_THRESHOLDS,
  type Alert,
  type AlertSeverity,
  type Dashboard,
  type DashboardDataset,
  type FreezeWindow,
  type Migration,
  type Readiness,
  type Recommendation,
  type ReconciliationRun,
  type RiskLevel,
  type Snapshot,
  type Timeline,
  type TimelinePhase,
  type Trends,
} from '@switchyard/plugin-cutover-common';
import { Writable } from 'node:stream';
import { FontFace, PdfText } from './pdfText';
import {
  currentThresholds,
  driftSeries,
  LatestReconciliation,
  IntegrityLine,
  latestIntegrity,
  latestReconciliations,
  runTime,
  OUTCOME_ORDER,
  outcomeCounts,
  orderFreezeWindows,
  ReconciliationOutcome,
} from './reconciliationSummary';

/** Everything the executive summary shows, gathered by the caller. */
export interface ExecutivePdfInput {
  migration: Migration;
  dashboard: Dashboard;
  readiness: Readiness;
  trends: Trends;
  /** Open alerts, worst first. */
  alerts: Alert[];
  timeline: Timeline;
  /** Null or undefined when snapshots are not available on this installation. */
  snapshots?: Snapshot[] | null;
  /** Reconciliation runs in any order; null or undefined when not gathered. */
  reconciliations?: ReconciliationRun[] | null;
  /** Freeze windows; null or undefined when not gathered. */
  freezeWindows?: FreezeWindow[] | null;
  generatedAt: Date;
}

type Doc = PDFKit.PDFDocument;
type Align = 'left' | 'right' | 'center';

// A4 in points, and the page layout.
const PAGE_W = 595.28;
const PAGE_H = 841.89;
const MARGIN_X = 48;
const CONTENT_W = PAGE_W - 2 * MARGIN_X;
const CONTENT_BOTTOM = PAGE_H - 60;
const CONTINUED_TOP = 60;

const C = {
  ink: '#1F2933',
  text: '#323F4B',
  muted: '#616E7C',
  faint: '#9AA5B1',
  rule: '#D9E2EC',
  panel: '#F5F7FA',
  zebra: '#FAFBFC',
  tableHead: '#EEF2F6',
  band: '#102A43',
  bandSoft: '#9FB3C8',
  bandText: '#D9E2EC',
  accent: '#2680C2',
  accentSoft: '#DCEEFB',
  track: '#E4E7EB',
  green: '#2F8132',
  amber: '#C77C02',
  orange: '#D9480F',
  red: '#BA2525',
  darkRed: '#8A1538',
  grey: '#7B8794',
};

const RECOMMENDATION: Record<Recommendation, { label: string; color: string }> =
  {
    GO: { label: 'GO', color: C.green },
    GO_WITH_CAUTION: { label: 'GO WITH CAUTION', color: C.amber },
    NO_GO: { label: 'NO GO', color: C.red },
  };

const RISK_COLOR: Record<RiskLevel, string> = {
  LOW: C.green,
  MEDIUM: C.amber,
  HIGH: C.orange,
  CRITICAL: C.darkRed,
};

const SEVERITY_COLOR: Record<AlertSeverity, string> = {
  CRITICAL: C.darkRed,
  HIGH: C.red,
  MEDIUM: C.amber,
  LOW: C.grey,
};

const STATUS_COLOR: Record<string, string> = {
  COMPLETED: C.green,
  SUCCEEDED: C.green,
  IN_PROGRESS: C.accent,
  RUNNING: C.accent,
  STALLED: C.amber,
  PAUSED: C.amber,
  FAILED: C.red,
  ROLLED_BACK: C.orange,
  CANCELLED: C.grey,
  NOT_STARTED: C.grey,
  PENDING: C.grey,
  PLANNED: C.grey,
  SKIPPED: C.grey,
};

// Tokens lines may break between: runs of spaces, single CJK characters, other words.
const BREAKS =
  /\s+|[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]|[^\s\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]+/gu;

const OUTCOME_COLOR: Record<ReconciliationOutcome, string> = {
  OK: '#2F8132',
  WARNING: '#C77C02',
  CRITICAL: '#BA2525',
  ROLLBACK: '#8A1538',
  FAILED: '#D9480F',
};

const FREEZE_COLOR: Record<string, string> = {
  ACTIVE: '#2680C2',
  PLANNED: '#7B8794',
  COMPLETED: '#2F8132',
  CANCELLED: '#9AA5B1',
};

// Lines of the drift chart, one per dataset, in colours apart from the thresholds'.
const SERIES_STYLE: Array<{ color: string; dash?: [number, number] }> = [
  { color: '#2680C2' },
  { color: '#6B46C1' },
  { color: '#0F766E' },
  { color: '#C2255C' },
  { color: '#334E68', dash: [4, 1.5] },
];

/** Most rows the summary's reconciliation and freeze-window tables show. */
const MAX_RECONCILED_ROWS = 20;
const MAX_FREEZE_ROWS = 12;

// No line starts with closing punctuation, and none ends with an opening bracket or quote.
const CLOSING =
  /^[\p{Pe}\p{Pf}\u3001\u3002\uff0c\uff0e\uff01\uff1f\uff1a\uff1b,.!?:;]/u;
const OPENING = /[\p{Ps}\p{Pi}]+$/u;

const DASH = '\u2014';
const DOT = ' \u00b7 ';
const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const ONE = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});
const MONTHS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
];

const finite = (n: number | null | undefined): n is number =>
  typeof n === 'number' && Number.isFinite(n);
const fmtInt = (n: number | null | undefined) =>
  finite(n) ? INT.format(n) : DASH;
const fmtOne = (n: number | null | undefined) =>
  finite(n) ? ONE.format(n) : DASH;
const MONEY = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
/** 1.5 MB (powers of 1024) */
function fmtBytes(n: number | null | undefined): string {
  if (!finite(n)) return DASH;
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return `${u === 0 ? INT.format(v) : ONE.format(v)} ${units[u]}`;
}
const fmtPct = (n: number | null | undefined) =>
  finite(n) ? `${ONE.format(n)}%` : DASH;
const clamp = (n: number, lo: number, hi: number) =>
  Math.min(hi, Math.max(lo, n));
const label = (s: string) => s.replace(/_/g, ' ');
/** IN_PROGRESS -> In progress */
const sentence = (s: string) => {
  const l = label(s).toLowerCase();
  return l.charAt(0).toUpperCase() + l.slice(1);
};
const plural = (n: number, one: string, many = `${one}s`) =>
  `${fmtInt(n)} ${n === 1 ? one : many}`;

function toDate(value: string | Date | null | undefined): Date | null {
  if (!value) return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

const pad2 = (n: number) => String(n).padStart(2, '0');
/** 14 Mar 2025 */
function fmtDate(value: string | Date | null | undefined): string {
  const d = toDate(value);
  return d
    ? `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`
    : DASH;
}
/** 14 Mar 09:30 */
function fmtShort(value: string | Date | null | undefined): string {
  const d = toDate(value);
  return d
    ? `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${pad2(
        d.getUTCHours(),
      )}:${pad2(d.getUTCMinutes())}`
    : DASH;
}
/** 14 Mar 2025 09:30 UTC */
function fmtDateTime(value: string | Date | null | undefined): string {
  const d = toDate(value);
  return d
    ? `${fmtDate(d)} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())} UTC`
    : DASH;
}
/** 0.123% for a drift ratio of 0.00123; more decimals for smaller ratios. */
function fmtRatio(ratio: number | null | undefined): string {
  if (!finite(ratio)) return DASH;
  const pct = ratio * 100;
  if (pct === 0) return '0%';
  let digits = 4;
  if (pct >= 10) digits = 1;
  else if (pct >= 0.01) digits = 3;
  return `${pct.toFixed(digits)}%`;
}
/** The smallest of 1, 2, 2.5 or 5 times a power of ten at or above `v`, for round axis ticks. */
function niceCeil(v: number): number {
  const power = 10 ** Math.floor(Math.log10(v));
  const step = [1, 2, 2.5, 5, 10].find(m => m * power >= v * (1 - 1e-9))!;
  return step * power;
}
/** 3d 4h, 5h 10m, 45m */
function fmtDuration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return hours ? `${days}d ${hours}h` : `${days}d`;
  if (hours > 0)
    return minutes % 60 ? `${hours}h ${minutes % 60}m` : `${hours}h`;
  return `${minutes}m`;
}
function fmtDays(days: number): string {
  return `${ONE.format(Math.abs(days))} ${
    Math.abs(days) === 1 ? 'day' : 'days'
  }`;
}
function qualityColor(q: number | null | undefined): string {
  if (!finite(q)) return C.grey;
  if (q >= DEFAULT_READINESS_THRESHOLDS.qualityGo) return C.green;
  if (q >= DEFAULT_READINESS_THRESHOLDS.qualityCaution) return C.amber;
  return C.red;
}

interface TextStyle {
  font?: FontFace;
  size?: number;
  color?: string;
  align?: Align;
  /** Truncate with an ellipsis to this width; also the box that align works in. */
  width?: number;
  spacing?: number;
}

interface Column<T> {
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
class ExecutiveReport {
  private y = 0;
  private readonly title: string;
  private readonly now: number;
  private readonly text: PdfText;

  constructor(
    private readonly doc: Doc,
    private readonly input: ExecutivePdfInput,
  ) {
    this.text = new PdfText(doc);
    this.title =
      input.migration.title || input.dashboard.title || input.migration.id;
    this.now = input.generatedAt.getTime();
  }

  render() {
    this.header();
    this.headline();
    this.progressBar();
    this.charts();
    this.blockers();
    this.alerts();
    this.timeline();
    this.reconciliation();
    this.freezeWindows();
    this.datasets();
    this.resources();
    this.snapshots();
    this.footers();
  }

  // ---- primitives ----

  /** One line of text at (x, y), never wrapped and never starting a page. */
  private put(text: string, x: number, y: number, style: TextStyle = {}) {
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
  private fit(
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
  private wrapLines(
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

  private pill(
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

  private miniBar(
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

  private hline(
    x1: number,
    x2: number,
    y: number,
    color = C.rule,
    width = 0.5,
  ) {
    this.doc
      .moveTo(x1, y)
      .lineTo(x2, y)
      .lineWidth(width)
      .strokeColor(color)
      .stroke();
  }

  // ---- flow ----

  private newPage() {
    this.doc.addPage();
    this.runningHeader();
    this.y = CONTINUED_TOP;
  }

  /** Starts a new page unless `height` more points fit on this one. */
  private ensure(height: number) {
    if (this.y + height > CONTENT_BOTTOM) this.newPage();
  }

  private section(title: string, note: string | undefined, keepWith: number) {
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

  private subheading(title: string, keepWith: number) {
    this.ensure(16 + keepWith);
    this.put(title.toUpperCase(), MARGIN_X, this.y, {
      font: 'bold',
      size: 7.5,
      color: C.muted,
      spacing: 0.6,
    });
    this.y += 14;
  }

  private note(text: string, color = C.muted) {
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
  private table<T>(
    name: string,
    columns: Column<T>[],
    rows: T[],
    rowHeight = 16,
  ) {
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
  private listItem(
    tag: string,
    tagColor: string,
    source: string,
    message: string,
  ) {
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

  // ---- page furniture ----

  private header() {
    const { doc, input } = this;
    const bandH = 92;
    doc.rect(0, 0, PAGE_W, bandH).fill(C.band);
    doc.rect(0, bandH, PAGE_W, 3).fill(C.accent);
    this.put('EXECUTIVE SUMMARY  \u00b7  DATA MIGRATION', MARGIN_X, 24, {
      font: 'bold',
      size: 7.5,
      color: C.bandSoft,
      spacing: 1,
    });

    // The title on one line, smaller as it grows; a long one on two lines.
    const titleW = CONTENT_W - 140;
    let size = 20;
    while (size > 15 && this.text.width(this.title, 'bold', size) > titleW)
      size -= 1;
    let ownerY = 66;
    if (this.text.width(this.title, 'bold', size) <= titleW) {
      this.put(this.title, MARGIN_X, 38, {
        font: 'bold',
        size,
        color: '#FFFFFF',
        width: titleW,
      });
    } else {
      const lines = this.wrapLines(this.title, titleW, 2, 'bold', 14);
      lines.forEach((line, i) =>
        this.put(line, MARGIN_X, 35 + i * 17, {
          font: 'bold',
          size: 14,
          color: '#FFFFFF',
          width: titleW,
        }),
      );
      ownerY = 72;
    }
    this.put(
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
    this.put('STATUS', right - 130, 24, {
      font: 'bold',
      size: 7.5,
      color: C.bandSoft,
      width: 130,
      align: 'right',
      spacing: 1,
    });
    const pillW = this.text.width(label(status), 'bold', 8, 0.3) + 14;
    this.pill(
      label(status),
      right - pillW,
      37,
      STATUS_COLOR[status] ?? C.grey,
      { width: pillW, size: 8, height: 15 },
    );
    this.put('Generated', right - 130, 60, {
      size: 7.5,
      color: C.bandSoft,
      width: 130,
      align: 'right',
    });
    this.put(fmtDateTime(input.generatedAt), right - 130, 70, {
      font: 'bold',
      size: 8.5,
      color: '#FFFFFF',
      width: 130,
      align: 'right',
    });
    this.y = bandH + 22;
  }

  private runningHeader() {
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

  private footers() {
    const { doc } = this;
    const range = doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      doc.switchToPage(i);
      // Writing below the bottom margin would otherwise make pdfkit start a new page.
      const bottom = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      const y = PAGE_H - 40;
      this.hline(MARGIN_X, MARGIN_X + CONTENT_W, y - 8, C.rule, 0.75);
      this.put(`Switchyard${DOT}${this.title}${DOT}Internal`, MARGIN_X, y, {
        size: 7.5,
        color: C.faint,
        width: CONTENT_W - 90,
      });
      this.put(
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

  // ---- 1. status headline ----

  private headline() {
    const { input } = this;
    const { readiness: r, dashboard: d, timeline } = input;
    const rec = RECOMMENDATION[r.recommendation] ?? {
      label: label(String(r.recommendation)),
      color: C.grey,
    };
    const top = this.y;

    // Recommendation badge.
    const badgeW = 176;
    const badgeH = 58;
    this.doc.roundedRect(MARGIN_X, top, badgeW, badgeH, 6).fill(rec.color);
    this.put('RECOMMENDATION', MARGIN_X + 14, top + 11, {
      font: 'bold',
      size: 7,
      color: '#FFFFFF',
      spacing: 0.8,
    });
    let size = 19;
    while (size > 11 && this.text.width(rec.label, 'bold', size) > badgeW - 28)
      size -= 1;
    this.put(rec.label, MARGIN_X + 14, top + 24 + (19 - size) / 2, {
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
    this.put(verdict, x, top + 4, {
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
    this.put(
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
    this.put([schedule, approval].filter(Boolean).join(DOT), x, top + 36, {
      size: 8.5,
      color: C.text,
      width: w,
    });
    this.put(`Readiness evaluated ${fmtDateTime(r.evaluatedAt)}`, x, top + 49, {
      size: 7.5,
      color: C.muted,
      width: w,
    });
    this.y = top + badgeH + 12;

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
              eta.getTime() > this.now
                ? `, in ${fmtDuration(eta.getTime() - this.now)}`
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
      const ty = this.y + Math.floor(i / 4) * (tileH + gap);
      this.doc.roundedRect(tx, ty, tileW, tileH, 4).fill(C.panel);
      this.doc
        .rect(tx, ty + 8, 2.5, tileH - 16)
        .fill(t.color === C.ink ? C.accent : t.color ?? C.accent);
      this.put(t.label.toUpperCase(), tx + 11, ty + 9, {
        font: 'bold',
        size: 6.5,
        color: C.muted,
        width: tileW - 18,
        spacing: 0.5,
      });
      let vs = 15;
      while (vs > 9 && this.text.width(t.value, 'bold', vs) > tileW - 18)
        vs -= 0.5;
      this.put(t.value, tx + 11, ty + 21 + (15 - vs) / 2, {
        font: 'bold',
        size: vs,
        color: t.color ?? C.ink,
        width: tileW - 18,
      });
      this.put(t.sub, tx + 11, ty + 40, {
        size: 7,
        color: C.muted,
        width: tileW - 18,
      });
    });
    this.y += 2 * tileH + gap + 16;
  }

  private progressBar() {
    const { dashboard: d } = this.input;
    const top = this.y;
    this.put('Overall progress', MARGIN_X, top + 3, {
      font: 'bold',
      size: 10,
      color: C.ink,
    });
    this.put(
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
    this.doc
      .roundedRect(MARGIN_X, barY, CONTENT_W, barH, barH / 2)
      .fill(C.track);
    if (p > 0)
      this.doc
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
      this.doc
        .moveTo(tx, barY + 3)
        .lineTo(tx, barY + barH - 3)
        .lineWidth(0.75)
        .strokeColor('#FFFFFF')
        .strokeOpacity(0.6)
        .stroke();
      this.doc.strokeOpacity(1);
    }

    // Where the plan says progress should be by now, from the planned start and end.
    const start = toDate(d.plannedStart ?? this.input.migration.plannedStart);
    const end = toDate(d.plannedEnd ?? this.input.migration.plannedEnd);
    const detail = `${fmtInt(d.importedRecords)} of ${fmtInt(
      d.totalRecords,
    )} records imported${DOT}${fmtInt(d.failedRecords)} failed${DOT}${fmtInt(
      d.skippedRecords,
    )} skipped`;
    this.put(detail, MARGIN_X, barY + barH + 6, {
      size: 8,
      color: C.muted,
      width: CONTENT_W * 0.62,
    });
    if (start && end && end.getTime() > start.getTime()) {
      const planned = clamp(
        ((this.now - start.getTime()) / (end.getTime() - start.getTime())) *
          100,
        0,
        100,
      );
      const px = MARGIN_X + (CONTENT_W * planned) / 100;
      this.doc
        .moveTo(px, barY - 3)
        .lineTo(px, barY + barH + 3)
        .lineWidth(1.5)
        .strokeColor(C.ink)
        .stroke();
      const text = `Plan by now: ${fmtPct(planned)}`;
      const tw = this.text.width(text, 'bold', 7.5);
      const tx = clamp(
        px - tw / 2,
        MARGIN_X + CONTENT_W * 0.64,
        MARGIN_X + CONTENT_W - tw,
      );
      this.put(text, tx, barY + barH + 6, {
        font: 'bold',
        size: 7.5,
        color: C.ink,
      });
    }
    this.y = barY + barH + 24;
  }

  // ---- 2. charts ----

  private charts() {
    const gap = 18;
    const w = (CONTENT_W - gap) / 2;
    const h = 150;
    this.ensure(h + 24);
    const top = this.y;
    const { trends } = this.input;
    this.put('Data quality by dimension', MARGIN_X, top, {
      font: 'bold',
      size: 10,
      color: C.ink,
      width: w,
    });
    this.put('Progress over time', MARGIN_X + w + gap, top, {
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
      this.put(window, MARGIN_X + w + gap + w * 0.55, top + 1.5, {
        size: 7.5,
        color: C.muted,
        width: w * 0.45,
        align: 'right',
      });
    this.qualityChart(MARGIN_X, top + 18, w, h);
    this.progressChart(MARGIN_X + w + gap, top + 18, w, h);
    this.y = top + 18 + h + 6;
  }

  private qualityChart(x0: number, y0: number, w: number, h: number) {
    const { doc } = this;
    const d = this.input.dashboard;
    const dims: Array<[string, number | null]> = [
      ['Completeness', d.completeness],
      ['Validity', d.validity],
      ['Consistency', d.consistency],
      ['Accuracy', d.accuracy],
    ];
    doc
      .roundedRect(x0, y0, w, h, 4)
      .lineWidth(0.5)
      .strokeColor(C.rule)
      .stroke();
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
      this.put(String(tick), tx - 10, plotTop + plotH + 4, {
        size: 6.5,
        color: C.muted,
        width: 20,
        align: 'center',
      });
    }
    const go = DEFAULT_READINESS_THRESHOLDS.qualityGo;
    doc.save();
    doc
      .moveTo(xAt(go), plotTop - 6)
      .lineTo(xAt(go), plotTop + plotH)
      .lineWidth(0.8)
      .strokeColor(C.green)
      .dash(2, { space: 2 })
      .stroke();
    doc.restore();
    doc.undash();
    this.put(`GO ${go}`, xAt(go) - 20, plotTop - 13, {
      font: 'bold',
      size: 6,
      color: C.green,
      width: 40,
      align: 'center',
    });

    dims.forEach(([name, value], i) => {
      const cy = plotTop + i * rowH + rowH / 2;
      this.put(name, x0 + 10, cy - 3.5, {
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
        this.put('no data', plotX + 6, cy - 3.5, {
          font: 'italic',
          size: 7.5,
          color: C.muted,
        });
        this.put(DASH, plotX + plotW + 4, cy - 3.5, {
          size: 8,
          color: C.muted,
          width: valueW - 4,
          align: 'right',
        });
        return;
      }
      const color = qualityColor(value);
      if (value > 0)
        doc
          .rect(plotX, cy - 6, Math.max(1, xAt(value) - plotX), 12)
          .fill(color);
      this.put(fmtOne(value), plotX + plotW + 4, cy - 3.5, {
        font: 'bold',
        size: 8,
        color,
        width: valueW - 4,
        align: 'right',
      });
    });
  }

  private progressChart(x0: number, y0: number, w: number, h: number) {
    const { doc, input } = this;
    const { trends } = input;
    doc
      .roundedRect(x0, y0, w, h, 4)
      .lineWidth(0.5)
      .strokeColor(C.rule)
      .stroke();
    const plotX = x0 + 34;
    const plotY = y0 + 12;
    const plotW = w - 34 - 12;
    const plotH = h - 12 - 30;
    const yAt = (v: number) => plotY + plotH - (plotH * clamp(v, 0, 100)) / 100;
    for (const tick of [0, 25, 50, 75, 100]) {
      const ty = yAt(tick);
      doc
        .moveTo(plotX, ty)
        .lineTo(plotX + plotW, ty)
        .lineWidth(0.5)
        .strokeColor(tick === 0 ? C.faint : C.rule)
        .stroke();
      this.put(`${tick}%`, x0 + 4, ty - 3, {
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
      this.put('No samples yet', plotX, plotY + plotH / 2 - 6, {
        font: 'italic',
        size: 9,
        color: C.muted,
        width: plotW,
        align: 'center',
      });
      this.put(
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
    this.put(fmtPct(last.v), xAt(last.t) - 60, labelY, {
      font: 'bold',
      size: 7.5,
      color: C.accent,
      width: 56,
      align: 'right',
    });

    const axisY = plotY + plotH + 4;
    this.put(fmtShort(new Date(t0)), plotX, axisY, {
      size: 6.5,
      color: C.muted,
      width: plotW / 3,
      align: span > 0 ? 'left' : 'center',
    });
    if (span > 0) {
      this.put(fmtShort(new Date(t0 + span / 2)), plotX + plotW / 3, axisY, {
        size: 6.5,
        color: C.muted,
        width: plotW / 3,
        align: 'center',
      });
      this.put(fmtShort(new Date(t1)), plotX + (2 * plotW) / 3, axisY, {
        size: 6.5,
        color: C.muted,
        width: plotW / 3,
        align: 'right',
      });
    }
    // Legend.
    const ly = y0 + h - 11;
    doc
      .moveTo(plotX, ly + 3)
      .lineTo(plotX + 14, ly + 3)
      .lineWidth(1.5)
      .strokeColor(C.accent)
      .stroke();
    this.put(`Actual (${plural(points.length, 'sample')})`, plotX + 18, ly, {
      size: 6.5,
      color: C.muted,
    });
    if (plan) {
      const px = plotX + plotW / 2 + 10;
      doc.save();
      doc
        .moveTo(px, ly + 3)
        .lineTo(px + 14, ly + 3)
        .lineWidth(1)
        .strokeColor(C.faint)
        .dash(3, { space: 2 })
        .stroke();
      doc.restore();
      doc.undash();
      this.put('Plan (linear)', px + 18, ly, { size: 6.5, color: C.muted });
    }
  }

  // ---- 3. blockers and warnings ----

  private blockers() {
    const { readiness: r } = this.input;
    const sourceLabel: Record<string, string> = {
      CHECKLIST: 'Checklist',
      DATA_QUALITY: 'Data quality',
      SYSTEM: 'System',
    };
    this.section(
      'Blockers and warnings',
      `${plural(r.blockers.length, 'blocker')}${DOT}${plural(
        r.warnings.length,
        'warning',
      )}`,
      30,
    );
    if (!r.blockers.length && !r.warnings.length) {
      this.note(
        'No blockers or warnings stand in the way of cutover.',
        C.green,
      );
      return;
    }
    const order = { CRITICAL: 0, HIGH: 1 } as Record<string, number>;
    const blockers = [...r.blockers].sort(
      (a, b) => (order[a.severity] ?? 2) - (order[b.severity] ?? 2),
    );
    for (const b of blockers) {
      this.listItem(
        b.severity,
        b.severity === 'CRITICAL' ? C.darkRed : C.red,
        sourceLabel[b.source] ?? label(b.source),
        b.message,
      );
    }
    for (const w of r.warnings)
      this.listItem('WARNING', C.amber, 'Readiness', w);
    if (r.mitigations.length) {
      this.y += 4;
      this.subheading('Recommended actions', 14);
      for (const m of r.mitigations)
        this.listItem('ACTION', C.accent, 'Mitigation', m);
    }
  }

  // ---- 4. alerts ----

  private alerts() {
    // Worst first as given; a stable sort by severity guards the order without undoing the caller's.
    const rank = (a: Alert) => ALERT_SEVERITIES.indexOf(a.severity);
    const alerts = [...this.input.alerts].sort((a, b) => rank(a) - rank(b));
    const top = alerts.slice(0, 10);
    const overdue = alerts.filter(
      a => (toDate(a.targetResolutionTime)?.getTime() ?? Infinity) < this.now,
    ).length;
    const note = alerts.length
      ? `${top.length < alerts.length ? `top ${top.length} of ` : ''}${plural(
          alerts.length,
          'open alert',
        )}${DOT}${fmtInt(overdue)} past SLA`
      : undefined;
    // Short enough to keep on one page with its heading.
    this.section(
      'Top open alerts',
      note,
      alerts.length ? 14 + 17 + top.length * 26 : 14,
    );
    if (!alerts.length) {
      this.note('No open alerts.', C.green);
      return;
    }
    const counts = ALERT_SEVERITIES.map(
      s =>
        `${fmtInt(
          alerts.filter(a => a.severity === s).length,
        )} ${s.toLowerCase()}`,
    ).join(DOT);
    this.put(`Open alerts by severity: ${counts}`, MARGIN_X, this.y, {
      size: 8,
      color: C.muted,
      width: CONTENT_W,
    });
    this.y += 14;
    this.table<Alert>(
      'Top open alerts',
      [
        {
          header: 'Severity',
          width: 66,
          draw: (a, x, y) =>
            this.pill(
              a.severity,
              x,
              y - 2,
              SEVERITY_COLOR[a.severity] ?? C.grey,
              { width: 54 },
            ),
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
            fmtDuration(
              this.now - (toDate(a.createdAt)?.getTime() ?? this.now),
            ),
        },
        {
          header: 'SLA deadline',
          width: CONTENT_W - 394,
          align: 'right',
          text: a => {
            const due = toDate(a.targetResolutionTime);
            if (!due) return DASH;
            return due.getTime() < this.now
              ? `${fmtShort(due)}\noverdue by ${fmtDuration(
                  this.now - due.getTime(),
                )}`
              : fmtShort(due);
          },
          lines: 2,
          color: a =>
            (toDate(a.targetResolutionTime)?.getTime() ?? Infinity) < this.now
              ? C.red
              : undefined,
        },
      ],
      top,
      26,
    );
  }

  // ---- 5. timeline ----

  private timeline() {
    const { timeline: t } = this.input;
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
    this.section(
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
    this.ensure(34);
    facts.forEach(([name, value, color], i) => {
      this.put(name.toUpperCase(), MARGIN_X + i * fw, this.y, {
        font: 'bold',
        size: 6.5,
        color: C.muted,
        width: fw - 8,
        spacing: 0.5,
      });
      this.put(value, MARGIN_X + i * fw, this.y + 10, {
        font: 'bold',
        size: 10,
        color,
        width: fw - 8,
      });
    });
    this.y += 30;

    const byId = new Map(t.phases.map(p => [p.id, p.name]));
    if (t.criticalPath.length) {
      this.ensure(14);
      this.put(
        `Critical path: ${t.criticalPath
          .map(id => byId.get(id) ?? id)
          .join(' > ')}`,
        MARGIN_X,
        this.y,
        { size: 8, color: C.muted, width: CONTENT_W },
      );
      this.y += 14;
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
      this.ensure(14);
      this.put(
        `Milestones: ${fmtInt(reached)} of ${fmtInt(
          milestones.length,
        )} reached${
          next ? `${DOT}next: ${next.name} (${fmtDate(next.plannedDate)})` : ''
        }`,
        MARGIN_X,
        this.y,
        {
          size: 8,
          color: C.muted,
          width: CONTENT_W,
        },
      );
      this.y += 14;
    }
    this.y += 2;

    if (!t.phases.length) {
      this.note('No phases are planned for this migration.');
    } else {
      this.table<TimelinePhase>(
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
              this.miniBar(
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
      this.y += 8;
      this.subheading('Delays', 40);
      this.table(
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

  // ---- 6. reconciliation ----

  private reconciliation() {
    const runs = this.input.reconciliations;
    if (runs === null || runs === undefined) return;
    const latest = latestReconciliations(runs);
    const connected = !!(
      this.input.migration.source?.connection &&
      this.input.migration.destination?.connection
    );
    const newest = latest.reduce<string | null>(
      (acc, x) => (acc === null || x.at > acc ? x.at : acc),
      null,
    );
    this.section(
      'Reconciliation',
      runs.length
        ? `${plural(runs.length, 'run')}${DOT}latest ${fmtDateTime(newest)}`
        : undefined,
      latest.length ? 212 : 14,
    );
    if (!latest.length) {
      this.note(
        connected
          ? 'No reconciliation has finished yet.'
          : 'Reconciliation compares source and destination once the plan names their connections.',
      );
      return;
    }

    // Where every dataset stands, in one line.
    const counts = outcomeCounts(latest);
    const notYet = this.input.migration.datasets.filter(
      d => !latest.some(x => x.dataset === d.name),
    ).length;
    let x = MARGIN_X;
    for (const outcome of OUTCOME_ORDER) {
      if (!counts[outcome]) continue;
      x +=
        this.pill(
          `${fmtInt(counts[outcome])} ${outcome}`,
          x,
          this.y,
          OUTCOME_COLOR[outcome],
        ) + 6;
    }
    const reconciled = `${plural(latest.length, 'dataset')} reconciled${
      notYet ? `${DOT}${fmtInt(notYet)} not yet` : ''
    }`;
    this.put(reconciled, x + 4, this.y + 1.5, {
      size: 8,
      color: C.muted,
      width: MARGIN_X + CONTENT_W - x - 4,
    });
    this.y += 20;

    this.driftChart(runs, MARGIN_X, this.y, CONTENT_W, 180);
    this.y += 180 + 12;

    const shown = latest.slice(0, MAX_RECONCILED_ROWS);
    this.subheading(
      shown.length < latest.length
        ? `Latest result per dataset, worst ${shown.length} of ${fmtInt(
            latest.length,
          )} (all in the detailed workbook)`
        : 'Latest result per dataset, worst first',
      17 + 16 * Math.min(3, shown.length),
    );
    this.table<LatestReconciliation>(
      'Reconciliation',
      [
        { header: 'Dataset', width: 104, text: r => r.dataset, bold: true },
        {
          header: 'Level',
          width: 62,
          draw: (r, cx, cy) =>
            this.pill(r.outcome, cx, cy - 2, OUTCOME_COLOR[r.outcome], {
              width: 54,
            }),
        },
        {
          header: 'Drift',
          width: 50,
          align: 'right',
          text: r => fmtRatio(r.result.driftRatio),
          color: r => OUTCOME_COLOR[r.outcome],
          bold: true,
        },
        {
          header: 'Source',
          width: 54,
          align: 'right',
          text: r => fmtInt(r.result.sourceCount),
        },
        {
          header: 'Dest.',
          width: 54,
          align: 'right',
          text: r => fmtInt(r.result.destinationCount),
        },
        {
          header: 'Missing',
          width: 54,
          align: 'right',
          text: r =>
            r.result.missingInDestination === null &&
            r.result.missingInSource === null
              ? DASH
              : `${fmtInt(r.result.missingInDestination)} / ${fmtInt(
                  r.result.missingInSource,
                )}`,
        },
        {
          header: 'Differ',
          width: 42,
          align: 'right',
          text: r => fmtInt(r.result.mismatched),
        },
        {
          header: 'When',
          width: CONTENT_W - 420,
          align: 'right',
          text: r => fmtShort(r.at),
          color: () => C.muted,
        },
      ],
      shown,
    );
    const failed = shown.filter(r => r.result.error);
    this.y += 4;
    this.ensure(12);
    this.put(
      'Missing: rows missing in the destination / in the source. Differ: rows whose compared columns differ. Drift: share of rows that differ.',
      MARGIN_X,
      this.y,
      { size: 7, color: C.muted, width: CONTENT_W },
    );
    this.y += 12;
    for (const r of failed.slice(0, 5)) {
      this.ensure(12);
      this.put(`${r.dataset}: ${r.result.error}`, MARGIN_X, this.y, {
        size: 7.5,
        color: OUTCOME_COLOR.FAILED,
        width: CONTENT_W,
      });
      this.y += 12;
    }
    this.integrity(runs);
  }

  /** Foreign-key relations and golden queries of the newest run that checked them. */
  private integrity(runs: ReconciliationRun[]) {
    const latest = latestIntegrity(runs);
    if (!latest || !latest.lines.length) return;
    this.y += 6;
    this.subheading(
      `Integrity (reconciliation of ${fmtDateTime(runTime(latest.run))})`,
      17 + 16 * Math.min(3, latest.lines.length),
    );
    const color = (result: string) =>
      result === 'OK' || result === 'EQUAL'
        ? OUTCOME_COLOR.OK
        : OUTCOME_COLOR.CRITICAL;
    this.table<IntegrityLine>(
      'Integrity',
      [
        { header: 'Check', width: 70, text: l => l.kind, color: () => C.muted },
        { header: 'Name', width: 150, text: l => l.name, bold: true },
        {
          header: 'Result',
          width: 66,
          draw: (l, cx, cy) =>
            this.pill(l.result, cx, cy - 2, color(l.result), { width: 58 }),
        },
        { header: 'Figures', width: 130, text: l => l.figures },
        {
          header: 'Detail',
          width: CONTENT_W - 416,
          text: l => l.detail,
          color: () => C.muted,
        },
      ],
      latest.lines.slice(0, 20),
    );
  }

  /** Drift ratio over time for the datasets that drifted most, with the thresholds. */
  private driftChart(
    runs: ReconciliationRun[],
    x0: number,
    y0: number,
    w: number,
    h: number,
  ) {
    const { doc } = this;
    const { series, datasets } = driftSeries(runs, SERIES_STYLE.length);
    const thresholds = currentThresholds(runs);
    doc
      .roundedRect(x0, y0, w, h, 4)
      .lineWidth(0.5)
      .strokeColor(C.rule)
      .stroke();
    this.put('Drift over time', x0 + 10, y0 + 8, {
      font: 'bold',
      size: 9,
      color: C.ink,
      width: w / 2,
    });
    this.put(
      datasets > series.length
        ? `the ${series.length} of ${fmtInt(
            datasets,
          )} datasets that drifted most`
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
      this.put('No drift figures yet', plotX, plotY + plotH / 2 - 5, {
        font: 'italic',
        size: 9,
        color: C.muted,
        width: plotW,
        align: 'center',
      });
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
      doc
        .moveTo(plotX, yAt(v))
        .lineTo(plotX + plotW, yAt(v))
        .lineWidth(0.5)
        .strokeColor(k === 0 ? C.faint : C.rule)
        .stroke();
      this.put(fmtRatio(v), x0 + 2, yAt(v) - 3, {
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
          doc.save();
          doc
            .moveTo(ax, ay)
            .lineTo(bx, ay)
            .lineWidth(0.7)
            .strokeColor(color)
            .dash(2.5, { space: 2 })
            .stroke();
          doc.restore();
          doc.undash();
        }
        this.put(`${name} at ${fmtRatio(v)}`, legendX + 18, legendY, {
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
      this.put(s.dataset, lx + 18, ly, {
        size: 7,
        color: C.text,
        width: legendW - 24,
      });
      this.put(`last ${fmtRatio(last.drift)}`, lx + 18, ly + 8, {
        size: 6.5,
        color: C.muted,
        width: legendW - 24,
      });
    });
    const axisY = plotY + plotH + 5;
    this.put(fmtShort(new Date(t0)), plotX, axisY, {
      size: 6.5,
      color: C.muted,
      width: plotW / 3,
      align: span > 0 ? 'left' : 'center',
    });
    if (span > 0) {
      this.put(fmtShort(new Date(t0 + span / 2)), plotX + plotW / 3, axisY, {
        size: 6.5,
        color: C.muted,
        width: plotW / 3,
        align: 'center',
      });
      this.put(fmtShort(new Date(t1)), plotX + (2 * plotW) / 3, axisY, {
        size: 6.5,
        color: C.muted,
        width: plotW / 3,
        align: 'right',
      });
    }
  }

  // ---- 7. freeze windows ----

  private freezeWindows() {
    const windows = this.input.freezeWindows;
    if (windows === null || windows === undefined) return;
    const ordered = orderFreezeWindows(windows);
    const count = (status: string) =>
      windows.filter(w => w.status === status).length;
    this.section(
      'Freeze windows',
      windows.length
        ? `${fmtInt(count('ACTIVE'))} active${DOT}${fmtInt(
            count('PLANNED'),
          )} planned${DOT}${plural(windows.length, 'window')}`
        : undefined,
      windows.length ? 17 + 26 * Math.min(3, windows.length) : 14,
    );
    if (!windows.length) {
      this.note('No freeze windows are planned.');
      return;
    }
    const shown = ordered.slice(0, MAX_FREEZE_ROWS);
    this.table<FreezeWindow>(
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
            this.pill(
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
      this.y += 4;
      this.note(
        `${fmtInt(
          ordered.length - shown.length,
        )} older windows are in the detailed workbook.`,
      );
    }
  }

  // ---- 8. datasets ----

  private datasets() {
    const { datasets } = this.input.dashboard;
    const completed = datasets.filter(x => x.status === 'COMPLETED').length;
    const attention = datasets.filter(
      x => x.status === 'FAILED' || x.status === 'STALLED',
    ).length;
    this.section(
      'Datasets',
      `${plural(datasets.length, 'dataset')}${DOT}${fmtInt(
        completed,
      )} completed${DOT}${fmtInt(attention)} failed or stalled`,
      60,
    );
    if (!datasets.length) {
      this.note('This migration has no datasets.');
      return;
    }
    this.table<DashboardDataset>(
      'Datasets',
      [
        { header: 'Dataset', width: 158, text: x => x.name, bold: true },
        {
          header: 'Tier',
          width: 36,
          align: 'center',
          text: x => fmtInt(x.tier),
        },
        {
          header: 'Progress',
          width: 108,
          draw: (x, cx, cy, w) =>
            this.miniBar(
              x.overallProgress,
              cx,
              cy,
              w,
              STATUS_COLOR[x.status] ?? C.accent,
            ),
        },
        {
          header: 'Quality',
          width: 50,
          align: 'right',
          text: x => fmtOne(x.qualityScore),
          color: x => qualityColor(x.qualityScore),
        },
        {
          header: 'Status',
          width: 74,
          text: x => sentence(x.status),
          color: x => STATUS_COLOR[x.status],
        },
        {
          header: 'Cutover state',
          width: CONTENT_W - 426,
          text: x => sentence(x.cutoverState),
          color: x => STATUS_COLOR[x.cutoverState] ?? C.text,
        },
      ],
      datasets,
      15,
    );
  }

  // ---- 8b. resources and cost (only once jobs report them) ----

  private resources() {
    const { dashboard: d } = this.input;
    const total = d.resources;
    if (!total) return;
    const money = (n: number | null | undefined) =>
      finite(n) ? `${MONEY.format(n)} ${total.currency}` : DASH;
    const rows = d.datasets.filter(x => x.resources);
    this.section(
      'Resources and cost',
      `${money(total.cost)} to date${DOT}${money(
        total.projectedCost,
      )} projected at completion`,
      60,
    );
    this.note(
      `${fmtBytes(total.bytesMoved)} moved${DOT}${fmtBytes(
        total.bytesPerSecond,
      )}/s now${DOT}${fmtOne(total.cpuSeconds)} CPU seconds${DOT}memory peak ${fmtBytes(
        total.memoryPeakBytes,
      )}. Projected cost: cost to date over the share of records handled.`,
    );
    this.y += 4;
    this.table<DashboardDataset>(
      'Resources and cost',
      [
        { header: 'Dataset', width: 110, text: x => x.name, bold: true },
        {
          header: 'Moved',
          width: 62,
          align: 'right',
          text: x => fmtBytes(x.resources?.bytesMoved),
        },
        {
          header: 'Bytes/s',
          width: 62,
          align: 'right',
          text: x => fmtBytes(x.resources?.bytesPerSecond),
        },
        {
          header: 'CPU s',
          width: 50,
          align: 'right',
          text: x => fmtOne(x.resources?.cpuSeconds),
        },
        {
          header: 'Cost',
          width: 74,
          align: 'right',
          text: x => money(x.resources?.cost),
        },
        {
          header: 'Errors by type',
          width: CONTENT_W - 358,
          lines: 2,
          text: x =>
            Object.entries(x.errorsByType ?? {})
              .sort((a, b) => b[1] - a[1])
              .map(([type, n]) => `${type} ${fmtInt(n)}`)
              .join(', ') || DASH,
        },
      ],
      rows,
      24,
    );
  }

  // ---- 9. snapshots ----

  private snapshots() {
    const { snapshots } = this.input;
    if (snapshots === null || snapshots === undefined) {
      this.section('Snapshots', undefined, 14);
      this.note('Snapshots: not available on this installation');
      return;
    }
    const latest = [...snapshots]
      .sort(
        (a, b) =>
          (toDate(b.createdAt)?.getTime() ?? 0) -
          (toDate(a.createdAt)?.getTime() ?? 0),
      )
      .slice(0, 5);
    this.section(
      'Snapshots',
      snapshots.length
        ? `latest ${latest.length} of ${fmtInt(snapshots.length)}`
        : undefined,
      40,
    );
    if (!snapshots.length) {
      this.note('No snapshots taken');
      return;
    }
    const total = (s: Snapshot) =>
      Object.values(s.recordCounts ?? {}).reduce(
        (sum, n) => sum + (finite(n) ? n : 0),
        0,
      );
    this.table<Snapshot>(
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
}

/**
 * The executive summary PDF (A4): status headline, progress and quality charts, blockers,
 * top alerts, timeline, datasets and snapshots. Streams into `out` and resolves once `out`
 * has taken all of it.
 */
export async function writeExecutivePdf(
  input: ExecutivePdfInput,
  out: Writable,
): Promise<void> {
  const doc = new PDFDocument({
    size: 'A4',
    // No built-in font: every piece of text is set in the embedded fonts of PdfText.
    font: '',
    bufferPages: true,
    margins: {
      top: 48,
      bottom: PAGE_H - CONTENT_BOTTOM,
      left: MARGIN_X,
      right: MARGIN_X,
    },
    info: {
      Title: `${input.migration.title} - executive summary`,
      Author: 'Switchyard',
      Subject: `Migration ${input.migration.id}`,
      CreationDate: input.generatedAt,
    },
  });
  // Lay everything out before anything reaches `out`, so a failure leaves it untouched.
  new ExecutiveReport(doc, input).render();
  const finished = new Promise<void>((resolve, reject) => {
    out.once('finish', resolve);
    out.once('error', reject);
    doc.once('error', reject);
  });
  doc.pipe(out);
  doc.end();
  await finished;
}
