import type {
  Dashboard,
  DashboardDataset,
  ErrorCounts,
  QualityDimensions,
} from '../types';
import {
  datasetStatus,
  estimateCompletion,
  progressPercent,
  qualityScore,
  qualityTrend,
  sumErrors,
  weightedQuality,
} from './progress';

/** A dataset's latest figures, as stored. @public */
export interface DatasetFiguresInput extends QualityDimensions {
  name: string;
  tier: number;
  category: string | null;
  totalRecords: number;
  importedRecords: number;
  failedRecords: number;
  skippedRecords: number;
  errors: ErrorCounts;
  lastSampleAtMs: number | null;
  /** Records per minute measured over the window ending at the last sample. */
  importRate: number;
  /** Quality score at the start of that window. */
  qualityBaseline: number | null;
  readSource: DashboardDataset['readSource'];
  cutoverState: DashboardDataset['cutoverState'];
}

/** Settings of the dashboard computation. @public */
export interface DashboardSettings {
  now: number;
  /** A rate measured longer ago than this no longer counts: the dataset is not moving. */
  rateWindowMs: number;
  /** A started dataset with no sample for this long is STALLED. */
  stallAfterMs: number;
  /** Overall quality below this is a blocker. */
  qualityThreshold: number;
}

/** The migration fields the dashboard repeats. @public */
export interface DashboardMigrationInput {
  id: string;
  title: string;
  status: Dashboard['status'];
  controlState: Dashboard['controlState'];
  plannedStart: string | null;
  plannedEnd: string | null;
  actualStart: string | null;
  actualEnd: string | null;
}

function round2(n: number) {
  return Math.round(n * 100) / 100;
}

/**
 * Computes the dashboard from each dataset's latest figures: progress, rate, ETA, quality
 * (weighted by records), trend, blockers. Pure; the backend feeds it stored rows.
 * @public
 */
export function computeDashboard(
  migration: DashboardMigrationInput,
  datasets: DatasetFiguresInput[],
  settings: DashboardSettings,
): Dashboard {
  const { now } = settings;
  const rows: DashboardDataset[] = datasets.map(d => {
    const handled = d.importedRecords + d.failedRecords + d.skippedRecords;
    const finished = d.totalRecords > 0 && handled >= d.totalRecords;
    const moving =
      !finished &&
      d.lastSampleAtMs !== null &&
      now - d.lastSampleAtMs <= settings.rateWindowMs;
    const rate = moving ? round2(d.importRate) : 0;
    const remaining = Math.max(0, d.totalRecords - handled);
    const eta = d.totalRecords > 0 ? estimateCompletion(remaining, rate, now) : undefined;
    const score = qualityScore(d);
    return {
      name: d.name,
      tier: d.tier,
      category: d.category,
      totalRecords: d.totalRecords,
      importedRecords: d.importedRecords,
      failedRecords: d.failedRecords,
      skippedRecords: d.skippedRecords,
      overallProgress: progressPercent(d),
      importRate: rate,
      estimatedCompletion: eta === undefined ? null : new Date(eta).toISOString(),
      completeness: d.completeness,
      validity: d.validity,
      consistency: d.consistency,
      accuracy: d.accuracy,
      qualityScore: score,
      qualityTrend: qualityTrend(d.qualityBaseline, score),
      errors: d.errors,
      status: datasetStatus(
        { ...d, lastSampleAt: d.lastSampleAtMs },
        now,
        settings.stallAfterMs,
      ),
      readSource: d.readSource,
      cutoverState: d.cutoverState,
      lastSampleAt:
        d.lastSampleAtMs === null ? null : new Date(d.lastSampleAtMs).toISOString(),
    };
  });

  const totals = rows.reduce(
    (acc, r) => ({
      totalRecords: acc.totalRecords + r.totalRecords,
      importedRecords: acc.importedRecords + r.importedRecords,
      failedRecords: acc.failedRecords + r.failedRecords,
      skippedRecords: acc.skippedRecords + r.skippedRecords,
      importRate: acc.importRate + r.importRate,
    }),
    { totalRecords: 0, importedRecords: 0, failedRecords: 0, skippedRecords: 0, importRate: 0 },
  );
  const dims = weightedQuality(
    datasets.map(d => ({ ...d, weight: d.importedRecords + d.failedRecords })),
  );
  const score = qualityScore(dims);
  const baseline = weightedQualityScore(
    datasets
      .filter(d => d.qualityBaseline !== null)
      .map(d => ({ score: d.qualityBaseline!, weight: d.importedRecords + d.failedRecords })),
  );
  const remaining = Math.max(
    0,
    totals.totalRecords - totals.importedRecords - totals.failedRecords - totals.skippedRecords,
  );
  const rate = round2(totals.importRate);
  const eta =
    totals.totalRecords > 0 ? estimateCompletion(remaining, rate, now) : undefined;
  const errors = sumErrors(rows.map(r => r.errors));
  const blockers = progressBlockers(rows, score, errors, settings.qualityThreshold);
  const started = migration.actualStart ? Date.parse(migration.actualStart) : null;
  const ended = migration.actualEnd ? Date.parse(migration.actualEnd) : null;

  return {
    migrationId: migration.id,
    title: migration.title,
    status: migration.status,
    controlState: migration.controlState,
    plannedStart: migration.plannedStart,
    plannedEnd: migration.plannedEnd,
    actualStart: migration.actualStart,
    elapsedMs: started === null ? null : Math.max(0, (ended ?? now) - started),
    ...totals,
    importRate: rate,
    overallProgress: progressPercent(totals),
    estimatedCompletion: eta === undefined ? null : new Date(eta).toISOString(),
    ...dims,
    qualityScore: score,
    qualityTrend: qualityTrend(baseline, score),
    errors,
    cutoverReady: blockers.length === 0 && rows.length > 0,
    blockers,
    datasets: rows,
    generatedAt: new Date(now).toISOString(),
  };
}

function weightedQualityScore(list: { score: number; weight: number }[]): number | null {
  let sum = 0;
  let weights = 0;
  for (const { score, weight } of list) {
    const w = Math.max(1, weight);
    sum += score * w;
    weights += w;
  }
  return weights ? round2(sum / weights) : null;
}

/**
 * What stands between the migration's data and a cutover, from progress figures alone:
 * tier 1 datasets not fully imported, failed datasets, critical errors, quality below threshold.
 * @public
 */
export function progressBlockers(
  rows: Pick<DashboardDataset, 'name' | 'tier' | 'status' | 'overallProgress'>[],
  score: number | null,
  errors: ErrorCounts,
  qualityThreshold: number,
): string[] {
  const blockers: string[] = [];
  const tier1 = rows.filter(r => r.tier === 1 && r.status !== 'COMPLETED');
  if (tier1.length) {
    blockers.push(
      `Tier 1 datasets not fully imported: ${tier1.map(r => r.name).join(', ')}`,
    );
  }
  const failed = rows.filter(r => r.status === 'FAILED');
  if (failed.length) {
    blockers.push(`Failed datasets: ${failed.map(r => r.name).join(', ')}`);
  }
  if (errors.critical > 0) {
    blockers.push(`${errors.critical} critical validation errors`);
  }
  if (score !== null && score < qualityThreshold) {
    blockers.push(`Quality score ${score} is below ${qualityThreshold}`);
  }
  return blockers;
}
