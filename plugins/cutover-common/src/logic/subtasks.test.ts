import { rollUpSubTasks } from './timeline';
import { bucketTrends, TrendSample } from './trends';

describe('rollUpSubTasks', () => {
  it('is undefined without sub-tasks', () => {
    expect(rollUpSubTasks([])).toBeUndefined();
  });

  it('averages the progress of sub-tasks that are not skipped; a completed one counts 100', () => {
    expect(
      rollUpSubTasks([
        { status: 'COMPLETED', progressPercent: 0 },
        { status: 'IN_PROGRESS', progressPercent: 50 },
        { status: 'SKIPPED', progressPercent: 0 },
        { status: 'PENDING', progressPercent: 0 },
      ]),
    ).toEqual({ progressPercent: 50, status: 'IN_PROGRESS' });
  });

  it('completes the phase when every sub-task is completed or skipped', () => {
    expect(
      rollUpSubTasks([
        { status: 'COMPLETED', progressPercent: 100 },
        { status: 'SKIPPED', progressPercent: 0 },
      ]),
    ).toEqual({ progressPercent: 100, status: 'COMPLETED' });
  });

  it('leaves a phase whose sub-tasks have not started pending', () => {
    expect(
      rollUpSubTasks([{ status: 'PENDING', progressPercent: 0 }]),
    ).toEqual({ progressPercent: 0, status: 'PENDING' });
  });
});

describe('bucketTrends with resources', () => {
  const MINUTE = 60_000;
  const base = (at: number, extra: Partial<TrendSample>): TrendSample => ({
    dataset: 'orders',
    at,
    totalRecords: 100,
    importedRecords: null,
    failedRecords: null,
    skippedRecords: null,
    completeness: null,
    validity: null,
    consistency: null,
    accuracy: null,
    ...extra,
  });

  it('gives bytes per second and cost to date per bucket when samples carry them', () => {
    const series = bucketTrends(
      [
        base(0, { importedRecords: 10, bytesMoved: 0, cost: 1 }),
        base(MINUTE, { importedRecords: 20, bytesMoved: 6_000, cost: 1.5 }),
        base(2 * MINUTE, { importedRecords: 30, bytesMoved: 18_000, cost: 2 }),
      ],
      { from: 0, to: 2 * MINUTE, bucketMs: MINUTE },
    );
    expect(series.bytesPerSecond).toEqual([0, 100, 200]);
    expect(series.cost).toEqual([1, 1.5, 2]);
  });

  it('adds no series for samples without them', () => {
    const series = bucketTrends(
      [base(0, { importedRecords: 10 }), base(MINUTE, { importedRecords: 20 })],
      { from: 0, to: MINUTE, bucketMs: MINUTE },
    );
    expect(series).not.toHaveProperty('bytesPerSecond');
    expect(series).not.toHaveProperty('cost');
    expect(series.importedRecords).toEqual([10, 20]);
  });
});
