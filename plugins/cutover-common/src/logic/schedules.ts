import { DateTime } from 'luxon';
import type { ReportFrequency } from '../types';

/** When a scheduled report runs. @public */
export interface ScheduleTiming {
  frequency: ReportFrequency;
  /** 1 (Monday) - 7 (Sunday); WEEKLY and BIWEEKLY. */
  dayOfWeek?: number | null;
  /** 1-31; MONTHLY. Months without that day run on their last day. */
  dayOfMonth?: number | null;
  /** `HH:mm` local time. */
  time: string;
  /** IANA zone; UTC when absent. */
  timezone?: string | null;
}

/**
 * The first run of a schedule strictly after `after`.
 *
 * Times are wall-clock times in the schedule's zone: a 09:00 daily report stays at 09:00 local
 * across daylight-saving changes. A time that does not exist on a spring-forward day runs at the
 * same minute one hour later; a time that occurs twice on a fall-back day runs once, at its first
 * occurrence. BIWEEKLY schedules run every second week counted from `anchor` (the schedule's
 * creation), so the fortnight does not drift when a run is late.
 * @public
 */
export function nextScheduledRun(
  timing: ScheduleTiming,
  after: Date,
  anchor: Date = after,
): Date {
  const zone = timing.timezone || 'UTC';
  const [hour, minute] = timing.time.split(':').map(Number);
  const afterMs = after.getTime();
  const at = (d: DateTime) => {
    const slot = DateTime.fromObject(
      { year: d.year, month: d.month, day: d.day, hour, minute },
      { zone },
    );
    // A wall time that occurs twice (fall back): luxon picks the later one; take the first.
    for (const minutes of [60, 30]) {
      const earlier = slot.minus({ minutes });
      if (earlier.day === slot.day && earlier.hour === hour && earlier.minute === minute) {
        return earlier;
      }
    }
    return slot;
  };
  const start = DateTime.fromMillis(afterMs, { zone });
  if (!start.isValid) throw new Error(`unknown time zone "${zone}"`);

  switch (timing.frequency) {
    case 'DAILY': {
      for (let day = start.startOf('day'); ; day = day.plus({ days: 1 })) {
        const slot = at(day);
        if (slot.toMillis() > afterMs) return slot.toJSDate();
      }
    }
    case 'WEEKLY':
      return nextWeekly(start, afterMs, requireDay(timing.dayOfWeek, 'dayOfWeek'), at);
    case 'BIWEEKLY': {
      const dow = requireDay(timing.dayOfWeek, 'dayOfWeek');
      const anchorMs = Math.min(anchor.getTime(), afterMs);
      const first = DateTime.fromMillis(
        nextWeekly(DateTime.fromMillis(anchorMs - 1, { zone }), anchorMs - 1, dow, at).getTime(),
        { zone },
      );
      const elapsedWeeks = Math.max(0, Math.floor(start.diff(first, 'weeks').weeks) - 2);
      let k = elapsedWeeks - (elapsedWeeks % 2);
      for (;;) {
        const slot = at(first.plus({ weeks: k }));
        if (slot.toMillis() > afterMs) return slot.toJSDate();
        k += 2;
      }
    }
    case 'MONTHLY': {
      const dom = requireDay(timing.dayOfMonth, 'dayOfMonth');
      for (let month = start.startOf('month'); ; month = month.plus({ months: 1 })) {
        const slot = at(month.set({ day: Math.min(dom, month.daysInMonth ?? 28) }));
        if (slot.toMillis() > afterMs) return slot.toJSDate();
      }
    }
    default:
      throw new Error(`unknown frequency "${String(timing.frequency)}"`);
  }
}

function nextWeekly(
  start: DateTime,
  afterMs: number,
  dayOfWeek: number,
  at: (d: DateTime) => DateTime,
): Date {
  for (let day = start.startOf('day'); ; day = day.plus({ days: 1 })) {
    if (day.weekday === dayOfWeek) {
      const slot = at(day);
      if (slot.toMillis() > afterMs) return slot.toJSDate();
    }
  }
}

function requireDay(value: number | null | undefined, field: string): number {
  if (value === null || value === undefined) throw new Error(`${field} is required`);
  return value;
}
