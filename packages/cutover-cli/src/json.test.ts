import { ResponseError } from '@backstage/errors';
import { Rollback, Snapshot } from '@switchyard/plugin-cutover-common';
import { harness } from './__testUtils__/harness';
import { EXIT } from './index';
import { version } from '../package.json';

function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  return {
    id: 'snap-1',
    migrationId: 'orders-v2',
    name: 'before cutover',
    description: null,
    datasets: ['customers', 'orders'],
    status: 'PENDING',
    progress: 0,
    recordCounts: {},
    sizeBytes: 0,
    checksums: {},
    locations: {},
    provider: 'knex',
    createdAt: '2030-06-01T12:00:00.000Z',
    createdBy: 'service:external:cutover-jobs',
    finishedAt: null,
    expiresAt: null,
    error: null,
    backupForRollback: null,
    lastVerification: null,
    ...over,
  };
}

function rollback(over: Partial<Rollback> = {}): Rollback {
  return {
    id: 'rb-1',
    migrationId: 'orders-v2',
    snapshotId: 'snap-1',
    datasets: ['orders'],
    status: 'PENDING',
    progress: 0,
    recordsRestored: 0,
    recordsDeleted: 0,
    durationMs: null,
    errors: [],
    verified: null,
    verifyAfter: true,
    createBackup: false,
    backupSnapshotId: null,
    results: [],
    createdAt: '2030-06-01T12:00:00.000Z',
    createdBy: 'service:external:cutover-jobs',
    startedAt: null,
    finishedAt: null,
    ...over,
  };
}

/** A command line without quoted arguments, as its words. */
const words = (line: string) => line.split(' ');

async function apiError(status: number, name: string, message: string) {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name, message },
        response: { statusCode: status },
      }),
      { status, headers: { 'content-type': 'application/json' } },
    ) as any,
  );
}

describe('cutover --version', () => {
  it("prints the package's version, as a document under --json", async () => {
    const h = harness({});
    expect(await h.run('--version')).toBe(EXIT.ok);
    expect(h.out).toEqual([version]);
    expect(version).toMatch(/^\d+\.\d+\.\d+/);

    for (const args of [
      ['--version', '--json'],
      ['--json', '-V'],
    ]) {
      const j = harness({});
      expect(await j.run(...args)).toBe(EXIT.ok);
      expect(j.json()).toEqual({ version });
    }
  });
});

describe('cutover --json', () => {
  it('prints a long job as one document: the finished snapshot, with progress on stderr', async () => {
    const states = [
      snapshot({ status: 'RUNNING', progress: 50 }),
      snapshot({
        status: 'SUCCEEDED',
        progress: 100,
        recordCounts: { customers: 200, orders: 200 },
        expiresAt: '2030-06-15T12:00:00.000Z',
      }),
    ];
    const createSnapshot = jest.fn(async () => snapshot());
    const h = harness({
      createSnapshot,
      getSnapshot: async () => states.shift()!,
    });
    expect(
      await h.run(
        ...words('snapshot -m orders-v2 -n'),
        'before cutover',
        '--json',
      ),
    ).toBe(EXIT.ok);
    // `cutover snapshot --json | jq -r .id`
    expect(h.json().id).toBe('snap-1');
    expect(h.json()).toMatchObject({
      status: 'SUCCEEDED',
      recordCounts: { customers: 200, orders: 200 },
    });
    expect(h.err).toEqual([
      'Snapshot snap-1 (before cutover) started for customers, orders',
      'Snapshot snap-1: RUNNING [##########----------]  50.0%',
    ]);

    const failed = harness({
      createSnapshot,
      getSnapshot: async () =>
        snapshot({ status: 'FAILED', error: 'disk full' }),
    });
    expect(
      await failed.run('--json', 'snapshot', '-m', 'orders-v2', '-n', 'x'),
    ).toBe(EXIT.error);
    expect(failed.json()).toMatchObject({
      id: 'snap-1',
      status: 'FAILED',
      error: 'disk full',
    });
    expect(failed.err.at(-1)).toBe('Snapshot snap-1 failed: disk full');

    const started = harness({ createSnapshot });
    expect(
      await started.run(
        ...words('snapshot -m orders-v2 -n x --no-wait --json'),
      ),
    ).toBe(EXIT.ok);
    expect(started.json()).toMatchObject({ id: 'snap-1', status: 'PENDING' });
    expect(started.err).toEqual([]);
  });

  it('prints the job as last seen and exits 4 when waiting times out', async () => {
    const h = harness({
      executeRollback: async () => rollback(),
      getRollback: async () => rollback({ status: 'RUNNING', progress: 30 }),
    });
    expect(
      await h.run(
        ...words(
          'rollback -m orders-v2 -s snap-1 --json --interval 1s --timeout 3s',
        ),
      ),
    ).toBe(EXIT.timeout);
    expect(h.json()).toMatchObject({
      id: 'rb-1',
      status: 'RUNNING',
      progress: 30,
    });
    expect(h.err.at(-1)).toBe(
      'Rollback rb-1 has not finished after 3s; it goes on in the backend',
    );
    expect(h.sleeps).toEqual([1000, 1000, 1000]);
  });

  it('prints the rollback that did not verify, exiting 1', async () => {
    const done = rollback({
      status: 'SUCCEEDED',
      progress: 100,
      verified: false,
      errors: [{ dataset: 'orders', message: 'checksum differs' }],
      results: [
        {
          dataset: 'orders',
          status: 'RESTORED',
          recordsRestored: 3,
          recordsDeleted: 0,
          verified: false,
        },
      ],
    });
    const h = harness({
      executeRollback: async () => rollback(),
      getRollback: async () => done,
    });
    expect(
      await h.run('rollback', '-m', 'orders-v2', '-s', 'snap-1', '--json'),
    ).toBe(EXIT.error);
    expect(h.json()).toEqual(done);
    expect(h.err.slice(-2)).toEqual([
      '  orders: checksum differs',
      'Rollback rb-1 did not verify',
    ]);
  });

  it('prints the reconciliation run and still exits 5 on drift', async () => {
    const run = {
      id: 'run-1',
      status: 'SUCCEEDED',
      progress: 100,
      datasets: [
        {
          name: 'orders',
          status: 'SUCCEEDED',
          level: 'ROLLBACK',
          driftRatio: 0.015,
          sourceCount: 200,
          destinationCount: 200,
          missingInDestination: 0,
          missingInSource: 0,
          mismatched: 3,
        },
      ],
    } as any;
    const h = harness({
      startReconciliation: async () => ({
        ...run,
        status: 'PENDING',
        progress: 0,
        datasets: [],
      }),
      getReconciliation: async () => run,
    });
    expect(
      await h.run(...words('reconcile -m orders-v2 --fail-on CRITICAL --json')),
    ).toBe(EXIT.drift);
    expect(h.json()).toEqual(run);
    expect(h.err).toEqual([
      'Reconciliation run-1 started',
      'Drift at or above CRITICAL on orders (1.500%)',
    ]);
  });

  it('prints the resource of every quick command', async () => {
    const migration = {
      id: 'orders-v2',
      title: 'Orders',
      status: 'PLANNED',
      datasets: [],
    };
    const event = {
      id: 'e1',
      dataset: 'orders',
      kind: 'READ_SOURCE',
      from: 'LEGACY',
      to: 'DUAL',
      actor: 'me',
    };
    const client = {
      reportMetrics: async () => ({
        accepted: 1,
        duplicates: 0,
        datasets: ['orders'],
      }),
      putPhase: async () => ({
        id: 'tier1',
        name: 'Tier 1',
        status: 'IN_PROGRESS',
        progressPercent: 0,
      }),
      raiseAlert: async () => ({ id: 'a1', severity: 'HIGH', title: 'x' }),
      getDashboard: async () => ({
        migrationId: 'orders-v2',
        overallProgress: 25,
        datasets: [],
      }),
      getReadSources: async () => ({
        migrationId: 'orders-v2',
        datasets: { orders: 'LEGACY' },
      }),
      switchReadSource: async () => event,
      setCutoverState: async () => ({
        ...event,
        kind: 'CUTOVER_STATE',
        from: 'PENDING',
        to: 'READY',
      }),
      getControl: async () => ({ controlState: 'RUN', status: 'IN_PROGRESS' }),
    } as any;
    const cases: Array<[string[], unknown]> = [
      [
        ['report', '-m', 'orders-v2', '-d', 'orders', '--imported', '5'],
        { accepted: 1, duplicates: 0, datasets: ['orders'] },
      ],
      [
        ['phase', '-m', 'orders-v2', 'tier1', '--start'],
        { id: 'tier1', status: 'IN_PROGRESS' },
      ],
      [['alert', '-m', 'orders-v2', '-t', 'x', '-s', 'HIGH'], { id: 'a1' }],
      [
        ['status', '-m', 'orders-v2'],
        { migrationId: 'orders-v2', overallProgress: 25 },
      ],
      [['read-source', '-m', 'orders-v2'], { datasets: { orders: 'LEGACY' } }],
      [words('read-source -m orders-v2 -d orders --to DUAL --reason r'), event],
      [
        words('state -m orders-v2 -d orders --to READY --reason r'),
        { kind: 'CUTOVER_STATE', to: 'READY' },
      ],
      [['wait-until-running', '-m', 'orders-v2'], { controlState: 'RUN' }],
    ];
    for (const [args, expected] of cases) {
      const h = harness(client);
      expect(await h.run(...args, '--json')).toBe(EXIT.ok);
      expect(h.json()).toMatchObject(expected as object);
      expect(h.err).toEqual([]);
    }

    const applyPlan = jest.fn(async () => migration);
    const a = harness({ applyPlan } as any, {
      stdin: 'id: orders-v2\ntitle: Orders\n',
    });
    expect(await a.run('--json', 'apply', '-f', '-')).toBe(EXIT.ok);
    expect(a.json()).toEqual(migration);
  });

  it('sums the batches of report --stdin in one document', async () => {
    const reportMetrics = jest.fn(async (_id: string, samples: any[]) => ({
      accepted: samples.length - 1,
      duplicates: 1,
      datasets: [samples[0].dataset],
    }));
    const lines = Array.from({ length: 1500 }, (_, i) =>
      JSON.stringify({
        dataset: i < 1000 ? 'orders' : 'customers',
        importedRecords: i,
      }),
    ).join('\n');
    const h = harness({ reportMetrics }, { stdin: lines });
    expect(
      await h.run(
        ...words('report -m orders-v2 --stdin --idempotency-key load-7 --json'),
      ),
    ).toBe(EXIT.ok);
    expect(h.json()).toEqual({
      accepted: 1498,
      duplicates: 2,
      datasets: ['orders', 'customers'],
      batches: 2,
      lines: 1500,
    });
    expect(reportMetrics.mock.calls.map(c => (c as any)[2])).toEqual([
      { idempotencyKey: 'load-7-1' },
      { idempotencyKey: 'load-7-2' },
    ]);
  });

  it('prints waiting on stderr and the control state when the migration is cancelled', async () => {
    const states = ['PAUSE', 'CANCEL'];
    const h = harness({
      getControl: async () => {
        const controlState = states.shift() as any;
        return {
          controlState,
          status: controlState === 'CANCEL' ? 'CANCELLED' : 'PAUSED',
        };
      },
    });
    expect(await h.run('wait-until-running', '-m', 'orders-v2', '--json')).toBe(
      EXIT.cancelled,
    );
    expect(h.json()).toEqual({ controlState: 'CANCEL', status: 'CANCELLED' });
    expect(h.err).toEqual([
      'Migration orders-v2 is paused; waiting…',
      'Migration orders-v2 was cancelled',
    ]);
  });

  it('prints an error document on stdout, and the message on stderr, when a command fails', async () => {
    const conflict = await apiError(
      409,
      'ConflictError',
      'Dataset "orders" is PENDING; it can read from LEGACY',
    );
    const h = harness({
      switchReadSource: async () => {
        throw conflict;
      },
    });
    expect(
      await h.run(
        ...words(
          'read-source -m orders-v2 -d orders --to NEW --reason go --json',
        ),
      ),
    ).toBe(EXIT.error);
    expect(h.json()).toEqual({
      error: {
        name: 'ConflictError',
        message: 'Dataset "orders" is PENDING; it can read from LEGACY',
        statusCode: 409,
      },
      exitCode: EXIT.error,
    });
    expect(h.err).toEqual([
      'cutover: 409 Dataset "orders" is PENDING; it can read from LEGACY',
    ]);

    const usage = harness({});
    expect(
      await usage.run(
        ...words('state -m orders-v2 -d orders --to LIVE --reason x --json'),
      ),
    ).toBe(EXIT.usage);
    expect(usage.json()).toEqual({
      error: {
        name: 'UsageError',
        message: expect.stringMatching(
          /^option '--to <state>' argument 'LIVE' is invalid/,
        ),
      },
      exitCode: EXIT.usage,
    });

    const local = harness({});
    expect(
      await local.run(...words('--json read-source -m orders-v2 --to NEW')),
    ).toBe(EXIT.error);
    expect(local.json()).toEqual({
      error: { name: 'Error', message: '--to needs --dataset and --reason' },
      exitCode: EXIT.error,
    });

    const unknown = harness({});
    expect(await unknown.run('--json', 'launch')).toBe(EXIT.usage);
    expect(unknown.json().error.message).toMatch(/unknown command 'launch'/);
  });

  it('prints nothing but prose without --json', async () => {
    const h = harness({
      getReadSources: async () => ({
        migrationId: 'orders-v2',
        datasets: { orders: 'NEW' },
        updatedAt: '',
      }),
    });
    expect(await h.run('read-source', '-m', 'orders-v2')).toBe(EXIT.ok);
    expect(h.out).toEqual(['orders    NEW']);
    expect(() => h.json()).toThrow();
  });
});
