import type { FreezeWindow, Timeline } from '@switchyard/plugin-cutover-common';
import { DateTime, DateTimeUnit } from 'luxon';

/** One day in milliseconds. */
export const DAY_MS = 86_400_000;

/** An ISO timestamp in milliseconds, or null when missing or invalid. */
export function toMs(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const dt = DateTime.fromISO(iso);
  return dt.isValid ? dt.toMillis() : null;
}

/** The span of time the chart shows. */
export interface TimeRange {
  start: number;
  end: number;
  /** False when nothing in the timeline had a date: the range is a week around now. */
  hasDates: boolean;
}

/**
 * Earliest and latest date of the timeline (a running phase reaches now) and of the freeze
 * windows, padded and rounded to whole days.
 */
export function timeRange(
  timeline: Timeline,
  now: number,
  windows: FreezeWindow[] = [],
): TimeRange {
  const dates: number[] = [];
  const add = (iso: string | null | undefined) => {
    const ms = toMs(iso);
    if (ms !== null) dates.push(ms);
  };
  for (const p of timeline.phases) {
    add(p.plannedStart);
    add(p.plannedEnd);
    add(p.actualStart);
    add(p.actualEnd);
    if (p.status === 'IN_PROGRESS' && p.actualStart && !p.actualEnd) {
      dates.push(now);
    }
  }
  for (const m of timeline.milestones) {
    add(m.plannedDate);
    add(m.actualDate);
  }
  add(timeline.plannedStart);
  add(timeline.plannedEnd);
  add(timeline.predictedCompletion);
  for (const w of windows) {
    add(w.startsAt);
    add(w.endsAt);
  }

  if (dates.length === 0) {
    const today = DateTime.fromMillis(now).startOf('day');
    return {
      start: today.minus({ days: 3 }).toMillis(),
      end: today.plus({ days: 4 }).toMillis(),
      hasDates: false,
    };
  }
  const min = Math.min(...dates);
  const max = Math.max(...dates);
  const pad = Math.max((max - min) * 0.03, DAY_MS / 2);
  const start = DateTime.fromMillis(min - pad)
    .startOf('day')
    .toMillis();
  let end =
    DateTime.fromMillis(max + pad)
      .endOf('day')
      .toMillis() + 1;
  if (end - start < DAY_MS) end = start + DAY_MS;
  return { start, end, hasDates: true };
}

/** How the axis is divided for a span of time. */
export interface TickSpec {
  unit: DateTimeUnit;
  step: number;
  /** Luxon format of a tick's label. */
  format: string;
  /** Lighter gridlines between labelled ticks, if any. */
  minor?: { unit: DateTimeUnit; step: number };
  /** Minimum pixels between two labelled ticks. */
  spacing: number;
}

/** Hours, days, weeks or months, whichever suits the span. */
export function tickSpec(spanMs: number): TickSpec {
  const days = spanMs / DAY_MS;
  if (days <= 2) {
    return { unit: 'hour', step: 6, format: 'LLL d HH:mm', spacing: 84 };
  }
  if (days <= 21) return { unit: 'day', step: 1, format: 'LLL d', spacing: 44 };
  if (days <= 140) {
    return {
      unit: 'week',
      step: 1,
      format: 'LLL d',
      spacing: 56,
      minor: { unit: 'day', step: 1 },
    };
  }
  return {
    unit: 'month',
    step: 1,
    format: 'LLL yyyy',
    spacing: 68,
    minor: { unit: 'week', step: 1 },
  };
}

/** Boundaries of `unit` (every `step`) inside [start, end], in local time. */
export function boundaries(
  start: number,
  end: number,
  unit: DateTimeUnit,
  step: number,
): number[] {
  const out: number[] = [];
  let t = DateTime.fromMillis(start).startOf(unit);
  if (t.toMillis() < start) t = t.plus({ [unit]: 1 });
  // Whole-number steps from a round boundary keep hour ticks on 00/06/12/18.
  if (unit === 'hour') {
    while (t.hour % step !== 0) t = t.plus({ hours: 1 });
  }
  for (let i = 0; t.toMillis() <= end && i < 2000; i++) {
    out.push(t.toMillis());
    t = t.plus({ [unit]: step });
  }
  return out;
}

/** The labelled and the minor ticks of a range. */
export interface Ticks {
  spec: TickSpec;
  major: number[];
  minor: number[];
}

/** The ticks that suit a range. */
export function ticksFor(range: TimeRange): Ticks {
  const spec = tickSpec(range.end - range.start);
  return {
    spec,
    major: boundaries(range.start, range.end, spec.unit, spec.step),
    minor: spec.minor
      ? boundaries(range.start, range.end, spec.minor.unit, spec.minor.step)
      : [],
  };
}

/** Time to x: the range spread over [left, left + width], on half pixels for crisp edges. */
export function timeToX(
  range: TimeRange,
  left: number,
  width: number,
): (ms: number) => number {
  const span = range.end - range.start;
  return ms => Math.round((left + ((ms - range.start) / span) * width) * 2) / 2;
}

/** Dates of tooltips: with the time of day over a range of three days or less. */
export function dateFormatter(range: TimeRange): (ms: number) => string {
  const format =
    range.end - range.start <= 3 * DAY_MS
      ? DateTime.DATETIME_MED
      : DateTime.DATE_MED;
  return ms => DateTime.fromMillis(ms).toLocaleString(format);
}

/** A tick's label. */
export function tickLabel(at: number, spec: TickSpec): string {
  return DateTime.fromMillis(at).toFormat(spec.format);
}
