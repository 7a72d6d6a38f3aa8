import { SignalApi } from '@backstage/plugin-signals-react';
import { registerMswTestHooks } from '@backstage/test-utils';
import { Dashboard, Trends } from '@switchyard/plugin-cutover-common';
import {
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { BASE, renderEntityTab, testSignals } from '../../__testUtils__/render';
import { MigrationTab } from './MigrationTab';

jest.setTimeout(30_000);

const server = setupServer();
registerMswTestHooks(server);

function dashboard(over: Partial<Dashboard> = {}): Dashboard {
  return {
    migrationId: 'orders-v2',
    title: 'Orders database to PostgreSQL',
    status: 'IN_PROGRESS',
    controlState: 'RUN',
    plannedStart: new Date(Date.now() - 86_400_000).toISOString(),
    plannedEnd: new Date(Date.now() + 13 * 86_400_000).toISOString(),
    actualStart: new Date(Date.now() - 3_600_000).toISOString(),
    elapsedMs: 3_600_000,
    overallProgress: 42.5,
    totalRecords: 10000,
    importedRecords: 4200,
    failedRecords: 50,
    skippedRecords: 0,
    importRate: 1250,
    estimatedCompletion: new Date(Date.now() + 5 * 60_000).toISOString(),
    qualityScore: 91.3,
    qualityTrend: 'up',
    completeness: 99,
    validity: 88,
    consistency: 90,
    accuracy: 88.2,
    errors: { critical: 0, high: 3, medium: 1, low: 0 },
    cutoverReady: false,
    blockers: ['Tier 1 datasets not fully imported: customers'],
    generatedAt: new Date().toISOString(),
    datasets: [
      {
        name: 'customers',
        tier: 1,
        category: 'master',
        totalRecords: 4000,
        importedRecords: 3000,
        failedRecords: 50,
        skippedRecords: 0,
        overallProgress: 76.25,
        importRate: 800,
        estimatedCompletion: null,
        completeness: 99,
        validity: 88,
        consistency: 90,
        accuracy: 88.2,
        qualityScore: 91.3,
        qualityTrend: 'up',
        errors: { critical: 0, high: 3, medium: 1, low: 0 },
        status: 'IN_PROGRESS',
        readSource: 'LEGACY',
        cutoverState: 'PENDING',
        lastSampleAt: new Date().toISOString(),
      },
      {
        name: 'orders',
        tier: 2,
        category: 'transactional',
        totalRecords: 6000,
        importedRecords: 1200,
        failedRecords: 0,
        skippedRecords: 0,
        overallProgress: 20,
        importRate: 450,
        estimatedCompletion: null,
        completeness: null,
        validity: null,
        consistency: null,
        accuracy: null,
        qualityScore: null,
        qualityTrend: 'flat',
        errors: { critical: 0, high: 0, medium: 0, low: 0 },
        status: 'IN_PROGRESS',
        readSource: 'LEGACY',
        cutoverState: 'PENDING',
        lastSampleAt: new Date().toISOString(),
      },
    ],
    ...over,
  };
}

const emptyTrends: Trends = {
  range: '1h',
  bucket: '1m',
  dataset: null,
  timestamps: [],
  progressPercent: [],
  importedRecords: [],
  importRate: [],
  qualityScore: [],
  completeness: [],
  validity: [],
  consistency: [],
  accuracy: [],
};

async function renderTab(
  options: { annotation?: string; allow?: boolean; signals?: SignalApi } = {},
) {
  return renderEntityTab(<MigrationTab />, options);
}

describe('MigrationTab', () => {
  beforeEach(() => {
    server.use(
      http.get(`${BASE}/migrations/:id/trends`, () =>
        HttpResponse.json(emptyTrends),
      ),
    );
  });

  it('shows progress, quality, blockers and datasets of the migration', async () => {
    server.use(
      http.get(`${BASE}/migrations/orders-v2/dashboard`, () =>
        HttpResponse.json(dashboard()),
      ),
    );
    await renderTab();
    expect(
      await screen.findByText('Orders database to PostgreSQL'),
    ).toBeInTheDocument();
    expect(screen.getByTestId('overall-progress')).toHaveTextContent('42.5%');
    expect(screen.getByTestId('quality-score')).toHaveTextContent('91.3');
    expect(
      screen.getByText('Tier 1 datasets not fully imported: customers'),
    ).toBeInTheDocument();
    expect(screen.getByText('1 blocker before cutover')).toBeInTheDocument();
    expect(screen.getByText('1.3k / min')).toBeInTheDocument();
    const customers = screen.getByText('customers').closest('tr')!;
    expect(within(customers).getByText('76.3%')).toBeInTheDocument();
    expect(within(customers).getByText('3,000 / 4,000')).toBeInTheDocument();
    expect(within(customers).getByText('IN PROGRESS')).toBeInTheDocument();
    expect(screen.getByText('orders').closest('tr')).toHaveTextContent(
      'Tier 2 · transactional',
    );
  });

  it('offers pause and cancel only to those allowed to change the migration', async () => {
    server.use(
      http.get(`${BASE}/migrations/orders-v2/dashboard`, () =>
        HttpResponse.json(dashboard()),
      ),
    );
    await renderTab({ allow: false });
    await screen.findByText('Orders database to PostgreSQL');
    expect(
      screen.queryByRole('button', { name: /pause/i }),
    ).not.toBeInTheDocument();
  });

  it('pauses the migration with a reason after confirmation', async () => {
    // Another migration id: permission decisions are cached per resource across renders.
    let current = dashboard({ migrationId: 'payments-v1' });
    let patched: any;
    server.use(
      http.get(`${BASE}/migrations/payments-v1/dashboard`, () =>
        HttpResponse.json(current),
      ),
      http.patch(`${BASE}/migrations/payments-v1`, async ({ request }) => {
        patched = await request.json();
        current = dashboard({
          migrationId: 'payments-v1',
          status: 'PAUSED',
          controlState: 'PAUSE',
        });
        return HttpResponse.json({ id: 'orders-v2' });
      }),
    );
    await renderTab({ allow: true, annotation: 'payments-v1' });
    await screen.findByText('Orders database to PostgreSQL');
    fireEvent.click(
      await screen.findByRole('button', { name: /pause/i }, { timeout: 5000 }),
    );
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/reason/i), {
      target: { value: 'DB maintenance' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Pause' }));
    await waitFor(() =>
      expect(patched).toEqual({
        controlState: 'PAUSE',
        reason: 'DB maintenance',
      }),
    );
    expect(
      await screen.findByText('PAUSED', undefined, { timeout: 10_000 }),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole(
        'button',
        { name: /resume/i },
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
  });

  it('refetches when a signal for the migration arrives', async () => {
    let imported = 4200;
    server.use(
      http.get(`${BASE}/migrations/orders-v2/dashboard`, () =>
        HttpResponse.json(
          dashboard({
            importedRecords: imported,
            overallProgress: imported / 100,
          }),
        ),
      ),
    );
    const signals = testSignals();
    await renderTab({ signals: signals.api });
    expect(await screen.findByTestId('overall-progress')).toHaveTextContent(
      '42.0%',
    );
    expect(screen.getByTestId('live-indicator')).toHaveTextContent('live');
    imported = 6100;
    act(() =>
      signals.publish('cutover:orders-v2', {
        migrationId: 'orders-v2',
        type: 'progress',
        types: ['progress'],
        at: '',
      }),
    );
    await waitFor(() =>
      expect(screen.getByTestId('overall-progress')).toHaveTextContent('61.0%'),
    );
  });

  it('explains how to create a migration the annotation names but the backend lacks', async () => {
    server.use(
      http.get(`${BASE}/migrations/orders-v2/dashboard`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'NotFoundError',
              message: 'No migration with id "orders-v2"',
            },
          },
          { status: 404 },
        ),
      ),
    );
    await renderTab();
    expect(
      await screen.findByText('Migration "orders-v2" does not exist yet'),
    ).toBeInTheDocument();
    expect(screen.getByText(/cutover apply -f plan.yaml/)).toBeInTheDocument();
  });

  it('shows a failure with a way to retry', async () => {
    let fail = true;
    server.use(
      http.get(`${BASE}/migrations/orders-v2/dashboard`, () =>
        fail
          ? HttpResponse.json(
              { error: { name: 'Error', message: 'database is down' } },
              { status: 503 },
            )
          : HttpResponse.json(dashboard()),
      ),
    );
    await renderTab();
    expect(
      await screen.findByText(/Could not load the migration/),
    ).toBeInTheDocument();
    fail = false;
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(
      await screen.findByText('Orders database to PostgreSQL'),
    ).toBeInTheDocument();
  });

  it('offers a selector when the entity names several migrations', async () => {
    server.use(
      http.get(`${BASE}/migrations/orders-v2/dashboard`, () =>
        HttpResponse.json(dashboard()),
      ),
      http.get(`${BASE}/migrations/billing-ledger/dashboard`, () =>
        HttpResponse.json(
          dashboard({
            migrationId: 'billing-ledger',
            title: 'Billing ledger',
            datasets: [],
          }),
        ),
      ),
    );
    await renderTab({ annotation: 'orders-v2, billing-ledger' });
    expect(
      await screen.findByText('Orders database to PostgreSQL'),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('tab', { name: 'billing-ledger' }));
    expect(await screen.findByText('Billing ledger')).toBeInTheDocument();
    expect(
      screen.getByText("No datasets in this migration's plan"),
    ).toBeInTheDocument();
  });

  it('says when the entity has no migration annotation', async () => {
    await renderTab({ annotation: '' });
    expect(await screen.findByText(/Missing Annotation/i)).toBeInTheDocument();
  });
});
