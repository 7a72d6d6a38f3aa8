import { computeDashboard, DatasetFiguresInput } from './dashboard';

const NOW = Date.parse('2026-12-05T12:00:00Z');
const settings = { now: NOW, rateWindowMs: 15 * 60_000, stallAfterMs: 10 * 60_000, qualityThreshold: 85 };
const migration = {
  id: 'orders-v2',
  title: 'Orders',
  status: 'IN_PROGRESS' as const,
  controlState: 'RUN' as const,
  plannedStart: null,
  plannedEnd: null,
  actualStart: '2026-12-05T10:00:00Z',
  actualEnd: null,
};
const dataset = (over: Partial<DatasetFiguresInput>): DatasetFiguresInput => ({
  name: 'customers',
  tier: 1,
  category: 'master',
  totalRecords: 1000,
  importedRecords: 1000,
  failedRecords: 0,
  skippedRecords: 0,
  completeness: 95,
  validity: 95,
  consistency: 95,
  accuracy: 95,
  errors: { critical: 0, high: 0, medium: 0, low: 0 },
  lastSampleAtMs: NOW - 60_000,
  importRate: 0,
  qualityBaseline: 95,
  readSource: 'LEGACY',
  cutoverState: 'PENDING',
  ...over,
});

describe('computeDashboard', () => {
  it('is ready when tier 1 is complete, quality is high and nothing is critical', () => {
    const d = computeDashboard(migration, [dataset({})], settings);
    expect(d).toMatchObject({ overallProgress: 100, qualityScore: 95, cutoverReady: true, blockers: [], elapsedMs: 2 * 3_600_000 });
    expect(d.estimatedCompletion).toBe(new Date(NOW).toISOString());
  });

  it.each([
    ['tier 1 incomplete', [dataset({ importedRecords: 500, importRate: 50 })], 'Tier 1 datasets not fully imported: customers'],
    ['critical errors', [dataset({ errors: { critical: 3, high: 0, medium: 0, low: 0 } })], '3 critical validation errors'],
    ['low quality', [dataset({ validity: 40, completeness: 40, consistency: 40, accuracy: 40 })], 'Quality score 40 is below 85'],
    ['failed dataset', [dataset({}), dataset({ name: 'orders', tier: 2, importedRecords: 0, failedRecords: 1000 })], 'Failed datasets: orders'],
  ])('blocks on %s', (_name, rows, blocker) => {
    const d = computeDashboard(migration, rows, settings);
    expect(d.cutoverReady).toBe(false);
    expect(d.blockers).toContain(blocker);
  });

  it('stops counting a rate that is older than the window, and gives no ETA then', () => {
    const moving = computeDashboard(migration, [dataset({ importedRecords: 500, importRate: 50 })], settings);
    expect(moving.importRate).toBe(50);
    expect(moving.estimatedCompletion).toBe(new Date(NOW + 10 * 60_000).toISOString());
    const stale = computeDashboard(
      migration,
      [dataset({ importedRecords: 500, importRate: 50, lastSampleAtMs: NOW - 20 * 60_000 })],
      settings,
    );
    expect(stale.importRate).toBe(0);
    expect(stale.estimatedCompletion).toBeNull();
    expect(stale.datasets[0].status).toBe('STALLED');
  });

  it('has no figures to show for a plan without datasets', () => {
    const d = computeDashboard(migration, [], settings);
    expect(d).toMatchObject({ overallProgress: 0, qualityScore: null, cutoverReady: false, datasets: [] });
  });
});
