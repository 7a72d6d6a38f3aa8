import { DateTime, Duration } from 'luxon';

const integer = new Intl.NumberFormat('en-US');

/** 1234567 -> "1,234,567". */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? '–' : integer.format(Math.round(n));
}

/** Records per minute, compact. */
export function formatRate(perMinute: number): string {
  if (!perMinute) return '0 / min';
  if (perMinute >= 1000) return `${(perMinute / 1000).toFixed(1)}k / min`;
  return `${perMinute.toFixed(perMinute < 10 ? 1 : 0)} / min`;
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** 1536 -> "1.5 KB", 3221225472 -> "3.0 GB" (powers of 1024). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '–';
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  return `${value.toFixed(value < 10 ? 1 : 0)} ${BYTE_UNITS[unit]}`;
}

/** 1234.5, "EUR" -> "€1,234.50"; an unknown currency code is written after the amount. */
export function formatCost(amount: number | null | undefined, currency: string): string {
  if (amount === null || amount === undefined || !Number.isFinite(amount)) return '–';
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

/** "user:default/olivia" -> "olivia"; other refs unchanged. */
export function formatUserRef(ref: string | null | undefined): string {
  return ref ? ref.replace(/^user:(default\/)?/, '') : '–';
}

/** A percentage with one decimal, or a dash. */
export function formatPercent(p: number | null | undefined): string {
  return p === null || p === undefined ? '–' : `${p.toFixed(1)}%`;
}

/** "in 2 hours", "3 minutes ago". */
export function formatRelative(iso: string | null | undefined, now = DateTime.now()): string {
  if (!iso) return '–';
  return DateTime.fromISO(iso).toRelative({ base: now }) ?? '–';
}

/** A duration such as "2d 4h" or "35m". */
export function formatElapsed(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  const d = Duration.fromMillis(ms).shiftTo('days', 'hours', 'minutes', 'seconds');
  if (d.days >= 1) return `${Math.floor(d.days)}d ${Math.floor(d.hours)}h`;
  if (d.hours >= 1) return `${Math.floor(d.hours)}h ${Math.floor(d.minutes)}m`;
  if (d.minutes >= 1) return `${Math.floor(d.minutes)}m`;
  return `${Math.floor(d.seconds)}s`;
}

/** A local date and time for tooltips and tables. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  return DateTime.fromISO(iso).toLocaleString(DateTime.DATETIME_MED);
}

/** The message a person should read from a failed request: the backend's own, when it sent one. */
export function errorMessage(error: Error): string {
  const body = (error as any).body;
  return body?.error?.message ?? error.message;
}
