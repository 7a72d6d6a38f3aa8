import { nextScheduledRun, ScheduleTiming } from './schedules';

const cases: Array<{
  what: string;
  timing: ScheduleTiming;
  after: string;
  anchor?: string;
  expected: string;
}> = [
  {
    what: 'daily, later the same day',
    timing: { frequency: 'DAILY', time: '09:00', timezone: 'UTC' },
    after: '2026-03-10T08:59:00Z',
    expected: '2026-03-10T09:00:00.000Z',
  },
  {
    what: 'daily, exactly at the slot moves to the next day',
    timing: { frequency: 'DAILY', time: '09:00', timezone: 'UTC' },
    after: '2026-03-10T09:00:00Z',
    expected: '2026-03-11T09:00:00.000Z',
  },
  {
    what: 'daily keeps 09:00 Berlin across spring forward (+01:00 -> +02:00)',
    timing: { frequency: 'DAILY', time: '09:00', timezone: 'Europe/Berlin' },
    after: '2026-03-29T07:30:00Z',
    expected: '2026-03-29T07:00:00.000Z'.replace('29T07', '30T07'),
  },
  {
    what: 'daily, Saturday 09:00 Berlin is still +01:00',
    timing: { frequency: 'DAILY', time: '09:00', timezone: 'Europe/Berlin' },
    after: '2026-03-28T00:00:00Z',
    expected: '2026-03-28T08:00:00.000Z',
  },
  {
    what: 'daily, the spring-forward day itself at 09:00 is +02:00',
    timing: { frequency: 'DAILY', time: '09:00', timezone: 'Europe/Berlin' },
    after: '2026-03-29T00:00:00Z',
    expected: '2026-03-29T07:00:00.000Z',
  },
  {
    what: 'daily at a time skipped by spring forward runs an hour later',
    timing: { frequency: 'DAILY', time: '02:30', timezone: 'Europe/Berlin' },
    after: '2026-03-28T12:00:00Z',
    expected: '2026-03-29T01:30:00.000Z',
  },
  {
    what: 'daily at a time repeated by fall back runs at its first occurrence',
    timing: { frequency: 'DAILY', time: '02:30', timezone: 'Europe/Berlin' },
    after: '2026-10-24T12:00:00Z',
    expected: '2026-10-25T00:30:00.000Z',
  },
  {
    what: 'daily after the first occurrence of a repeated time does not run again that night',
    timing: { frequency: 'DAILY', time: '02:30', timezone: 'Europe/Berlin' },
    after: '2026-10-25T00:30:00Z',
    expected: '2026-10-26T01:30:00.000Z',
  },
  {
    what: 'daily in New York across its November fall back',
    timing: { frequency: 'DAILY', time: '08:00', timezone: 'America/New_York' },
    after: '2026-11-01T11:00:00Z',
    expected: '2026-11-01T13:00:00.000Z',
  },
  {
    what: 'daily in a zone ahead of UTC crosses the UTC date line',
    timing: { frequency: 'DAILY', time: '07:00', timezone: 'Australia/Sydney' },
    after: '2026-11-22T21:00:00Z',
    expected: '2026-11-23T20:00:00.000Z',
  },
  {
    what: 'weekly on Monday from a Wednesday',
    timing: { frequency: 'WEEKLY', dayOfWeek: 1, time: '10:00', timezone: 'UTC' },
    after: '2026-11-18T12:00:00Z',
    expected: '2026-11-23T10:00:00.000Z',
  },
  {
    what: 'weekly on Sunday across the end of the year',
    timing: { frequency: 'WEEKLY', dayOfWeek: 7, time: '18:00', timezone: 'UTC' },
    after: '2026-12-28T00:00:00Z',
    expected: '2027-01-03T18:00:00.000Z',
  },
  {
    what: 'weekly Monday 09:00 Berlin, the week after spring forward',
    timing: { frequency: 'WEEKLY', dayOfWeek: 1, time: '09:00', timezone: 'Europe/Berlin' },
    after: '2026-03-23T08:00:00Z',
    expected: '2026-03-30T07:00:00.000Z',
  },
  {
    what: 'biweekly skips the off week counted from the anchor',
    timing: { frequency: 'BIWEEKLY', dayOfWeek: 5, time: '16:00', timezone: 'UTC' },
    anchor: '2026-11-02T00:00:00Z',
    after: '2026-11-06T16:00:00Z',
    expected: '2026-11-20T16:00:00.000Z',
  },
  {
    what: 'biweekly, first run is the first matching day after the anchor',
    timing: { frequency: 'BIWEEKLY', dayOfWeek: 5, time: '16:00', timezone: 'UTC' },
    anchor: '2026-11-02T00:00:00Z',
    after: '2026-11-02T00:00:00Z',
    expected: '2026-11-06T16:00:00.000Z',
  },
  {
    what: 'biweekly long after the anchor stays on the anchor fortnight',
    timing: { frequency: 'BIWEEKLY', dayOfWeek: 5, time: '16:00', timezone: 'UTC' },
    anchor: '2026-11-02T00:00:00Z',
    after: '2027-03-01T00:00:00Z',
    expected: '2027-03-12T16:00:00.000Z',
  },
  {
    what: 'biweekly keeps local time across DST',
    timing: { frequency: 'BIWEEKLY', dayOfWeek: 1, time: '09:00', timezone: 'Europe/Berlin' },
    anchor: '2026-03-16T00:00:00Z',
    after: '2026-03-16T09:00:00Z',
    expected: '2026-03-30T07:00:00.000Z',
  },
  {
    what: 'monthly on the 31st runs on the 30th of a 30-day month',
    timing: { frequency: 'MONTHLY', dayOfMonth: 31, time: '06:00', timezone: 'UTC' },
    after: '2026-04-01T00:00:00Z',
    expected: '2026-04-30T06:00:00.000Z',
  },
  {
    what: 'monthly on the 31st runs on 28 February in a common year',
    timing: { frequency: 'MONTHLY', dayOfMonth: 31, time: '06:00', timezone: 'UTC' },
    after: '2027-02-01T00:00:00Z',
    expected: '2027-02-28T06:00:00.000Z',
  },
  {
    what: 'monthly on the 30th runs on 29 February in a leap year',
    timing: { frequency: 'MONTHLY', dayOfMonth: 30, time: '06:00', timezone: 'UTC' },
    after: '2028-02-01T00:00:00Z',
    expected: '2028-02-29T06:00:00.000Z',
  },
  {
    what: 'monthly after the clamped day moves to the next month and unclamps',
    timing: { frequency: 'MONTHLY', dayOfMonth: 31, time: '06:00', timezone: 'UTC' },
    after: '2026-04-30T06:00:00Z',
    expected: '2026-05-31T06:00:00.000Z',
  },
  {
    what: 'monthly across the end of the year',
    timing: { frequency: 'MONTHLY', dayOfMonth: 1, time: '00:00', timezone: 'UTC' },
    after: '2026-12-01T00:00:00Z',
    expected: '2027-01-01T00:00:00.000Z',
  },
  {
    what: 'monthly on the 1st at 00:30 Berlin is the previous UTC day',
    timing: { frequency: 'MONTHLY', dayOfMonth: 1, time: '00:30', timezone: 'Europe/Berlin' },
    after: '2026-06-15T00:00:00Z',
    expected: '2026-06-30T22:30:00.000Z',
  },
  {
    what: 'monthly on the last Sunday of March at a skipped time',
    timing: { frequency: 'MONTHLY', dayOfMonth: 29, time: '02:15', timezone: 'Europe/Berlin' },
    after: '2026-03-01T00:00:00Z',
    expected: '2026-03-29T01:15:00.000Z',
  },
];

describe('nextScheduledRun', () => {
  it.each(cases)('$what', ({ timing, after, anchor, expected }) => {
    const next = nextScheduledRun(
      timing,
      new Date(after),
      anchor ? new Date(anchor) : undefined,
    );
    expect(next.toISOString()).toBe(expected);
  });

  it('produces strictly increasing runs that never repeat a slot', () => {
    const timing: ScheduleTiming = {
      frequency: 'DAILY',
      time: '02:30',
      timezone: 'Europe/Berlin',
    };
    let at = new Date('2026-01-01T00:00:00Z');
    const seen = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const next = nextScheduledRun(timing, at);
      expect(next.getTime()).toBeGreaterThan(at.getTime());
      expect(seen.has(next.toISOString())).toBe(false);
      seen.add(next.toISOString());
      at = next;
    }
    expect(seen.size).toBe(400);
  });

  it('refuses a weekly schedule without its day', () => {
    expect(() =>
      nextScheduledRun({ frequency: 'WEEKLY', time: '09:00' }, new Date()),
    ).toThrow(/dayOfWeek/);
  });
});
