import {
  datasetStatus,
  estimateCompletion,
  importRatePerMinute,
  progressPercent,
  qualityScore,
  qualityTrend,
  weightedQuality,
} from './progress';
import { defaultBucketFor, parseDuration } from './duration';

describe('progressPercent', () => {
  it.each([
    [{ totalRecords: 0, importedRecords: 0 }, 0],
    [{ totalRecords: 1000, importedRecords: 0 }, 0],
    [{ totalRecords: 1000, importedRecords: 250 }, 25],
    [{ totalRecords: 1000, importedRecords: 250, failedRecords: 50, skippedRecords: 100 }, 40],
    [{ totalRecords: 3, importedRecords: 1 }, 33.33],
    [{ totalRecords: 1000, importedRecords: 1200 }, 100],
  ])('%j -> %d%%', (figures, expected) => {
    expect(progressPercent(figures)).toBe(expected);
  });
});

describe('importRatePerMinute', () => {
  const at = (min: number) => min * 60_000;
  it.each([
    ['no points', [], 15, 0],
    ['one point', [{ at: at(0), importedRecords: 10 }], 15, 0],
    ['steady', [{ at: at(0), importedRecords: 0 }, { at: at(10), importedRecords: 1000 }], 15, 100],
    ['out of order', [{ at: at(10), importedRecords: 1000 }, { at: at(0), importedRecords: 0 }], 15, 100],
    [
      'only inside the window',
      [
        { at: at(0), importedRecords: 0 },
        { at: at(50), importedRecords: 5000 },
        { at: at(60), importedRecords: 5600 },
      ],
      15,
      60,
    ],
    ['counter reset is not negative', [{ at: at(0), importedRecords: 500 }, { at: at(5), importedRecords: 100 }], 15, 0],
  ])('%s', (_name, points, windowMinutes, expected) => {
    expect(importRatePerMinute(points, windowMinutes * 60_000)).toBe(expected);
  });
});

describe('estimateCompletion', () => {
  it.each([
    [1000, 100, 0, 600_000],
    [0, 0, 5, 5],
    [1000, 0, 0, undefined],
    [500, 250, 1_000, 121_000],
  ])('%d remaining at %d/min from %d -> %s', (remaining, rate, now, expected) => {
    expect(estimateCompletion(remaining, rate, now)).toBe(expected);
  });
});

describe('quality', () => {
  it.each([
    [{ completeness: 100, validity: 90, consistency: 80, accuracy: 70 }, 85],
    [{ completeness: 90, validity: null, consistency: null, accuracy: null }, 90],
    [{ completeness: null, validity: null, consistency: null, accuracy: null }, null],
  ])('qualityScore(%j) = %s', (dims, expected) => {
    expect(qualityScore(dims)).toBe(expected);
  });

  it('weights dimensions by records', () => {
    expect(
      weightedQuality([
        { completeness: 100, validity: 100, consistency: null, accuracy: 50, weight: 900 },
        { completeness: 0, validity: null, consistency: null, accuracy: 100, weight: 100 },
      ]),
    ).toEqual({ completeness: 90, validity: 100, consistency: null, accuracy: 55 });
  });

  it.each([
    [80, 90, 'up'],
    [90, 80, 'down'],
    [90, 90.3, 'flat'],
    [null, 90, 'flat'],
  ] as const)('trend from %s to %s is %s', (prev, cur, expected) => {
    expect(qualityTrend(prev, cur)).toBe(expected);
  });
});

describe('datasetStatus', () => {
  const now = 10_000_000;
  const base = { totalRecords: 100, importedRecords: 0, failedRecords: 0, skippedRecords: 0, lastSampleAt: null };
  it.each([
    ['not started', base, 'NOT_STARTED'],
    ['moving', { ...base, importedRecords: 10, lastSampleAt: now - 1000 }, 'IN_PROGRESS'],
    ['stalled', { ...base, importedRecords: 10, lastSampleAt: now - 700_000 }, 'STALLED'],
    ['complete', { ...base, importedRecords: 90, skippedRecords: 10, lastSampleAt: now }, 'COMPLETED'],
    ['all failed', { ...base, failedRecords: 100, lastSampleAt: now }, 'FAILED'],
  ] as const)('%s', (_name, figures, expected) => {
    expect(datasetStatus(figures, now, 600_000)).toBe(expected);
  });
});

describe('durations', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    ['2w', 1_209_600_000],
    ['0m', undefined],
    ['1y', undefined],
    ['abc', undefined],
  ])('parseDuration(%s) = %s', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  it.each([
    ['1h', '1m'],
    ['24h', '15m'],
    ['7d', '1h'],
    ['30d', '6h'],
  ])('default bucket of %s is %s', (range, bucket) => {
    expect(defaultBucketFor(parseDuration(range)!)).toBe(bucket);
  });
});
