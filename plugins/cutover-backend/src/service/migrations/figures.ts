// The figures derived from samples: the dashboard and the trends of a migration.
import { InputError, NotFoundError } from '@backstage/errors';
import {
  bucketTrends,
  computeDashboard,
  type Dashboard,
  defaultBucketFor,
  type Migration,
  parseDuration,
  type Trends,
} from '@switchyard/plugin-cutover-common';
import type { MigrationContext } from './context';

/** Trend ranges longer than this are refused. */
const MAX_TREND_RANGE_MS = 400 * 86_400_000;
const MAX_TREND_POINTS = 2000;

/** The dashboard of a migration already loaded (without datasets is enough). */
export async function migrationDashboard(
  ctx: MigrationContext,
  migration: Migration,
): Promise<Dashboard> {
  const [figures, phases] = await Promise.all([
    ctx.deps.store.getDatasetFigures(migration.id),
    ctx.deps.store.listPhases(migration.id),
  ]);
  return computeDashboard(
    migration,
    figures.map(d => ({
      ...d,
      errors: {
        critical: d.errorsCritical,
        high: d.errorsHigh,
        medium: d.errorsMedium,
        low: d.errorsLow,
      },
    })),
    {
      now: ctx.now(),
      rateWindowMs: ctx.deps.settings.rateWindowMs,
      stallAfterMs: ctx.deps.settings.stallAfterMs,
      qualityThreshold: ctx.deps.settings.qualityThreshold,
      currency: ctx.deps.settings.currency,
      pausedPhases: phases
        .filter(p => p.paused)
        .map(p => ({ id: p.id, datasets: p.datasets ?? [] })),
    },
  );
}

export async function migrationTrends(
  ctx: MigrationContext,
  id: string,
  query: { range: string; bucket?: string; dataset?: string },
): Promise<Trends> {
  const migration = await ctx.deps.store.getMigration(id);
  if (!migration) throw new NotFoundError(`No migration with id "${id}"`);
  const rangeMs = parseDuration(query.range)!;
  if (rangeMs > MAX_TREND_RANGE_MS) {
    throw new InputError('Invalid query: range: must be at most 400d');
  }
  const bucket = query.bucket ?? defaultBucketFor(rangeMs);
  const bucketMs = parseDuration(bucket)!;
  if (rangeMs / bucketMs > MAX_TREND_POINTS) {
    throw new InputError(
      `Invalid query: bucket: ${bucket} over ${query.range} gives more than ${MAX_TREND_POINTS} points; choose a larger bucket`,
    );
  }
  if (
    query.dataset &&
    !migration.datasets.some(d => d.name === query.dataset)
  ) {
    throw new NotFoundError(
      `No dataset "${query.dataset}" in migration "${id}"`,
    );
  }
  const to = ctx.now();
  const from = to - rangeMs;
  const [before, within] = await Promise.all([
    ctx.deps.store.readSamplesBefore(id, from, query.dataset),
    ctx.deps.store.readSamples(id, { from, to, dataset: query.dataset }),
  ]);
  const totals = Object.fromEntries(
    migration.datasets
      .filter(d => !query.dataset || d.name === query.dataset)
      .map(d => [d.name, d.totalRecords]),
  );
  const series = bucketTrends([...before, ...within], {
    from,
    to,
    bucketMs,
    totals,
  });
  return {
    range: query.range,
    bucket,
    dataset: query.dataset ?? null,
    ...series,
    timestamps: series.timestamps.map(t => new Date(t).toISOString()),
  };
}
