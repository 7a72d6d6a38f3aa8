import { ResponseError } from '@backstage/errors';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { harness } from './__testUtils__/harness';
import { EXIT } from './index';
import { progressBar } from './progressBar';

describe('cutover CLI', () => {
  it('applies a YAML plan', async () => {
    const file = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), 'cli-')),
      'plan.yaml',
    );
    fs.writeFileSync(
      file,
      'id: orders-v2\ntitle: Orders\nowner: group:default/team\ndatasets:\n  - { name: customers, tier: 1 }\n',
    );
    const applyPlan = jest.fn(async (plan: any) => ({
      ...plan,
      status: 'PLANNED',
      datasets: plan.datasets,
    }));
    const h = harness({ applyPlan } as any);
    expect(await h.run('apply', '-f', file)).toBe(EXIT.ok);
    expect(applyPlan).toHaveBeenCalledWith({
      id: 'orders-v2',
      title: 'Orders',
      owner: 'group:default/team',
      datasets: [{ name: 'customers', tier: 1 }],
    });
    expect(h.out).toEqual([
      'Applied plan "orders-v2" (Orders): 1 datasets, status PLANNED',
    ]);
  });

  it('lays a plan out from a moment given as now minus a duration', async () => {
    const file = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), 'cli-')),
      'plan.yaml',
    );
    fs.writeFileSync(
      file,
      'id: orders-v2\ntitle: Orders\nowner: group:default/team\nplannedStart: 2026-11-20T08:00:00Z\nplannedEnd: 2026-12-04T18:00:00Z\n' +
        'milestones:\n  - { id: go-live, name: Go-live, plannedDate: 2026-12-04T18:00:00Z }\n',
    );
    const applyPlan = jest.fn(async (plan: any) => ({
      ...plan,
      status: 'PLANNED',
      datasets: [],
    }));
    const now = Date.parse('2031-05-10T12:00:00Z');
    const h = harness({ applyPlan } as any, { now });
    expect(await h.run('apply', '-f', file, '--start', 'now-1d')).toBe(EXIT.ok);
    const end = new Date(
      now -
        86_400_000 +
        (Date.parse('2026-12-04T18:00:00Z') -
          Date.parse('2026-11-20T08:00:00Z')),
    ).toISOString();
    expect(applyPlan).toHaveBeenCalledWith(
      expect.objectContaining({
        plannedStart: '2031-05-09T12:00:00.000Z',
        plannedEnd: end,
        milestones: [{ id: 'go-live', name: 'Go-live', plannedDate: end }],
      }),
    );
    expect(await h.run('apply', '-f', file, '--start', 'soon')).toBe(
      EXIT.error,
    );
    expect(h.err.join('\n')).toMatch(/--start: "soon" is not a moment/);
  });

  it('reports one sample from flags, refusing bad values before sending', async () => {
    const reportMetrics = jest.fn(async () => ({
      accepted: 1,
      duplicates: 0,
      datasets: ['customers'],
    }));
    const h = harness({ reportMetrics });
    expect(
      await h.run(
        'report',
        '-m',
        'orders-v2',
        '-d',
        'customers',
        '--imported',
        '300',
        '--validity',
        '91.5',
        '--critical',
        '2',
      ),
    ).toBe(EXIT.ok);
    expect(reportMetrics).toHaveBeenCalledWith(
      'orders-v2',
      [
        {
          dataset: 'customers',
          importedRecords: 300,
          validity: 91.5,
          errors: { critical: 2 },
        },
      ],
      { idempotencyKey: undefined },
    );
    expect(h.out).toEqual(['Reported 1 sample(s) for customers']);

    const bad = harness({ reportMetrics });
    expect(
      await bad.run(
        'report',
        '-m',
        'orders-v2',
        '-d',
        'customers',
        '--validity',
        '140',
      ),
    ).toBe(EXIT.error);
    expect(bad.err[0]).toMatch(/validity/);
    expect(reportMetrics).toHaveBeenCalledTimes(1);
  });

  it('reports JSON lines from stdin in batches, naming the bad line', async () => {
    const batches: number[] = [];
    const reportMetrics = jest.fn(async (_id: string, samples: any[]) => {
      batches.push(samples.length);
      return { accepted: samples.length, duplicates: 0, datasets: ['orders'] };
    });
    const lines = Array.from({ length: 2500 }, (_, i) =>
      JSON.stringify({ dataset: 'orders', importedRecords: i }),
    ).join('\n');
    const h = harness({ reportMetrics }, { stdin: lines });
    expect(await h.run('report', '-m', 'orders-v2', '--stdin')).toBe(EXIT.ok);
    expect(batches).toEqual([1000, 1000, 500]);
    expect(h.out).toEqual(['Reported 2500 sample(s) from 2500 line(s)']);

    const broken = harness(
      { reportMetrics },
      { stdin: '{"dataset":"orders"}\n{oops' },
    );
    expect(await broken.run('report', '-m', 'orders-v2', '--stdin')).toBe(
      EXIT.error,
    );
    expect(broken.err[0]).toMatch(/line 2: not JSON/);
  });

  it('waits while paused, carries on when resumed, and exits 3 when cancelled', async () => {
    const states = ['PAUSE', 'PAUSE', 'RUN'];
    const getControl = jest.fn(async () => ({
      controlState: states.shift() as any,
      status: 'PAUSED' as const,
    }));
    const h = harness({ getControl });
    expect(
      await h.run('wait-until-running', '-m', 'orders-v2', '--interval', '1s'),
    ).toBe(EXIT.ok);
    expect(getControl).toHaveBeenCalledTimes(3);
    expect(h.out).toEqual([
      'Migration orders-v2 is paused; waiting…',
      'Migration orders-v2 resumed',
    ]);

    const cancelled = harness({
      getControl: async () => ({ controlState: 'CANCEL', status: 'CANCELLED' }),
    });
    expect(await cancelled.run('wait-until-running', '-m', 'orders-v2')).toBe(
      EXIT.cancelled,
    );
  });

  it('prints a progress bar per dataset', async () => {
    const getDashboard = async () =>
      ({
        migrationId: 'orders-v2',
        title: 'Orders',
        status: 'IN_PROGRESS',
        controlState: 'RUN',
        overallProgress: 25,
        importedRecords: 250,
        totalRecords: 1000,
        importRate: 12,
        estimatedCompletion: null,
        qualityScore: 90,
        qualityTrend: 'flat',
        blockers: ['Quality low'],
        datasets: [
          {
            name: 'customers',
            tier: 1,
            overallProgress: 50,
            importedRecords: 250,
            totalRecords: 500,
            status: 'IN_PROGRESS',
          },
        ],
      } as any);
    const h = harness({ getDashboard });
    expect(await h.run('status', '-m', 'orders-v2')).toBe(EXIT.ok);
    expect(h.out[1]).toContain(progressBar(25));
    expect(h.out[3]).toMatch(
      /customers\s+T1\s+\[#{12}-{12}\]\s+50\.0%\s+250 \/ 500\s+IN_PROGRESS/,
    );
    expect(h.out.slice(-2)).toEqual(['Blockers:', '  - Quality low']);
  });

  it('raises an alert for a job', async () => {
    const raiseAlert = jest.fn(async (_id: string, a: any) => ({
      ...a,
      id: 'a1',
      targetResolutionTime: '2026-12-01T10:00:00.000Z',
    }));
    const h = harness({ raiseAlert } as any);
    expect(
      await h.run(
        'alert',
        '-m',
        'orders-v2',
        '-t',
        'Loader crashed',
        '-s',
        'CRITICAL',
        '-d',
        'orders',
        '--record',
        '42',
      ),
    ).toBe(EXIT.ok);
    expect(raiseAlert).toHaveBeenCalledWith('orders-v2', {
      alertType: 'ERROR',
      severity: 'CRITICAL',
      title: 'Loader crashed',
      dataset: 'orders',
      recordId: '42',
    });
    expect(h.out).toEqual([
      'Raised CRITICAL alert a1: Loader crashed (respond by 2026-12-01T10:00:00.000Z)',
    ]);
    expect(
      await harness({ raiseAlert } as any).run(
        'alert',
        '-m',
        'x',
        '-t',
        'y',
        '-s',
        'SEVERE',
      ),
    ).toBe(EXIT.usage);
  });

  it('explains API errors', async () => {
    const response = new Response(
      JSON.stringify({
        error: { name: 'AuthenticationError', message: 'not allowed' },
        request: { method: 'GET', url: '/migrations/orders-v2/dashboard' },
        response: { statusCode: 401 },
      }),
      {
        status: 401,
        headers: { 'content-type': 'application/json' },
      },
    );
    const error = await ResponseError.fromResponse(response as any);
    const h = harness({
      getDashboard: async () => {
        throw error;
      },
    });
    expect(await h.run('status', '-m', 'orders-v2')).toBe(EXIT.error);
    expect(h.err).toEqual([
      'cutover: 401 not allowed',
      'Set CUTOVER_TOKEN to a token the portal accepts.',
    ]);
  });
});
