import type {
  Dashboard,
  DashboardDataset,
  ErrorCounts,
  QualityDimensions,
  ResourceFigures,
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
  /** Resources as absolute counters (null or absent: the job never sent them). */
  bytesMoved?: number | null;
  /** Bytes per second measured over the window ending at the last sample. */
  byteRate?: number | null;
  cpuSeconds?: number | null;
  memoryPeakBytes?: number | null;
  cost?: number | null;
  errorsByType?: Record<string, number> | null;
  /** The newest sample came while the dataset was told to pause. */
  lastSamplePaused?: boolean;
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
  /** Currency of costs (config `cutover.cost.currency`). */
  currency?: string;
  /** Phases paused on their own, each with the datasets it tells to pause. */
  pausedPhases?: Array<{ id: string; datasets: string[] }>;
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
    const resources = resourceFigures(
      [d],
      moving,
      progressPercent(d),
      settings.currency,
    );
    const pausedBy = settings.pausedPhases?.find(p => p.datasets.includes(d.name));
    const paused = migration.controlState === 'PAUSE' || pausedBy !== undefined;
    const row: DashboardDataset = {
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
    // Optional fields appear only when there is something to say: a job that sends no resources
    // (and a migration never paused) sees the dashboard it always had.
    if (resources) row.resources = resources;
    if (d.errorsByType && Object.keys(d.errorsByType).length)
      row.errorsByType = d.errorsByType;
    if (paused && d.lastSamplePaused) row.writingWhilePaused = true;
    if (pausedBy) row.pausedByPhase = pausedBy.id;
    return row;
  });
  const movingNames = new Set(
    datasets
      .filter(
        d =>
          d.lastSampleAtMs !== null &&
          now - d.lastSampleAtMs <= settings.rateWindowMs,
      )
      .map(d => d.name),
  );

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
  const overall = progressPercent(totals);
  const resources = resourceFigures(
    datasets.map(d => ({ ...d, byteRate: movingNames.has(d.name) ? d.byteRate : 0 })),
    true,
    overall,
    settings.currency,
  );
  const writing = rows.filter(r => r.writingWhilePaused).map(r => r.name);
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
    overallProgress: overall,
    estimatedCompletion: eta === undefined ? null : new Date(eta).toISOString(),
    ...dims,
    qualityScore: score,
    qualityTrend: qualityTrend(baseline, score),
    errors,
    cutoverReady: blockers.length === 0 && rows.length > 0,
    blockers,
    datasets: rows,
    generatedAt: new Date(now).toISOString(),
    ...(resources ? { resources } : {}),
    ...(writing.length ? { writingWhilePaused: writing } : {}),
    ...(settings.pausedPhases?.length
      ? { pausedPhases: settings.pausedPhases.map(p => p.id) }
      : {}),
  };
}

/**
 * Resources of datasets summed (memory: the highest peak), with the cost projected at completion
 * from the share of records handled; undefined when no dataset ever reported any.
 */
function resourceFigures(
  list: Array<
    Pick<
      DatasetFiguresInput,
      'bytesMoved' | 'byteRate' | 'cpuSeconds' | 'memoryPeakBytes' | 'cost'
    >
  >,
  moving: boolean,
  progress: number,
  currency = 'USD',
): ResourceFigures | undefined {
  const sum = (key: 'bytesMoved' | 'byteRate' | 'cpuSeconds' | 'cost') => {
    const values = list
      .map(d => d[key])
      .filter((v): v is number => v !== null && v !== undefined);
    return values.length ? values.reduce((a, b) => a + b, 0) : null;
  };
  const bytesMoved = sum('bytesMoved');
  const cpuSeconds = sum('cpuSeconds');
  const cost = sum('cost');
  const peaks = list
    .map(d => d.memoryPeakBytes)
    .filter((v): v is number => v !== null && v !== undefined);
  const memoryPeakBytes = peaks.length ? Math.max(...peaks) : null;
  if (bytesMoved === null && cpuSeconds === null && cost === null && memoryPeakBytes === null)
    return undefined;
  const rate = sum('byteRate');
  let bytesPerSecond: number | null = null;
  if (bytesMoved !== null) bytesPerSecond = moving ? round2(rate ?? 0) : 0;
  let projectedCost: number | null = null;
  if (cost !== null && progress > 0)
    projectedCost = round2((cost * 100) / Math.min(100, progress));
  return {
    bytesMoved,
    bytesPerSecond,
    cpuSeconds: cpuSeconds === null ? null : round2(cpuSeconds),
    memoryPeakBytes,
    cost: cost === null ? null : round2(cost),
    projectedCost,
    currency,
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
