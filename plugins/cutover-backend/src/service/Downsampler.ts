import type { CutoverClock } from '@switchyard/plugin-cutover-node';
import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { CutoverStore } from '../database/CutoverStore';
import { CutoverSettings } from './settings';

/**
 * Keeps the sample table small without losing trends: samples older than a day are thinned to the
 * newest per dataset and 5 minutes, older than a week to the newest per dataset and hour.
 * Runs on the Backstage scheduler, once per slot across replicas.
 */
export class Downsampler {
  constructor(
    private readonly store: CutoverStore,
    private readonly settings: CutoverSettings,
    private readonly logger: LoggerService,
    private readonly clock: CutoverClock,
  ) {}

  async schedule(scheduler: SchedulerService) {
    await scheduler.scheduleTask({
      id: 'cutover-downsample-samples',
      frequency: { minutes: 30 },
      timeout: { minutes: 20 },
      initialDelay: { minutes: 1 },
      scope: 'global',
      fn: async () => {
        await this.run();
      },
    });
  }

  /** One pass; returns how many samples were removed. */
  async run(): Promise<number> {
    const now = this.clock.now();
    const coarse = await this.store.downsample(
      now - this.settings.downsampleCoarseAfterMs,
      3_600_000,
      0,
    );
    const fine = await this.store.downsample(
      now - this.settings.downsampleAfterMs,
      this.settings.downsampleBucketMs,
      now - this.settings.downsampleCoarseAfterMs,
    );
    const pruned = await this.store.pruneIdempotencyKeys(now - 7 * 86_400_000);
    if (coarse + fine + pruned > 0) {
      this.logger.info(
        `Downsampled ${
          coarse + fine
        } old metric samples; pruned ${pruned} idempotency keys`,
      );
    }
    return coarse + fine;
  }
}
