import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';

/** Settings read from `cutover.*` in app-config. */
export interface CutoverSettings {
  /** Window over which the import rate is measured. */
  rateWindowMs: number;
  /** A started dataset with no sample for this long shows as stalled. */
  stallAfterMs: number;
  /** Overall quality below this blocks a cutover (GO threshold). */
  qualityThreshold: number;
  /** Quality at or above this (and below the GO threshold) recommends GO_WITH_CAUTION. */
  cautionThreshold: number;
  /** Samples older than this are downsampled to one per dataset and `downsampleBucketMs`. */
  downsampleAfterMs: number;
  downsampleBucketMs: number;
  /** Samples older than this are downsampled further, to one per dataset and hour. */
  downsampleCoarseAfterMs: number;
  /** Currency of the costs jobs report (`cutover.cost.currency`, default USD). */
  currency?: string;
}

/** A duration under `key` of `config` in milliseconds, or `fallbackMs` when it is not set. */
export function duration(
  config: Config | undefined,
  key: string,
  fallbackMs: number,
) {
  if (!config?.has(key)) return fallbackMs;
  return durationToMilliseconds(readDurationFromConfig(config, { key }));
}

/** Reads the plugin's settings with their defaults. */
export function readCutoverSettings(root: Config): CutoverSettings {
  const config = root.getOptionalConfig('cutover');
  return {
    rateWindowMs: duration(config, 'metrics.rateWindow', 15 * 60_000),
    stallAfterMs: duration(config, 'metrics.stallAfter', 10 * 60_000),
    qualityThreshold:
      config?.getOptionalNumber('readiness.qualityThreshold') ?? 85,
    cautionThreshold:
      config?.getOptionalNumber('readiness.cautionThreshold') ?? 75,
    downsampleAfterMs: duration(
      config,
      'metrics.downsampleAfter',
      24 * 3_600_000,
    ),
    downsampleBucketMs: duration(
      config,
      'metrics.downsampleBucket',
      5 * 60_000,
    ),
    downsampleCoarseAfterMs: duration(
      config,
      'metrics.downsampleCoarseAfter',
      7 * 86_400_000,
    ),
    currency: config?.getOptionalString('cost.currency') ?? 'USD',
  };
}
