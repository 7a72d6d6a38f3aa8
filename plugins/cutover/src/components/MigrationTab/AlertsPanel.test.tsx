import { registerMswTestHooks } from '@backstage/test-utils';
import { AlertPage } from '@switchyard/plugin-cutover-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { BASE, renderEntityTab } from '../../__testUtils__/render';
import { AlertsPanel } from './AlertsPanel';

// Renders the panel, its filters and the trend chart: room for a loaded machine.
jest.setTimeout(60_000);

const server = setupServer();
registerMswTestHooks(server);

const page = (overdue: boolean): AlertPage => ({
  items: [{
    id: '11111111-1111-4111-8111-111111111111', migrationId: 'orders-v2', alertType: 'THRESHOLD', severity: 'CRITICAL',
    title: 'Quality of orders fell to 70', message: 'below 85', dataset: 'orders', recordId: null, status: 'OPEN',
    source: 'RULE', ruleKey: 'quality:orders', createdAt: new Date(Date.now() - 2 * 3600_000).toISOString(),
    createdBy: 'switchyard', targetResolutionTime: new Date(Date.now() + (overdue ? -1 : 1) * (90 * 60_000)).toISOString(),
    assignedTo: null, resolvedAt: null, resolvedBy: null, resolution: null, notes: [], escalationLevel: 0,
  }],
  totalCount: 1,
  nextCursor: null,
  stats: {
    open: 1, resolved: 3, overdue: overdue ? 1 : 0,
    bySeverity: { CRITICAL: { open: 1, resolved: 0 }, HIGH: { open: 0, resolved: 2 }, MEDIUM: { open: 0, resolved: 1 }, LOW: { open: 0, resolved: 0 } },
    trend: [],
  },
});

describe('AlertsPanel', () => {
  it('shows stats by severity, filters, and the SLA countdown', async () => {
    const queries: string[] = [];
    server.use(
      http.get(`${BASE}/migrations/al-1/alerts`, ({ request }) => {
        queries.push(new URL(request.url).search);
        return HttpResponse.json(page(true));
      }),
    );
    await renderEntityTab(<AlertsPanel migrationId="al-1" />, { annotation: 'al-1' });
    expect(await screen.findByText('Quality of orders fell to 70')).toBeInTheDocument();
    expect(screen.getByText('Alerts (1 open, 1 overdue)')).toBeInTheDocument();
    expect(screen.getByTestId('alerts-CRITICAL')).toHaveTextContent('CRITICAL 1');
    expect(screen.getByTestId('sla')).toHaveTextContent(/^overdue 1h 30m$/);
    expect(screen.queryByRole('button', { name: 'Resolve' })).not.toBeInTheDocument();
    expect(queries[0]).toBe('?status=OPEN&limit=200');
    fireEvent.mouseDown(screen.getByLabelText('Severity'));
    fireEvent.click(await screen.findByRole('option', { name: 'CRITICAL' }));
    await waitFor(() => expect(queries.at(-1)).toBe('?severity=CRITICAL&status=OPEN&limit=200'));
  });

  it('lets those allowed resolve an alert with a resolution', async () => {
    let resolved: any;
    server.use(
      http.get(`${BASE}/migrations/al-2/alerts`, () => HttpResponse.json(page(false))),
      http.post(`${BASE}/migrations/al-2/alerts/:alertId/resolve`, async ({ request }) => {
        resolved = await request.json();
        return HttpResponse.json({});
      }),
    );
    await renderEntityTab(<AlertsPanel migrationId="al-2" />, { annotation: 'al-2', allow: true });
    expect(await screen.findByTestId('sla')).toHaveTextContent(/^1h 29m left$|^1h 30m left$/);
    fireEvent.click(await screen.findByRole('button', { name: 'Resolve' }, { timeout: 5000 }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('Resolution'), { target: { value: 'Re-imported with fixed mapping' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(resolved).toEqual({ resolution: 'Re-imported with fixed mapping' }));
  });
  it('shows notes, filters by type and dataset, draws the new-versus-resolved trend with a text alternative, and raises alerts', async () => {
    const queries: string[] = [];
    let raised: any;
    const today = new Date().toISOString().slice(0, 10);
    const withNotes = page(false);
    withNotes.items[0].notes = [
      { at: new Date(Date.now() - 600_000).toISOString(), by: 'user:default/olivia-owner', text: 'Re-running the orders batch' },
    ];
    withNotes.stats.trend = [{ date: today, created: 4, resolved: 1 }];
    server.use(
      http.get(`${BASE}/migrations/al-3/alerts`, ({ request }) => {
        queries.push(new URL(request.url).search);
        return HttpResponse.json(withNotes);
      }),
      http.post(`${BASE}/migrations/al-3/alerts`, async ({ request }) => {
        raised = await request.json();
        return HttpResponse.json({ ...withNotes.items[0], id: '22222222-2222-4222-8222-222222222222' }, { status: 201 });
      }),
    );
    await renderEntityTab(<AlertsPanel migrationId="al-3" datasets={['customers', 'orders']} />, {
      annotation: 'al-3',
      allow: true,
    });
    const notes = await screen.findByTestId('alert-notes');
    expect(notes).toHaveTextContent(/olivia-owner.*Re-running the orders batch/);
    expect(screen.getByTestId('alert-trend-text')).toHaveTextContent(
      `Over the last 14 days 4 alerts were raised and 1 resolved (3 more raised than resolved); most were raised on ${today} (4).`,
    );
    expect(screen.getByTestId('alert-trend')).toHaveAttribute('role', 'img');

    fireEvent.mouseDown(screen.getByLabelText('Type'));
    fireEvent.click(await screen.findByRole('option', { name: 'THRESHOLD' }));
    await waitFor(() => expect(queries.at(-1)).toBe('?status=OPEN&alertType=THRESHOLD&limit=200'));
    fireEvent.mouseDown(screen.getByLabelText('Dataset'));
    fireEvent.click(await screen.findByRole('option', { name: 'orders' }));
    await waitFor(() => expect(queries.at(-1)).toBe('?status=OPEN&alertType=THRESHOLD&dataset=orders&limit=200'));

    fireEvent.click(screen.getByRole('button', { name: 'Raise alert' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('button', { name: 'Raise' })).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText('Title'), { target: { value: 'Vendor feed late' } });
    fireEvent.change(within(dialog).getByLabelText('Message'), { target: { value: 'No file since 06:00' } });
    fireEvent.mouseDown(within(dialog).getByLabelText('Severity'));
    fireEvent.click(await screen.findByRole('option', { name: 'HIGH' }));
    fireEvent.mouseDown(within(dialog).getByLabelText('Dataset'));
    fireEvent.click(await screen.findByRole('option', { name: 'customers' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Raise' }));
    await waitFor(() =>
      expect(raised).toEqual({
        alertType: 'WARNING',
        severity: 'HIGH',
        title: 'Vendor feed late',
        message: 'No file since 06:00',
        dataset: 'customers',
      }),
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  });

  it('offers no "Raise alert" to those who may not manage alerts', async () => {
    server.use(http.get(`${BASE}/migrations/al-4/alerts`, () => HttpResponse.json(page(false))));
    await renderEntityTab(<AlertsPanel migrationId="al-4" />, { annotation: 'al-4' });
    expect(await screen.findByText('Quality of orders fell to 70')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Raise alert' })).not.toBeInTheDocument();
  });
});

describe('AlertsPanel with more alerts than a page', () => {
  // 15 open alerts, newest first; the backend answers 12, then the last 3 after nextCursor.
  const many = (): AlertPage['items'] =>
    Array.from({ length: 15 }, (_, i) => ({
      ...page(false).items[0],
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      severity: i === 14 ? ('LOW' as const) : ('HIGH' as const),
      title: i === 14 ? 'Oldest alert, on the second page' : `Alert number ${i}`,
      dataset: i === 14 ? 'payments' : 'orders',
      createdAt: new Date(Date.now() - (i + 1) * 3600_000).toISOString(),
    }));
  const testId = (i: number) => `alert-00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

  function serve(migrationId: string, cursors: Array<string | null>, noted?: (body: any, alertId: string) => void) {
    const items = many();
    const stats = page(false).stats;
    server.use(
      http.get(`${BASE}/migrations/${migrationId}/alerts`, ({ request }) => {
        const cursor = new URL(request.url).searchParams.get('cursor');
        cursors.push(cursor);
        return HttpResponse.json(
          cursor === 'after-12'
            ? { items: items.slice(12), totalCount: 15, nextCursor: null, stats }
            : { items: items.slice(0, 12), totalCount: 15, nextCursor: 'after-12', stats },
        );
      }),
      http.post(`${BASE}/migrations/${migrationId}/alerts/:alertId/notes`, async ({ request, params }) => {
        noted?.(await request.json(), String(params.alertId));
        return HttpResponse.json({});
      }),
    );
  }

  it('follows nextCursor and shows every alert in a paged, searchable, sortable table', async () => {
    const cursors: Array<string | null> = [];
    serve('al-5', cursors);
    await renderEntityTab(<AlertsPanel migrationId="al-5" />, { annotation: 'al-5' });
    expect(await screen.findByText('Open alerts (15)')).toBeInTheDocument();
    expect(cursors.slice(0, 2)).toEqual([null, 'after-12']);

    // Ten a page, in the backend's order.
    expect(screen.getByTestId(testId(0))).toBeInTheDocument();
    expect(screen.getByTestId(testId(9))).toBeInTheDocument();
    expect(screen.queryByTestId(testId(10))).not.toBeInTheDocument();
    // The next page of the table shows the rest, the second page of the backend's among them.
    fireEvent.click(screen.getAllByRole('button', { name: 'Next Page' })[0]);
    expect(await screen.findByTestId(testId(14))).toBeInTheDocument();
    expect(screen.getByTestId(testId(10))).toBeInTheDocument();
    expect(screen.queryByTestId(testId(0))).not.toBeInTheDocument();
    fireEvent.click(screen.getAllByRole('button', { name: 'Previous Page' })[0]);
    expect(await screen.findByTestId(testId(0))).toBeInTheDocument();

    // Search: by title, and by dataset.
    const search = screen.getByPlaceholderText('Filter');
    fireEvent.change(search, { target: { value: 'second page' } });
    await waitFor(() => expect(screen.getByTestId(testId(14))).toBeInTheDocument());
    expect(screen.queryByTestId(testId(0))).not.toBeInTheDocument();
    fireEvent.change(search, { target: { value: 'payments' } });
    await waitFor(() => expect(screen.getByTestId(testId(14))).toBeInTheDocument());
    expect(screen.queryByTestId(testId(1))).not.toBeInTheDocument();
    fireEvent.change(search, { target: { value: '' } });
    await waitFor(() => expect(screen.getByTestId(testId(0))).toBeInTheDocument());

    // Sorting: by when raised, oldest first; by severity, the LOW one last then first.
    fireEvent.click(screen.getByRole('button', { name: 'Raised' }));
    await waitFor(() => expect(screen.getByTestId(testId(14))).toBeInTheDocument());
    expect(screen.queryByTestId(testId(0))).not.toBeInTheDocument();
    const rows = () => screen.getAllByTestId(/^alert-0/).map(r => r.getAttribute('data-testid'));
    expect(rows()[0]).toBe(testId(14));
    fireEvent.click(screen.getByRole('button', { name: 'Severity' }));
    await waitFor(() => expect(rows()[0]).not.toBe(testId(14)));
    expect(screen.queryByTestId(testId(14))).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Severity' }));
    await waitFor(() => expect(rows()[0]).toBe(testId(14)));

    // A filter loads from the first page again.
    const before = cursors.length;
    fireEvent.mouseDown(screen.getByLabelText('Type'));
    fireEvent.click(await screen.findByRole('option', { name: 'THRESHOLD' }));
    await waitFor(() => expect(cursors.slice(before, before + 2)).toEqual([null, 'after-12']));
  });

  it('keeps the actions on rows that came with the second page', async () => {
    const cursors: Array<string | null> = [];
    let note: { body: any; alertId: string } | undefined;
    serve('al-6', cursors, (body, alertId) => {
      note = { body, alertId };
    });
    await renderEntityTab(<AlertsPanel migrationId="al-6" />, { annotation: 'al-6', allow: true });
    expect(await screen.findByText('Open alerts (15)')).toBeInTheDocument();
    fireEvent.change(screen.getByPlaceholderText('Filter'), { target: { value: 'second page' } });
    const row = await screen.findByTestId(testId(14));
    expect(within(row).getByRole('button', { name: 'Resolve' })).toBeInTheDocument();
    expect(within(row).getByRole('button', { name: 'Assign' })).toBeInTheDocument();
    fireEvent.click(within(row).getByRole('button', { name: 'Note' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Note on "Oldest alert, on the second page"');
    fireEvent.change(within(dialog).getByLabelText('Note'), { target: { value: 'Looking into it' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(note).toEqual({ body: { text: 'Looking into it' }, alertId: testId(14).slice('alert-'.length) }),
    );
  });
});
