/** @jest-environment node */
import { DateTime } from 'luxon';
import { diamond, phase } from '../testTimeline';
import {
  boundaries,
  DAY_MS,
  tickSpec,
  ticksFor,
  timeRange,
  timeToX,
  toMs,
} from './scale';

const NOW = Date.parse('2025-03-08T12:00:00Z');
const isLocalMidnight = (ms: number) =>
  DateTime.fromMillis(ms).startOf('day').toMillis() === ms;

describe('tickSpec', () => {
  it.each([
    [0.5, 'hour', 6, undefined],
    [2, 'hour', 6, undefined],
    [3, 'day', 1, undefined],
    [21, 'day', 1, undefined],
    [22, 'week', 1, 'day'],
    [140, 'week', 1, 'day'],
    [141, 'month', 1, 'week'],
    [800, 'month', 1, 'week'],
  ])('a span of %s days: every %s %s, minor %s', (days, unit, step, minor) => {
    const spec = tickSpec(days * DAY_MS);
    expect(spec.unit).toBe(unit);
    expect(spec.step).toBe(step);
    expect(spec.minor?.unit).toBe(minor);
  });
});

describe('boundaries', () => {
  it('puts hour ticks on 00, 06, 12 and 18 o’clock', () => {
    const start = DateTime.fromISO('2025-03-08T01:30').toMillis();
    const end = DateTime.fromISO('2025-03-09T01:30').toMillis();
    const hours = boundaries(start, end, 'hour', 6).map(
      t => DateTime.fromMillis(t).hour,
    );
    expect(hours).toEqual([6, 12, 18, 0]);
  });

  it.each([
    ['day', '2025-03-01T00:00', '2025-03-10T00:00', 10],
    ['day', '2025-03-01T00:01', '2025-03-10T00:00', 9],
    ['month', '2025-01-15T00:00', '2025-06-15T00:00', 5],
  ] as const)('%s boundaries from %s to %s: %s', (unit, from, to, count) => {
    const ticks = boundaries(
      DateTime.fromISO(from).toMillis(),
      DateTime.fromISO(to).toMillis(),
      unit,
      1,
    );
    expect(ticks).toHaveLength(count);
    for (const t of ticks) {
      expect(DateTime.fromMillis(t).startOf(unit).toMillis()).toBe(t);
    }
  });
});

describe('timeRange', () => {
  it('spans the plan, padded to whole local days', () => {
    const range = timeRange(diamond(), NOW);
    expect(range.hasDates).toBe(true);
    // The diamond's dates run from Mar 1 12:00 to the predicted completion, Mar 16 12:00 (UTC):
    // half a day of padding each side, then out to local midnight.
    expect(range.start).toBe(
      DateTime.fromISO('2025-03-01T00:00:00Z').startOf('day').toMillis(),
    );
    expect(range.end).toBe(
      DateTime.fromISO('2025-03-17T00:00:00Z').endOf('day').toMillis() + 1,
    );
    expect(isLocalMidnight(range.start)).toBe(true);
    expect(isLocalMidnight(range.end)).toBe(true);
  });

  it.each([
    [
      'a running phase reaches now',
      diamond({
        phases: [
          phase({
            id: 'a',
            name: 'A',
            status: 'IN_PROGRESS',
            plannedStart: '2025-03-01T12:00:00Z',
            plannedEnd: '2025-03-02T12:00:00Z',
            actualStart: '2025-03-01T12:00:00Z',
          }),
        ],
        milestones: [],
        plannedStart: null,
        plannedEnd: null,
        predictedCompletion: null,
      }),
      [],
      NOW,
    ],
    [
      'a freeze window after the plan widens it',
      diamond(),
      [{ startsAt: '2025-03-20T12:00:00Z', endsAt: '2025-03-21T12:00:00Z' }],
      toMs('2025-03-21T12:00:00Z')!,
    ],
  ])('%s', (_what, timeline, windows, mustInclude) => {
    const range = timeRange(timeline, NOW, windows as any);
    expect(range.start).toBeLessThan(mustInclude);
    expect(range.end).toBeGreaterThan(mustInclude);
  });

  it('shows a week around now when nothing has a date', () => {
    const timeline = diamond({
      phases: [phase({ id: 'a', name: 'A' })],
      milestones: [],
      plannedStart: null,
      plannedEnd: null,
      predictedCompletion: null,
    });
    const range = timeRange(timeline, NOW);
    expect(range.hasDates).toBe(false);
    expect(range.end - range.start).toBeGreaterThanOrEqual(
      7 * DAY_MS - 3_600_000,
    );
    expect(range.start).toBeLessThan(NOW);
    expect(range.end).toBeGreaterThan(NOW);
  });
});

describe('ticksFor and timeToX', () => {
  it('maps the range onto the plot, on half pixels', () => {
    const range = { start: 0, end: 1000, hasDates: true };
    const x = timeToX(range, 260, 640);
    expect(x(0)).toBe(260);
    expect(x(1000)).toBe(900);
    expect(x(500)).toBe(580);
    expect(x(1)).toBe(260.5);
    expect(x(2)).toBe(261.5);
  });

  it('has minor ticks only with weekly or monthly labels', () => {
    const days = (n: number) => ({
      start: NOW,
      end: NOW + n * DAY_MS,
      hasDates: true,
    });
    expect(ticksFor(days(10)).minor).toEqual([]);
    const weekly = ticksFor(days(60));
    expect(weekly.major.length).toBeGreaterThanOrEqual(8);
    expect(weekly.minor.length).toBeGreaterThanOrEqual(59);
  });
});
