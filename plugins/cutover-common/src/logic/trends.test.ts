import { bucketTrends, samplesToDrop, TrendSample } from './trends';

const HOUR = 3_600_000;
const sample = (dataset: string, at: number, imported: number, extra: Partial<TrendSample> = {}): TrendSample => ({
  dataset,
  at,
  totalRecords: null,
  importedRecords: imported,
  failedRecords: null,
  skippedRecords: null,
  completeness: null,
  validity: null,
  consistency: null,
  accuracy: null,
  ...extra,
});

describe('bucketTrends', () => {
  it('carries absolute counters forward and sums datasets per bucket', () => {
    const series = bucketTrends(
      [
        sample('a', 0.5 * HOUR, 100),
        sample('b', 0.5 * HOUR, 50),
        sample('a', 1.5 * HOUR, 300, { validity: 80 }),
        // b reports nothing in the second hour: its 50 carries forward.
        sample('a', 2.5 * HOUR, 600, { validity: 90 }),
        sample('b', 2.5 * HOUR, 150, { validity: 70 }),
      ],
      { from: 0, to: 3 * HOUR - 1, bucketMs: HOUR, totals: { a: 1000, b: 1000 } },
    );
    expect(series.timestamps).toEqual([0, HOUR, 2 * HOUR]);
    expect(series.importedRecords).toEqual([150, 350, 750]);
    expect(series.progressPercent).toEqual([7.5, 17.5, 37.5]);
    expect(series.importRate).toEqual([0, 200 / 60, 400 / 60].map(r => Math.round(r * 100) / 100));
    expect(series.validity).toEqual([null, 80, (90 * 600 + 70 * 150) / 750]);
  });

  it('seeds the first bucket with samples from before the range, in any order', () => {
    const series = bucketTrends(
      [sample('a', 5 * HOUR, 500), sample('a', -10 * HOUR, 200)],
      { from: 0, to: 6 * HOUR - 1, bucketMs: 2 * HOUR, totals: { a: 1000 } },
    );
    expect(series.importedRecords).toEqual([200, 200, 500]);
  });

  it('keeps the same figures when old samples are downsampled', () => {
    const raw: TrendSample[] = [];
    for (let m = 0; m < 180; m += 1) raw.push(sample('a', m * 60_000, m * 10));
    const dropped = new Set(samplesToDrop(raw, 5 * 60_000));
    const thinned = raw.filter(s => !dropped.has(s));
    expect(thinned).toHaveLength(36);
    const options = { from: 0, to: 3 * HOUR - 1, bucketMs: HOUR, totals: { a: 5000 } };
    expect(bucketTrends(thinned, options)).toEqual(bucketTrends(raw, options));
  });
});
