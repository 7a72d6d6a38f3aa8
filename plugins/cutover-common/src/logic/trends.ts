import type { QualityDimensions } from '../types';
import { progressPercent, qualityScore, weightedQuality } from './progress';

/** A stored sample as trend computations need it. @public */
export interface TrendSample extends QualityDimensions {
  dataset: string;
  at: number;
  totalRecords: number | null;
  importedRecords: number | null;
  failedRecords: number | null;
  skippedRecords: number | null;
  /** Absolute counters of resources, when the job sends them. */
  bytesMoved?: number | null;
  cost?: number | null;
}

/** Series computed from samples, one value per bucket. @public */
export interface TrendSeries {
  timestamps: number[];
  progressPercent: number[];
  importedRecords: number[];
  importRate: number[];
  qualityScore: (number | null)[];
  completeness: (number | null)[];
  validity: (number | null)[];
  consistency: (number | null)[];
  accuracy: (number | null)[];
  /** Present when any sample carries bytesMoved. */
  bytesPerSecond?: number[];
  /** Present when any sample carries cost. */
  cost?: number[];
}

interface DatasetState extends QualityDimensions {
  totalRecords: number;
  importedRecords: number;
  failedRecords: number;
  skippedRecords: number;
  bytesMoved?: number;
  cost?: number;
}

/**
 * Buckets samples into series over `[from, to]`. Counters are absolute, so each bucket reports,
 * per dataset, the newest values seen up to the bucket's end (carried forward), then sums them.
 * Samples before `from` seed the carried values; samples may arrive in any order.
 * `totals` gives each dataset's planned total when samples don't carry one.
 * @public
 */
export function bucketTrends(
  samples: TrendSample[],
  options: {
    from: number;
    to: number;
    bucketMs: number;
    totals?: Record<string, number>;
  },
): TrendSeries {
  const { from, to, bucketMs } = options;
  const sorted = [...samples].sort((a, b) => a.at - b.at);
  const state = new Map<string, DatasetState>();
  /** A dataset before its first sample. */
  const notStarted = (totalRecords: number): DatasetState => ({
    totalRecords,
    importedRecords: 0,
    failedRecords: 0,
    skippedRecords: 0,
    completeness: null,
    validity: null,
    consistency: null,
    accuracy: null,
  });
  const out: TrendSeries = {
    timestamps: [],
    progressPercent: [],
    importedRecords: [],
    importRate: [],
    qualityScore: [],
    completeness: [],
    validity: [],
    consistency: [],
    accuracy: [],
  };
  const apply = (s: TrendSample) => {
    const prev =
      state.get(s.dataset) ?? notStarted(options.totals?.[s.dataset] ?? 0);
    state.set(s.dataset, {
      totalRecords: s.totalRecords ?? prev.totalRecords,
      importedRecords: s.importedRecords ?? prev.importedRecords,
      failedRecords: s.failedRecords ?? prev.failedRecords,
      skippedRecords: s.skippedRecords ?? prev.skippedRecords,
      completeness: s.completeness ?? prev.completeness,
      validity: s.validity ?? prev.validity,
      consistency: s.consistency ?? prev.consistency,
      accuracy: s.accuracy ?? prev.accuracy,
      bytesMoved: s.bytesMoved ?? prev.bytesMoved,
      cost: s.cost ?? prev.cost,
    });
  };
  const withBytes = sorted.some(s => s.bytesMoved !== null && s.bytesMoved !== undefined);
  const withCost = sorted.some(s => s.cost !== null && s.cost !== undefined);
  if (withBytes) out.bytesPerSecond = [];
  if (withCost) out.cost = [];
  let previousBytes: number | undefined;
  for (const [name, total] of Object.entries(options.totals ?? {})) {
    state.set(name, notStarted(total));
  }
  let i = 0;
  const first = Math.floor(from / bucketMs) * bucketMs;
  let previousImported: number | undefined;
  for (let start = first; start <= to; start += bucketMs) {
    const end = Math.min(start + bucketMs, to + 1);
    while (i < sorted.length && sorted[i].at < end) apply(sorted[i++]);
    let total = 0;
    let imported = 0;
    let failed = 0;
    let skipped = 0;
    let bytes = 0;
    let cost = 0;
    const rows: Array<QualityDimensions & { weight: number }> = [];
    for (const s of state.values()) {
      total += s.totalRecords;
      imported += s.importedRecords;
      failed += s.failedRecords;
      skipped += s.skippedRecords;
      bytes += s.bytesMoved ?? 0;
      cost += s.cost ?? 0;
      rows.push({ ...s, weight: s.importedRecords });
    }
    const q = weightedQuality(rows);
    out.timestamps.push(start);
    out.importedRecords.push(imported);
    out.progressPercent.push(
      progressPercent({
        totalRecords: total,
        importedRecords: imported,
        failedRecords: failed,
        skippedRecords: skipped,
      }),
    );
    const rate =
      previousImported === undefined
        ? 0
        : Math.max(0, imported - previousImported) / (bucketMs / 60_000);
    out.importRate.push(Math.round(rate * 100) / 100);
    previousImported = imported;
    if (out.bytesPerSecond) {
      const perSecond =
        previousBytes === undefined
          ? 0
          : Math.max(0, bytes - previousBytes) / (bucketMs / 1000);
      out.bytesPerSecond.push(Math.round(perSecond * 100) / 100);
      previousBytes = bytes;
    }
    if (out.cost) out.cost.push(Math.round(cost * 1e6) / 1e6);
    out.completeness.push(q.completeness);
    out.validity.push(q.validity);
    out.consistency.push(q.consistency);
    out.accuracy.push(q.accuracy);
    out.qualityScore.push(qualityScore(q));
  }
  return out;
}

/**
 * Which samples to keep when downsampling: per dataset and per bucket of `bucketMs`, the newest
 * sample. Because counters are absolute, the newest sample of a bucket carries everything the
 * bucket's trend needs. Returns the keys of samples to delete.
 * @public
 */
export function samplesToDrop<T extends { dataset: string; at: number }>(
  samples: T[],
  bucketMs: number,
): T[] {
  const newest = new Map<string, T>();
  const drop: T[] = [];
  for (const s of samples) {
    const key = `${s.dataset}\u0000${Math.floor(s.at / bucketMs)}`;
    const kept = newest.get(key);
    if (!kept) {
      newest.set(key, s);
    } else if (s.at > kept.at) {
      drop.push(kept);
      newest.set(key, s);
    } else {
      drop.push(s);
    }
  }
  return drop;
}
