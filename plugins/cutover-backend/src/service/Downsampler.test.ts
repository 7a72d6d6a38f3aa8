import { mockServices } from '@backstage/backend-test-utils';
import { bucketTrends } from '@switchyard/plugin-cutover-common';
import { cutoverTestDatabases } from '../__testUtils__/databases';
import {
  DatabaseCutoverStore,
  migrateCutoverDatabase,
} from '../database/DatabaseCutoverStore';
import { StoredSample } from '../database/CutoverStore';
import { Downsampler } from './Downsampler';

jest.setTimeout(60_000);

const databases = cutoverTestDatabases();
const MINUTE = 60_000;
const DAY = 86_400_000;

function sample(dataset: string, at: number, imported: number): StoredSample {
  return {
    dataset,
    at,
    totalRecords: 100_000,
    importedRecords: imported,
    failedRecords: 0,
    skippedRecords: 0,
    completeness: 99,
    validity: 90 + (imported % 10),
    consistency: 98,
    accuracy: 97,
    errorsCritical: 0,
    errorsHigh: 0,
    errorsMedium: 0,
    errorsLow: 0,
    duringFreeze: false,
  };
}

describe.each(databases.eachSupportedId())('downsampling on %s', databaseId => {
  it('thins old samples without changing hourly trends, and keeps recent ones whole', async () => {
    const knex = await databases.init(databaseId);
    await migrateCutoverDatabase(knex);
    const store = new DatabaseCutoverStore(knex);
    await store.applyPlan(
      {
        id: 'm',
        title: 'M',
        owner: 'group:default/a',
        entityRefs: [],
        datasets: [
          { name: 'a', tier: 1, keyColumns: [] },
          { name: 'b', tier: 2, keyColumns: [] },
        ],
        phases: [],
        milestones: [],
      } as any,
      'test',
      0,
    );
    const now = 30 * DAY;
    const samples: StoredSample[] = [];
    // One sample a minute for both datasets over the last 10 days.
    for (let t = now - 10 * DAY; t < now; t += MINUTE) {
      const i = (t - (now - 10 * DAY)) / MINUTE;
      samples.push(sample('a', t, i * 10), sample('b', t, i * 3));
    }
    for (let i = 0; i < samples.length; i += 2000) {
      await store.writeSamples('m', samples.slice(i, i + 2000), {
        rateWindowMs: 15 * MINUTE,
      });
    }
    const trend = async () =>
      bucketTrends(
        await store.readSamples('m', { from: now - 10 * DAY, to: now }),
        {
          from: now - 9 * DAY,
          to: now - 1,
          bucketMs: 3_600_000,
          totals: { a: 100_000, b: 100_000 },
        },
      );
    const before = await trend();

    const downsampler = new Downsampler(
      store,
      {
        rateWindowMs: 15 * MINUTE,
        stallAfterMs: 10 * MINUTE,
        qualityThreshold: 85,
        cautionThreshold: 75,
        downsampleAfterMs: DAY,
        downsampleBucketMs: 5 * MINUTE,
        downsampleCoarseAfterMs: 7 * DAY,
      },
      mockServices.logger.mock(),
      { now: () => now },
    );
    const removed = await downsampler.run();
    const left = await store.readSamples('m', { from: 0, to: now });
    // Last day: every minute (2 x 1440); days 1-7 before: one per 5 minutes (2 x 6 x 288);
    // older: one per hour (2 x 3 x 24).
    expect(left.length).toBe(2 * 1440 + 2 * 6 * 288 + 2 * 3 * 24);
    expect(removed).toBe(samples.length - left.length);
    expect(await trend()).toEqual(before);
    // A second pass has nothing more to do.
    expect(await downsampler.run()).toBe(0);
  });

  it('keeps the highest memory peak and the paused mark of a bucket on the sample it keeps', async () => {
    const knex = await databases.init(databaseId);
    await migrateCutoverDatabase(knex);
    const store = new DatabaseCutoverStore(knex);
    await store.applyPlan(
      {
        id: 'm',
        title: 'M',
        owner: 'group:default/a',
        entityRefs: [],
        datasets: [{ name: 'a', tier: 1, keyColumns: [] }],
        phases: [],
        milestones: [],
      } as any,
      'test',
      0,
    );
    const now = 30 * DAY;
    const start = now - 3 * DAY; // downsampled to 5-minute buckets
    const peaks = [100, 900, 300, 200, 400];
    const samples: StoredSample[] = peaks.map((peak, i) => ({
      ...sample('a', start + i * MINUTE, (i + 1) * 10),
      bytesMoved: (i + 1) * 1000,
      cost: (i + 1) * 0.5,
      memoryPeakBytes: peak,
      errorsByType: { bad_date: i },
      paused: i === 1,
    }));
    await store.writeSamples('m', samples, { rateWindowMs: 15 * MINUTE });
    const downsampler = new Downsampler(
      store,
      {
        rateWindowMs: 15 * MINUTE,
        stallAfterMs: 10 * MINUTE,
        qualityThreshold: 85,
        cautionThreshold: 75,
        downsampleAfterMs: DAY,
        downsampleBucketMs: 5 * MINUTE,
        downsampleCoarseAfterMs: 7 * DAY,
      },
      mockServices.logger.mock(),
      { now: () => now },
    );
    expect(await downsampler.run()).toBe(4);
    const left = await store.readSamples('m', { from: 0, to: now });
    // The newest sample carries the counters to date; the gauge and the mark come from the bucket.
    expect(left).toEqual([
      expect.objectContaining({
        at: start + 4 * MINUTE,
        importedRecords: 50,
        bytesMoved: 5000,
        cost: 2.5,
        errorsByType: { bad_date: 4 },
        memoryPeakBytes: 900,
        paused: true,
      }),
    ]);
  });
});
