import { SignalApi } from '@backstage/plugin-signals-react';
import { registerMswTestHooks } from '@backstage/test-utils';
import {
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { dashboard, serveEmptyTrends } from '../../__testUtils__/migrationTab';
import { BASE, renderEntityTab, testSignals } from '../../__testUtils__/render';
import { MigrationTab } from './MigrationTab';

const server = setupServer();
registerMswTestHooks(server);

async function renderTab(
  options: { annotation?: string; allow?: boolean; signals?: SignalApi } = {},
) {
  return renderEntityTab(<MigrationTab />, options);
}

describe('MigrationTab', () => {
  beforeEach(() => {
    serveEmptyTrends(server);
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
