import type {
  ReportFormat,
  ReportFrequency,
  ReportSchedule,
  ReportType,
} from '@switchyard/plugin-cutover-common';

/** What each kind of report is called, and the one format it comes in. */
export const REPORT_KINDS: Record<
  ReportType,
  { label: string; format: ReportFormat }
> = {
  EXECUTIVE: { label: 'Executive summary', format: 'PDF' },
  DETAILED: { label: 'Detailed workbook', format: 'XLSX' },
  AUDIT_TRAIL: { label: 'Audit trail', format: 'CSV' },
};

/** Labels of the frequencies, as a person says them. */
export const FREQUENCY_LABELS: Record<ReportFrequency, string> = {
  DAILY: 'Daily',
  WEEKLY: 'Weekly',
  BIWEEKLY: 'Every two weeks',
  MONTHLY: 'Monthly',
};

/** ISO weekdays: index 1 is Monday, 7 is Sunday. */
export const WEEKDAYS = [
  '',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
];

/** Whether a frequency runs on a day of the week. */
export function isWeekly(frequency: ReportFrequency): boolean {
  return frequency === 'WEEKLY' || frequency === 'BIWEEKLY';
}

/** "Weekly on Monday at 09:00", "Monthly on day 31 at 08:00 (last day in shorter months)". */
export function describeTiming(
  s: Pick<ReportSchedule, 'frequency' | 'dayOfWeek' | 'dayOfMonth' | 'time'>,
): string {
  if (isWeekly(s.frequency)) {
    return `${FREQUENCY_LABELS[s.frequency]} on ${
      WEEKDAYS[s.dayOfWeek ?? 1]
    } at ${s.time}`;
  }
  if (s.frequency === 'MONTHLY') {
    const day = s.dayOfMonth ?? 1;
    const short = day > 28 ? ' (last day in shorter months)' : '';
    return `Monthly on day ${day} at ${s.time}${short}`;
  }
  return `Daily at ${s.time}`;
}

/** The browser's IANA time zone. */
export function browserTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** IANA zones to choose from, when the browser can list them; otherwise empty. */
export function timeZoneOptions(current: string): string[] {
  if (typeof Intl.supportedValuesOf !== 'function') return [];
  const zones = new Set(Intl.supportedValuesOf('timeZone'));
  zones.add('UTC');
  zones.add(current);
  return [...zones].sort();
}

/** Entity refs typed as a list separated by commas (or spaces). */
export function parseRecipients(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map(r => r.trim())
    .filter(Boolean);
}
