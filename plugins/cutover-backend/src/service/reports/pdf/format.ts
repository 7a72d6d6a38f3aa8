// How the executive summary writes numbers, dates and durations (UTC, en-US).

export const DASH = '\u2014';
export const DOT = ' \u00b7 ';
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

export const finite = (n: number | null | undefined): n is number =>
  typeof n === 'number' && Number.isFinite(n);
export const fmtInt = (n: number | null | undefined) =>
  finite(n) ? INT.format(n) : DASH;
export const fmtOne = (n: number | null | undefined) =>
  finite(n) ? ONE.format(n) : DASH;
export const MONEY = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
/** 1.5 MB (powers of 1024) */
export function fmtBytes(n: number | null | undefined): string {
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
export const fmtPct = (n: number | null | undefined) =>
  finite(n) ? `${ONE.format(n)}%` : DASH;
export const clamp = (n: number, lo: number, hi: number) =>
  Math.min(hi, Math.max(lo, n));
export const label = (s: string) => s.replace(/_/g, ' ');
/** IN_PROGRESS -> In progress */
export const sentence = (s: string) => {
  const l = label(s).toLowerCase();
  return l.charAt(0).toUpperCase() + l.slice(1);
};
export const plural = (n: number, one: string, many = `${one}s`) =>
  `${fmtInt(n)} ${n === 1 ? one : many}`;

export function toDate(value: string | Date | null | undefined): Date | null {
  if (!value) return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

const pad2 = (n: number) => String(n).padStart(2, '0');
/** 14 Mar 2025 */
export function fmtDate(value: string | Date | null | undefined): string {
  const d = toDate(value);
  return d
    ? `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`
    : DASH;
}
/** 14 Mar 09:30 */
export function fmtShort(value: string | Date | null | undefined): string {
  const d = toDate(value);
  return d
    ? `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${pad2(
        d.getUTCHours(),
      )}:${pad2(d.getUTCMinutes())}`
    : DASH;
}
/** 14 Mar 2025 09:30 UTC */
export function fmtDateTime(value: string | Date | null | undefined): string {
  const d = toDate(value);
  return d
    ? `${fmtDate(d)} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())} UTC`
    : DASH;
}
/** 0.123% for a drift ratio of 0.00123; more decimals for smaller ratios. */
export function fmtRatio(ratio: number | null | undefined): string {
  if (!finite(ratio)) return DASH;
  const pct = ratio * 100;
  if (pct === 0) return '0%';
  let digits = 4;
  if (pct >= 10) digits = 1;
  else if (pct >= 0.01) digits = 3;
  return `${pct.toFixed(digits)}%`;
}
/** The smallest of 1, 2, 2.5 or 5 times a power of ten at or above `v`, for round axis ticks. */
export function niceCeil(v: number): number {
  const power = 10 ** Math.floor(Math.log10(v));
  const step = [1, 2, 2.5, 5, 10].find(m => m * power >= v * (1 - 1e-9))!;
  return step * power;
}
/** 3d 4h, 5h 10m, 45m */
export function fmtDuration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return hours ? `${days}d ${hours}h` : `${days}d`;
  if (hours > 0)
    return minutes % 60 ? `${hours}h ${minutes % 60}m` : `${hours}h`;
  return `${minutes}m`;
}
export function fmtDays(days: number): string {
  return `${ONE.format(Math.abs(days))} ${
    Math.abs(days) === 1 ? 'day' : 'days'
  }`;
}
