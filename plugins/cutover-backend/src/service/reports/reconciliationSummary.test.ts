import {
  freezeWindow,
  name,
  reconciled,
  reconciliationRun,
} from './__testUtils__/executiveInput';
import {
  currentThresholds,
  driftSeries,
  latestIntegrity,
  latestReconciliations,
  orderFreezeWindows,
  outcomeCounts,
} from './reconciliationSummary';

describe('latestReconciliations', () => {
  const runs = [
    reconciliationRun('r1', 5, [
      reconciled(name(0), 0.02),
      reconciled(name(1), 0),
    ]),
    reconciliationRun('r3', 1, [
      reconciled(name(0), 0),
      reconciled(name(1), 0.0006, { status: 'RUNNING' }),
      reconciled(name(2), null),
    ]),
    reconciliationRun('r2', 3, [
      reconciled(name(1), 0.0012),
      reconciled(name(3), 0.0007),
    ]),
  ];

  it('takes each dataset from its newest finished run, in any input order, worst first', () => {
    expect(
      latestReconciliations(runs).map(x => [x.dataset, x.outcome, x.run.id]),
    ).toEqual([
      [name(1), 'CRITICAL', 'r2'], // r3 was still running it
      [name(2), 'FAILED', 'r3'],
      [name(3), 'WARNING', 'r2'],
      [name(0), 'OK', 'r3'],
    ]);
    expect(outcomeCounts(latestReconciliations(runs))).toEqual({
      ROLLBACK: 0,
      CRITICAL: 1,
      FAILED: 1,
      WARNING: 1,
      OK: 1,
    });
  });

  it('orders equal levels by drift, then by name', () => {
    const latest = latestReconciliations([
      reconciliationRun('r', 1, [
        reconciled('b', 0.0001),
        reconciled('a', 0.0001),
        reconciled('c', 0.0004),
      ]),
    ]);
    expect(latest.map(x => x.dataset)).toEqual(['c', 'a', 'b']);
  });

  it('is empty without runs', () => {
    expect(latestReconciliations([])).toEqual([]);
    expect(currentThresholds([])).toBeNull();
  });
});

describe('driftSeries', () => {
  it('keeps the datasets that drifted most, each oldest first, skipping results without a ratio', () => {
    const runs = [
      reconciliationRun('r2', 1, [
        reconciled('a', 0.001),
        reconciled('b', null),
        reconciled('c', 0.0001),
      ]),
      reconciliationRun('r1', 2, [
        reconciled('a', 0.003),
        reconciled('b', 0.002),
        reconciled('c', 0),
      ]),
    ];
    const { series, datasets } = driftSeries(runs, 2);
    expect(datasets).toBe(3);
    expect(series.map(s => [s.dataset, s.peak])).toEqual([
      ['a', 0.003],
      ['b', 0.002],
    ]);
    expect(series[0].points.map(p => p.drift)).toEqual([0.003, 0.001]);
    expect(series[1].points).toHaveLength(1);
  });

  it('uses the thresholds of the newest run', () => {
    const older = reconciliationRun('r1', 5, []);
    const newer = {
      ...reconciliationRun('r2', 1, []),
      thresholds: { warning: 0.01, critical: 0.02, rollback: 0.05 },
    };
    expect(currentThresholds([older, newer])).toEqual(newer.thresholds);
  });
});

describe('orderFreezeWindows', () => {
  it('puts active windows first, then planned soonest first, then past ones newest first', () => {
    const windows = [
      freezeWindow('done-old', 'a', 'COMPLETED', -100, -90, ['x']),
      freezeWindow('later', 'b', 'PLANNED', 50, 60, ['x']),
      freezeWindow('cancelled', 'c', 'CANCELLED', -10, -5, ['x']),
      freezeWindow('active', 'd', 'ACTIVE', -1, 1, ['x']),
      freezeWindow('sooner', 'e', 'PLANNED', 20, 30, ['x']),
      freezeWindow('done-new', 'f', 'COMPLETED', -50, -40, ['x']),
    ];
    expect(orderFreezeWindows(windows).map(w => w.id)).toEqual([
      'active',
      'sooner',
      'later',
      'done-new',
      'done-old',
      'cancelled',
    ]);
  });
});

describe('latestIntegrity', () => {
  it("lists the newest checked run's relations and golden queries, problems first", () => {
    const older = {
      ...reconciliationRun('r1', 5, [reconciled(name(0), 0)]),
      integrity: { relations: [], goldenQueries: [] },
    };
    const newer = {
      ...reconciliationRun('r2', 2, [reconciled(name(0), 0)]),
      integrity: {
        relations: [
          {
            name: 'orders_customer_id_fkey',
            origin: 'CONSTRAINT' as const,
            dataset: 'orders',
            columns: ['customer_id'],
            references: { dataset: 'customers', columns: ['id'] },
            status: 'SUCCEEDED' as const,
            checked: 100,
            orphans: 0,
            sampleKeys: [],
            durationMs: 3,
            error: null,
          },
          {
            name: 'lines',
            origin: 'PLAN' as const,
            dataset: 'lines',
            columns: ['order_id'],
            references: { dataset: 'orders', columns: ['id'] },
            status: 'SUCCEEDED' as const,
            checked: 50,
            orphans: 2,
            sampleKeys: [{ order_id: 9 }, { order_id: 10 }],
            durationMs: 3,
            error: null,
          },
        ],
        goldenQueries: [
          {
            name: 'revenue',
            status: 'DIFFERENT' as const,
            sourceRows: 3,
            destinationRows: 3,
            sourceMs: 1.25,
            destinationMs: 2,
            slowdown: 0.6,
            ordered: false,
            differences: [{ side: 'source' as const, row: ['7', '12.5'] }],
            error: null,
          },
        ],
      },
    };
    // The newest run without integrity checks (a custom reconciler) does not hide the one before.
    const plain = reconciliationRun('r3', 1, [reconciled(name(0), 0)]);
    const latest = latestIntegrity([older, newer, plain]);
    expect(latest?.run.id).toBe('r2');
    expect(
      latest?.lines.map(l => [l.kind, l.name, l.result, l.figures, l.detail]),
    ).toEqual([
      [
        'relation',
        'lines.order_id -> orders.id',
        'ORPHANS',
        '2 orphan(s) of 50 row(s)',
        'e.g. {"order_id":9}, {"order_id":10}',
      ],
      [
        'golden query',
        'revenue',
        'DIFFERENT',
        '3 / 3 row(s); 1.3 ms / 2.0 ms',
        'source: ["7","12.5"]',
      ],
      [
        'relation',
        'orders.customer_id -> customers.id',
        'OK',
        '0 orphan(s) of 100 row(s)',
        'foreign key orders_customer_id_fkey',
      ],
    ]);
    expect(latestIntegrity([plain])).toBeNull();
  });
});
