import type {
  DatasetProgressStatus,
  ErrorCounts,
  QualityDimensions,
  QualityTrend,
} from '../types';

/** Counters of one dataset at one moment (absolute, as jobs report them). @public */
export interface CounterPoint {
  at: number;
  importedRecords: number;
}

/**
 * Percentage of records handled (imported, failed or skipped) out of the total, 0-100 with two decimals.
 * A dataset with no known total is 0% until it is known, 100% when it is empty and complete.
 * @public
 */
export function progressPercent(figures: {
  totalRecords: number;
  importedRecords: number;
  failedRecords?: number;
  skippedRecords?: number;
}): number {
  const handled =
    figures.importedRecords +
    (figures.failedRecords ?? 0) +
    (figures.skippedRecords ?? 0);
  if (figures.totalRecords <= 0) return 0;
  const pct = (handled / figures.totalRecords) * 100;
  return Math.round(Math.min(100, Math.max(0, pct)) * 100) / 100;
}

/**
 * Import rate in records per minute over a window ending at the newest point:
 * the increase of the absolute counter between the oldest and newest point inside the window.
 * Points may come in any order. Returns 0 with fewer than two points in the window.
 * @public
 */
export function importRatePerMinute(
  points: CounterPoint[],
  windowMs: number,
): number {
  if (points.length < 2) return 0;
  let newest = points[0];
  for (const p of points) if (p.at > newest.at) newest = p;
  const from = newest.at - windowMs;
  let oldest: CounterPoint | undefined;
  for (const p of points) {
    if (p.at >= from && p.at < newest.at && (!oldest || p.at < oldest.at)) {
      oldest = p;
    }
  }
  if (!oldest) return 0;
  const minutes = (newest.at - oldest.at) / 60_000;
  const delta = newest.importedRecords - oldest.importedRecords;
  if (minutes <= 0 || delta <= 0) return 0;
  return Math.round((delta / minutes) * 100) / 100;
}

/**
 * Estimated completion time: now plus the remaining records at the given rate.
 * Undefined when the rate is zero (no estimate), now when nothing remains.
 * @public
 */
export function estimateCompletion(
  remainingRecords: number,
  ratePerMinute: number,
  now: number,
): number | undefined {
  if (remainingRecords <= 0) return now;
  if (!(ratePerMinute > 0)) return undefined;
  return Math.round(now + (remainingRecords / ratePerMinute) * 60_000);
}

/**
 * Quality score of one sample: the mean of the dimensions it reports, or null when it reports none.
 * @public
 */
export function qualityScore(dims: QualityDimensions): number | null {
  const values = [
    dims.completeness,
    dims.validity,
    dims.consistency,
    dims.accuracy,
  ].filter((v): v is number => typeof v === 'number');
  if (!values.length) return null;
  return round2(values.reduce((a, b) => a + b, 0) / values.length);
}

/**
 * Record-weighted mean of each quality dimension across datasets; weights are the records
 * processed so far (at least 1 so a dataset that reported quality before records still counts).
 * @public
 */
export function weightedQuality(
  rows: Array<QualityDimensions & { weight: number }>,
): QualityDimensions {
  const dims = ['completeness', 'validity', 'consistency', 'accuracy'] as const;
  const out: QualityDimensions = {
    completeness: null,
    validity: null,
    consistency: null,
    accuracy: null,
  };
  for (const dim of dims) {
    let sum = 0;
    let weights = 0;
    for (const row of rows) {
      const v = row[dim];
      if (typeof v === 'number') {
        const w = Math.max(1, row.weight);
        sum += v * w;
        weights += w;
      }
    }
    out[dim] = weights ? round2(sum / weights) : null;
  }
  return out;
}

/**
 * Quality trend: up or down when the score moved by more than `epsilon` points, else flat.
 * @public
 */
export function qualityTrend(
  previous: number | null | undefined,
  current: number | null | undefined,
  epsilon = 0.5,
): QualityTrend {
  if (typeof previous !== 'number' || typeof current !== 'number') return 'flat';
  if (current - previous > epsilon) return 'up';
  if (previous - current > epsilon) return 'down';
  return 'flat';
}

/**
 * Status of a dataset from its figures: completed when every record was handled, failed when
 * every handled record failed, stalled when it has started but no sample came within `stallMs`.
 * @public
 */
export function datasetStatus(
  figures: {
    totalRecords: number;
    importedRecords: number;
    failedRecords: number;
    skippedRecords: number;
    lastSampleAt: number | null;
  },
  now: number,
  stallMs: number,
): DatasetProgressStatus {
  const handled =
    figures.importedRecords + figures.failedRecords + figures.skippedRecords;
  if (figures.totalRecords > 0 && handled >= figures.totalRecords) {
    return figures.importedRecords === 0 && figures.failedRecords > 0
      ? 'FAILED'
      : 'COMPLETED';
  }
  if (handled === 0 || figures.lastSampleAt === null) return 'NOT_STARTED';
  if (now - figures.lastSampleAt > stallMs) return 'STALLED';
  return 'IN_PROGRESS';
}

/** Sums error counts. @public */
export function sumErrors(list: ErrorCounts[]): ErrorCounts {
  return list.reduce(
    (acc, e) => ({
      critical: acc.critical + e.critical,
      high: acc.high + e.high,
      medium: acc.medium + e.medium,
      low: acc.low + e.low,
    }),
    { critical: 0, high: 0, medium: 0, low: 0 },
  );
}

function round2(n: number) {
  return Math.round(n * 100) / 100;
}
