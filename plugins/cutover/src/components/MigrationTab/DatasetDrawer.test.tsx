import { registerMswTestHooks } from '@backstage/test-utils';
import {
  Alert,
  Dashboard,
  DashboardDataset,
  DatasetSwitchEvent,
  ReconciliationRun,
  Trends,
} from '@switchyard/plugin-cutover-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  dashboard as sampleDashboard,
  dashboardDataset,
} from '../../__testUtils__/migrationTab';
import { BASE, renderEntityTab } from '../../__testUtils__/render';
import { MigrationTab } from './MigrationTab';

const server = setupServer();
registerMswTestHooks(server);

const now = Date.now();
const STATS = {
  open: 0,
  resolved: 0,
  overdue: 0,
  bySeverity: Object.fromEntries(
    ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'].map(s => [s, { open: 0, resolved: 0 }]),
  ),
  trend: [],
};
const ago = (minutes: number) => new Date(now - minutes * 60_000).toISOString();

function dataset(name: string, over: Partial<DashboardDataset> = {}): DashboardDataset {
  return dashboardDataset(name, {
    skippedRecords: 25,
    overallProgress: 76.88,
    estimatedCompletion: new Date(now + 90 * 60_000).toISOString(),
    errors: { critical: 1, high: 3, medium: 0, low: 0 },
    lastSampleAt: ago(1),
    ...over,
  });
}

function dashboard(over: Partial<Dashboard> = {}, datasets?: DashboardDataset[]): Dashboard {
  return sampleDashboard({
    plannedStart: ago(24 * 60),
    actualStart: ago(60),
    skippedRecords: 25,
    estimatedCompletion: new Date(now + 5 * 60_000).toISOString(),
    errors: { critical: 1, high: 3, medium: 0, low: 0 },
    blockers: [],
    generatedAt: new Date(now).toISOString(),
    datasets: datasets ?? [
      dataset('customers', {
        resources: {
          bytesMoved: 50 * 1024 * 1024,
          bytesPerSecond: 2 * 1024 * 1024,
          cpuSeconds: 120,
          memoryPeakBytes: 512 * 1024 * 1024,
          cost: 12.5,
          projectedCost: 16.26,
          currency: 'EUR',
        },
        errorsByType: { null_key: 12, bad_date: 40 },
      }),
      dataset('orders', {
        tier: 2,
        category: 'transactional',
        estimatedCompletion: null,
        skippedRecords: 7,
      }),
    ],
    ...over,
  });
}

const trends = (withResources: boolean): Trends => ({
  range: '1h',
  bucket: '1m',
  dataset: null,
  timestamps: [ago(2), ago(1)],
  progressPercent: [40, 42.5],
  importedRecords: [4000, 4200],
  importRate: [1000, 1250],
  qualityScore: [91, 91.3],
  completeness: [99, 99],
  validity: [88, 88],
  consistency: [90, 90],
  accuracy: [88, 88.2],
  ...(withResources ? { bytesPerSecond: [0, 2097152], cost: [10, 12.5] } : {}),
});

function alert(id: string, datasetName: string | null, title: string): Alert {
  return {
    id,
    migrationId: 'orders-v2',
    alertType: 'WARNING',
    severity: 'HIGH',
    title,
    message: null,
    dataset: datasetName,
    recordId: null,
    status: 'OPEN',
    source: 'JOB',
    ruleKey: null,
    createdAt: ago(30),
    createdBy: 'service:jobs',
    targetResolutionTime: new Date(now + 3_600_000).toISOString(),
    assignedTo: null,
    resolvedAt: null,
    resolvedBy: null,
    resolution: null,
    notes: [],
    escalationLevel: 0,
  };
}

function run(id: string, drift: number, names: string[]): ReconciliationRun {
  return {
    id,
    migrationId: 'orders-v2',
    status: 'SUCCEEDED',
    trigger: 'MANUAL',
    progress: 100,
    createdBy: 'user:default/olivia-owner',
    createdAt: ago(50),
    startedAt: ago(50),
    finishedAt: ago(49),
    datasets: names.map(name => ({
      name,
      status: 'SUCCEEDED',
      sourceCount: 4000,
      destinationCount: 3990,
      missingInDestination: 10,
      missingInSource: 0,
      mismatched: 3,
      driftRatio: drift,
      level: drift > 0.01 ? 'WARNING' : 'OK',
      sampleKeys: [],
      rowsCompared: 4000,
      durationMs: 1000,
      error: null,
    })),
    error: null,
    thresholds: { warning: 0.01, critical: 0.05, rollback: 0.1 },
  };
}

function switchEvent(id: string, to: string): DatasetSwitchEvent {
  return {
    id,
    migrationId: 'orders-v2',
    dataset: 'customers',
    kind: 'READ_SOURCE',
    from: 'LEGACY',
    to,
    reason: `to ${to} for the pilot`,
    actor: 'user:default/olivia-owner',
    at: ago(20),
    automatic: false,
  };
}

describe('the dataset drawer and resources on the Migration tab', () => {
  it('shows skipped records, ETA, throughput and cost; a row opens the drawer with everything about the dataset', async () => {
    const cursors: Record<string, Array<string | null>> = { alerts: [], runs: [], switches: [] };
    const trendQueries: Array<string | null> = [];
    server.use(
      http.get(`${BASE}/migrations/orders-v2/dashboard`, () =>
        HttpResponse.json(dashboard({
          resources: {
            bytesMoved: 50 * 1024 * 1024,
            bytesPerSecond: 2 * 1024 * 1024,
            cpuSeconds: 120,
            memoryPeakBytes: 512 * 1024 * 1024,
            cost: 12.5,
            projectedCost: 29.41,
            currency: 'EUR',
          },
        })),
      ),
      http.get(`${BASE}/migrations/orders-v2/trends`, ({ request }) => {
        const asked = new URL(request.url).searchParams.get('dataset');
        trendQueries.push(asked);
        return HttpResponse.json(trends(true));
      }),
      // Two pages each: the drawer follows nextCursor.
      http.get(`${BASE}/migrations/orders-v2/alerts`, ({ request }) => {
        const cursor = new URL(request.url).searchParams.get('cursor');
        cursors.alerts.push(cursor);
        return HttpResponse.json(
          cursor
            ? { items: [alert('a2', 'customers', 'Null keys in batch 7')], totalCount: 3, nextCursor: null, stats: STATS }
            : {
                items: [alert('a1', 'orders', 'Orders slow'), alert('a0', 'customers', 'Dates out of range')],
                totalCount: 3,
                nextCursor: 'page-2',
                stats: STATS,
              },
        );
      }),
      http.get(`${BASE}/migrations/orders-v2/reconciliations`, ({ request }) => {
        const cursor = new URL(request.url).searchParams.get('cursor');
        cursors.runs.push(cursor);
        return HttpResponse.json(
          cursor
            ? { items: [run('r2', 0.0025, ['customers'])], totalCount: 3, nextCursor: null }
            : { items: [run('r1', 0.02, ['customers', 'orders']), run('r0', 0, ['orders'])], totalCount: 3, nextCursor: 'p2' },
        );
      }),
      http.get(`${BASE}/migrations/orders-v2/switch-history`, ({ request }) => {
        const params = new URL(request.url).searchParams;
        expect(params.get('dataset')).toBe('customers');
        cursors.switches.push(params.get('cursor'));
        return HttpResponse.json(
          params.get('cursor')
            ? { items: [switchEvent('s2', 'NEW')], totalCount: 2, nextCursor: null }
            : { items: [switchEvent('s1', 'DUAL')], totalCount: 2, nextCursor: 's-2' },
        );
      }),
    );
    await renderEntityTab(<MigrationTab />);
    await screen.findByText('Orders database to PostgreSQL');

    // The progress card: throughput beside the rate, cost to date and projected cost.
    expect(screen.getByTitle('50 MB moved so far')).toHaveTextContent('2.0 MB/s');
    expect(screen.getByTitle('50 MB moved so far').previousSibling).toHaveTextContent('Throughput');
    expect(screen.getByText('€12.50')).toBeInTheDocument();
    expect(screen.getByText('€29.41')).toBeInTheDocument();
    // Throughput and cost trends.
    expect(await screen.findByRole('tab', { name: 'Throughput' })).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Cost' })).toBeInTheDocument();

    // The table: skipped records and ETA per dataset.
    expect(screen.getByTestId('failed-skipped-orders')).toHaveTextContent('50 / 7');
    expect(screen.getByTestId('failed-skipped-customers')).toHaveTextContent('50 / 25');
    expect(screen.getByTestId('eta-customers')).toHaveTextContent('ETA in 1 hour');
    expect(screen.getByTestId('eta-orders')).toHaveTextContent('ETA –');

    fireEvent.click(screen.getAllByText('customers')[0].closest('tr')!);
    const drawer = await screen.findByTestId('dataset-drawer');
    expect(within(drawer).getByRole('heading', { name: 'customers' })).toBeInTheDocument();
    expect(within(drawer).getByText('3,000 / 4,000')).toBeInTheDocument();
    expect(within(drawer).getByText('€16.26')).toBeInTheDocument();
    // Errors by severity and by type, most first.
    const errors = within(drawer).getByTestId('drawer-errors');
    expect(within(errors).getByText('critical 1')).toBeInTheDocument();
    const types = within(errors).getAllByRole('row').map(r => r.textContent);
    expect(types).toEqual(['bad_date40', 'null_key12']);
    // Its trends.
    await waitFor(() => expect(trendQueries).toContain('customers'));
    expect(within(drawer).getByText('Trends of customers')).toBeInTheDocument();

    // Alerts, reconciliations and switches of this dataset only, from every page.
    const alerts = await within(drawer).findByTestId('drawer-alerts');
    expect(within(alerts).getByText('Alerts (2)')).toBeInTheDocument();
    expect(within(alerts).getByText('Dates out of range')).toBeInTheDocument();
    expect(within(alerts).getByText('Null keys in batch 7')).toBeInTheDocument();
    expect(within(alerts).queryByText('Orders slow')).not.toBeInTheDocument();
    const runs = within(drawer).getByTestId('drawer-reconciliations');
    expect(within(runs).getByText('Reconciliation history (2)')).toBeInTheDocument();
    expect(within(runs).getByText('2.00%')).toBeInTheDocument();
    expect(within(runs).getByText('0.25%')).toBeInTheDocument();
    const switches = within(drawer).getByTestId('drawer-switches');
    expect(within(switches).getByText('Reads: LEGACY → DUAL')).toBeInTheDocument();
    expect(within(switches).getByText('Reads: LEGACY → NEW')).toBeInTheDocument();
    expect(cursors.alerts).toEqual(expect.arrayContaining([null, 'page-2']));
    expect(cursors.runs).toEqual(expect.arrayContaining([null, 'p2']));
    expect(cursors.switches).toEqual(expect.arrayContaining([null, 's-2']));

    fireEvent.click(within(drawer).getByRole('button', { name: 'Close dataset details' }));
    await waitFor(() => expect(screen.queryByTestId('dataset-drawer')).not.toBeInTheDocument());
  });

  it('says the job is still writing while the migration is paused', async () => {
    server.use(
      http.get(`${BASE}/migrations/paused-v1/dashboard`, () =>
        HttpResponse.json(
          dashboard({
            migrationId: 'paused-v1',
            status: 'PAUSED',
            controlState: 'PAUSE',
            writingWhilePaused: ['customers'],
          }),
        ),
      ),
      http.get(`${BASE}/migrations/paused-v1/trends`, () => HttpResponse.json(trends(false))),
      http.get(`${BASE}/migrations/paused-v1/alerts`, () =>
        HttpResponse.json({ items: [], totalCount: 0, nextCursor: null, stats: STATS }),
      ),
    );
    await renderEntityTab(<MigrationTab />, { annotation: 'paused-v1' });
    const banner = await screen.findByTestId('writing-while-paused');
    expect(banner).toHaveTextContent('Paused, but the job is still writing');
    expect(banner).toHaveTextContent('The migration is paused, yet samples keep arriving for customers');
  });

  it('shows nothing new for jobs that send no resources', async () => {
    server.use(
      http.get(`${BASE}/migrations/plain-v1/dashboard`, () =>
        HttpResponse.json(
          dashboard({ migrationId: 'plain-v1' }, [dataset('customers'), dataset('orders')]),
        ),
      ),
      http.get(`${BASE}/migrations/plain-v1/trends`, () => HttpResponse.json(trends(false))),
      http.get(`${BASE}/migrations/plain-v1/alerts`, () =>
        HttpResponse.json({ items: [], totalCount: 0, nextCursor: null, stats: STATS }),
      ),
    );
    await renderEntityTab(<MigrationTab />, { annotation: 'plain-v1' });
    await screen.findByText('Orders database to PostgreSQL');
    expect(await screen.findByRole('tab', { name: 'Import rate' })).toBeInTheDocument();
    expect(screen.queryByText('Throughput')).not.toBeInTheDocument();
    expect(screen.queryByText('Cost to date')).not.toBeInTheDocument();
    expect(screen.queryByRole('tab', { name: 'Cost' })).not.toBeInTheDocument();
    expect(screen.queryByTestId('writing-while-paused')).not.toBeInTheDocument();
  });

  it("shows a dataset's long switch history from every page in a paged, searchable, sortable table", async () => {
    // 13 switches, newest first: 8 on the backend's first page, 5 after its nextCursor.
    const switches = Array.from({ length: 13 }, (_, i) => ({
      ...switchEvent(`sw${i}`, i % 2 ? 'DUAL' : 'NEW'),
      at: ago(10 * (i + 1)),
      reason: i === 12 ? 'The very first switch' : `Switch ${i}`,
    }));
    const cursors: Array<string | null> = [];
    const empty = { items: [], totalCount: 0, nextCursor: null };
    server.use(
      http.get(`${BASE}/migrations/long-v1/dashboard`, () =>
        HttpResponse.json(dashboard({ migrationId: 'long-v1' }, [dataset('customers'), dataset('orders')])),
      ),
      http.get(`${BASE}/migrations/long-v1/trends`, () => HttpResponse.json(trends(false))),
      http.get(`${BASE}/migrations/long-v1/alerts`, () => HttpResponse.json({ ...empty, stats: STATS })),
      http.get(`${BASE}/migrations/long-v1/reconciliations`, () => HttpResponse.json(empty)),
      http.get(`${BASE}/migrations/long-v1/switch-history`, ({ request }) => {
        const cursor = new URL(request.url).searchParams.get('cursor');
        cursors.push(cursor);
        return HttpResponse.json(
          cursor === 'sw-8'
            ? { items: switches.slice(8), totalCount: 13, nextCursor: null }
            : { items: switches.slice(0, 8), totalCount: 13, nextCursor: 'sw-8' },
        );
      }),
    );
    await renderEntityTab(<MigrationTab />, { annotation: 'long-v1' });
    await screen.findByText('Orders database to PostgreSQL');
    fireEvent.click(screen.getAllByText('customers')[0].closest('tr')!);
    const drawer = await screen.findByTestId('dataset-drawer');
    const history = await within(drawer).findByTestId('drawer-switches');
    expect(within(history).getByText('Switch history (13)')).toBeInTheDocument();
    expect(cursors.slice(0, 2)).toEqual([null, 'sw-8']);

    // Ten a page, newest first; the table's next page has the backend's second page.
    expect(within(history).getByTestId('drawer-switch-sw0')).toBeInTheDocument();
    expect(within(history).queryByTestId('drawer-switch-sw12')).not.toBeInTheDocument();
    fireEvent.click(within(history).getByRole('button', { name: 'Next Page' }));
    expect(await within(history).findByTestId('drawer-switch-sw12')).toHaveTextContent('The very first switch');
    expect(within(history).queryByTestId('drawer-switch-sw0')).not.toBeInTheDocument();
    fireEvent.click(within(history).getByRole('button', { name: 'Previous Page' }));
    await within(history).findByTestId('drawer-switch-sw0');

    // Search, then sorting by when (newest first to start with) to oldest first.
    const search = within(history).getByPlaceholderText('Filter');
    fireEvent.change(search, { target: { value: 'very first' } });
    await waitFor(() => expect(within(history).getByTestId('drawer-switch-sw12')).toBeInTheDocument());
    expect(within(history).queryByTestId('drawer-switch-sw0')).not.toBeInTheDocument();
    fireEvent.change(search, { target: { value: '' } });
    await within(history).findByTestId('drawer-switch-sw0');
    const when = within(history).getByRole('button', { name: 'When' });
    for (let i = 0; i < 2 && !within(history).queryByTestId('drawer-switch-sw12'); i++) fireEvent.click(when);
    await waitFor(() => expect(within(history).getByTestId('drawer-switch-sw12')).toBeInTheDocument());
    expect(within(history).queryByTestId('drawer-switch-sw0')).not.toBeInTheDocument();
  });
});
