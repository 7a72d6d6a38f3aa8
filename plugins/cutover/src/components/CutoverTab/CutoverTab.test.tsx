import { registerMswTestHooks } from '@backstage/test-utils';
import {
  Dataset,
  DatasetSwitchEvent,
  FreezeWindow,
  Migration,
  ReconciliationDatasetResult,
  ReconciliationRun,
} from '@switchyard/plugin-cutover-common';
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
import { CutoverTab } from './CutoverTab';

jest.setTimeout(30_000);

const server = setupServer();
registerMswTestHooks(server);

const HOUR = 3_600_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const ahead = (ms: number) => new Date(Date.now() + ms).toISOString();

function dataset(name: string, over: Partial<Dataset> = {}): Dataset {
  return {
    name,
    tier: 1,
    category: null,
    keyColumns: ['id'],
    sourceTable: null,
    destinationTable: null,
    totalRecords: 1000,
    importedRecords: 1000,
    failedRecords: 0,
    skippedRecords: 0,
    cutoverState: 'PENDING',
    readSource: 'LEGACY',
    lastSampleAt: null,
    ...over,
  };
}

/** customers (PENDING, LEGACY), orders (CUTOVER, DUAL), payments (COMPLETED, NEW). */
function migration(id: string, datasets?: Dataset[]): Migration {
  return {
    id,
    title: 'Orders database to PostgreSQL',
    description: null,
    owner: 'group:default/orders-team',
    entityRefs: [],
    approvers: null,
    source: { connection: 'orders-legacy' },
    destination: { connection: 'orders-new' },
    plannedStart: null,
    plannedEnd: null,
    actualStart: null,
    actualEnd: null,
    status: 'IN_PROGRESS',
    controlState: 'RUN',
    createdAt: ago(48 * HOUR),
    updatedAt: ago(HOUR),
    createdBy: null,
    datasets: datasets ?? [
      dataset('customers', { category: 'master' }),
      dataset('orders', { cutoverState: 'CUTOVER', readSource: 'DUAL' }),
      dataset('payments', {
        tier: 2,
        cutoverState: 'COMPLETED',
        readSource: 'NEW',
      }),
    ],
  };
}

function switchEvent(
  over: Partial<DatasetSwitchEvent> & { id: string },
): DatasetSwitchEvent {
  return {
    migrationId: 'x',
    dataset: 'orders',
    kind: 'READ_SOURCE',
    from: 'LEGACY',
    to: 'DUAL',
    reason: 'Compare both sides before the switch',
    actor: 'user:default/olivia',
    at: ago(2 * HOUR),
    automatic: false,
    ...over,
  };
}

function freezeWindow(
  over: Partial<FreezeWindow> & { id: string },
): FreezeWindow {
  return {
    migrationId: 'x',
    name: 'Orders cutover',
    description: null,
    datasets: ['orders'],
    startsAt: ago(HOUR),
    endsAt: ahead(3 * HOUR),
    status: 'ACTIVE',
    allowReadSourceSwitch: false,
    createdAt: ago(24 * HOUR),
    createdBy: 'user:default/olivia',
    activatedAt: ago(HOUR),
    completedAt: null,
    cancelledAt: null,
    cancelReason: null,
    ...over,
  };
}

function result(
  name: string,
  over: Partial<ReconciliationDatasetResult> = {},
): ReconciliationDatasetResult {
  return {
    name,
    status: 'SUCCEEDED',
    sourceCount: 1000,
    destinationCount: 1000,
    missingInDestination: 0,
    missingInSource: 0,
    mismatched: 0,
    driftRatio: 0,
    level: 'OK',
    sampleKeys: [],
    rowsCompared: 1000,
    durationMs: 2000,
    error: null,
    ...over,
  };
}

function run(
  over: Partial<ReconciliationRun> & { id: string },
): ReconciliationRun {
  return {
    migrationId: 'x',
    status: 'SUCCEEDED',
    trigger: 'MANUAL',
    progress: 100,
    createdBy: 'user:default/sam',
    createdAt: ago(HOUR),
    startedAt: ago(HOUR),
    finishedAt: ago(HOUR - 95_000),
    datasets: [
      result('orders', {
        sourceCount: 12000,
        destinationCount: 11998,
        missingInDestination: 2,
        missingInSource: 0,
        mismatched: 1,
        driftRatio: 0.00025,
        level: 'WARNING',
        rowsCompared: 12000,
      }),
      result('payments'),
    ],
    error: null,
    thresholds: { warning: 0.0002, critical: 0.001, rollback: 0.005 },
    ...over,
  };
}

const conflict = (message: string) =>
  HttpResponse.json(
    {
      error: { name: 'ConflictError', message },
      request: { method: 'PUT', url: '/' },
      response: { statusCode: 409 },
    },
    { status: 409 },
  );

/** Answers the four reads of the tab for migration `id`; each can change between calls. */
function serve(
  id: string,
  data: {
    migration?: () => Migration;
    history?: () => DatasetSwitchEvent[];
    windows?: () => FreezeWindow[];
    runs?: () => ReconciliationRun[];
  } = {},
) {
  server.use(
    http.get(`${BASE}/migrations/${id}`, () =>
      HttpResponse.json(data.migration?.() ?? migration(id)),
    ),
    http.get(`${BASE}/migrations/${id}/switch-history`, () =>
      HttpResponse.json({ items: data.history?.() ?? [] }),
    ),
    http.get(`${BASE}/migrations/${id}/freeze-windows`, () =>
      HttpResponse.json({ items: data.windows?.() ?? [] }),
    ),
    http.get(`${BASE}/migrations/${id}/reconciliations`, () =>
      HttpResponse.json({ items: data.runs?.() ?? [] }),
    ),
  );
}

const row = (name: string) => screen.getByTestId(`cutover-dataset-${name}`);

describe('CutoverTab', () => {
  it('shows state, reads, last switch, drift and freezes of each dataset, without actions to those not allowed', async () => {
    serve('cx-1', {
      history: () => [
        switchEvent({
          id: '1',
          at: ago(5 * HOUR),
          kind: 'CUTOVER_STATE',
          from: 'READY',
          to: 'CUTOVER',
          reason: 'Go',
        }),
        switchEvent({ id: '2' }),
        switchEvent({
          id: '3',
          dataset: 'payments',
          kind: 'CUTOVER_STATE',
          from: 'CUTOVER',
          to: 'COMPLETED',
          actor: 'switchyard',
          reason: 'drift 0.600% crossed the automatic rollback threshold',
          automatic: true,
          at: ago(HOUR),
        }),
      ],
      windows: () => [
        freezeWindow({ id: 'w1' }),
        freezeWindow({
          id: 'w2',
          name: 'Payments freeze',
          datasets: ['payments'],
          status: 'PLANNED',
          startsAt: ahead(24 * HOUR),
          endsAt: ahead(28 * HOUR),
          allowReadSourceSwitch: true,
        }),
      ],
      runs: () => [
        run({
          id: 'run-1',
          datasets: [
            ...run({ id: 'run-1' }).datasets,
            result('customers', { driftRatio: 0.0003, level: 'WARNING', missingInDestination: 3 }),
          ],
        }),
      ],
    });
    await renderEntityTab(<CutoverTab />, { annotation: 'cx-1' });

    await screen.findByTestId('cutover-dataset-orders');
    const customers = row('customers');
    expect(within(customers).getByText('PENDING')).toBeInTheDocument();
    expect(within(customers).getByText('LEGACY')).toBeInTheDocument();
    expect(within(customers).getByText('never')).toBeInTheDocument();
    // Still being imported: its drift is expected, shown muted, not as an alarm.
    expect(within(customers).getByText('0.030%')).toBeInTheDocument();
    expect(within(customers).getByTestId('expected-drift-WARNING')).toBeInTheDocument();
    expect(within(customers).queryByTestId('status-WARNING')).not.toBeInTheDocument();
    expect(
      within(customers).queryByTestId('freeze-badge'),
    ).not.toBeInTheDocument();

    const orders = row('orders');
    expect(within(orders).getByText('CUTOVER')).toBeInTheDocument();
    expect(within(orders).getByText('DUAL')).toBeInTheDocument();
    expect(within(orders).getByText('reads LEGACY → DUAL')).toBeInTheDocument();
    expect(orders).toHaveTextContent('olivia, 2 hours ago');
    expect(orders).toHaveTextContent('Compare both sides before the switch');
    expect(within(orders).getByText('0.025%')).toBeInTheDocument();
    expect(within(orders).getByText('WARNING')).toBeInTheDocument();
    expect(within(orders).getByTestId('freeze-badge')).toHaveTextContent(
      'Frozen',
    );

    const payments = row('payments');
    expect(within(payments).getByText('COMPLETED')).toBeInTheDocument();
    expect(within(payments).getByText('NEW')).toBeInTheDocument();
    expect(within(payments).getByText('0.000%')).toBeInTheDocument();
    expect(payments).toHaveTextContent('(automatic)');
    // A planned window is no freeze yet.
    expect(
      within(payments).queryByTestId('freeze-badge'),
    ).not.toBeInTheDocument();

    // Freeze windows: active first, with whether reads may be switched.
    const active = screen.getByTestId('freeze-w1');
    expect(within(active).getByText('ACTIVE')).toBeInTheDocument();
    expect(active).toHaveTextContent('back to LEGACY only');
    expect(
      within(screen.getByTestId('freeze-w2')).getByText('PLANNED'),
    ).toBeInTheDocument();
    expect(screen.getByTestId('freeze-w2')).toHaveTextContent('allowed');

    // History, newest first, with the automatic change marked.
    expect(screen.getByText('Switch history (3)')).toBeInTheDocument();
    expect(
      within(screen.getByTestId('switch-3')).getByText('automatic'),
    ).toBeInTheDocument();
    expect(
      within(screen.getByTestId('switch-1')).getByText('READY → CUTOVER'),
    ).toBeInTheDocument();
    expect(
      within(screen.getByTestId('switch-2')).queryByText('automatic'),
    ).not.toBeInTheDocument();

    // Reconciliation run listed with its worst level.
    const runRow = screen.getByTestId('reconciliation-run-1');
    expect(within(runRow).getByText('SUCCEEDED')).toBeInTheDocument();
    expect(within(runRow).getByText('WARNING')).toBeInTheDocument();
    expect(runRow).toHaveTextContent('by sam');
    expect(runRow).toHaveTextContent('1m');

    // Nothing to act with.
    expect(
      screen.queryByRole('button', { name: /reads NEW/ }),
    ).not.toBeInTheDocument();
    for (const name of [
      'Mark ready',
      'Complete',
      'Roll back',
      'Plan freeze window',
      'Run reconciliation',
      'Activate',
      'Cancel…',
    ]) {
      expect(screen.queryByRole('button', { name })).not.toBeInTheDocument();
    }
  });

  it('switches a read source after a reason is given, sending it with the new source', async () => {
    let body: any;
    let switched = false;
    serve('cx-2', {
      migration: () =>
        migration('cx-2', [
          dataset('orders', {
            cutoverState: 'CUTOVER',
            readSource: switched ? 'NEW' : 'DUAL',
          }),
        ]),
      history: () =>
        switched
          ? [
              switchEvent({
                id: '9',
                from: 'DUAL',
                to: 'NEW',
                reason: body.reason,
                at: ago(1000),
              }),
            ]
          : [],
    });
    server.use(
      http.put(
        `${BASE}/migrations/cx-2/datasets/orders/read-source`,
        async ({ request }) => {
          body = await request.json();
          switched = true;
          return HttpResponse.json(
            switchEvent({ id: '9', from: 'DUAL', to: 'NEW' }),
          );
        },
      ),
    );
    await renderEntityTab(<CutoverTab />, {
      annotation: 'cx-2',
      allow: name => name === 'cutover.readsource.switch',
    });
    const toNew = await screen.findByRole(
      'button',
      { name: 'orders reads NEW' },
      { timeout: 5000 },
    );
    expect(
      screen.getByRole('button', { name: 'orders reads DUAL' }),
    ).toHaveAttribute('aria-pressed', 'true');
    fireEvent.click(toNew);

    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByTestId('switch-summary')).toHaveTextContent(
      'orders: reads DUAL → NEW',
    );
    expect(
      within(dialog).getByText(
        'Applications will read orders from the new system',
      ),
    ).toBeInTheDocument();
    const confirm = within(dialog).getByRole('button', {
      name: 'Switch to NEW',
    });
    expect(confirm).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText(/Reason/), {
      target: { value: 'Drift at zero for 48 hours' },
    });
    fireEvent.click(confirm);

    await waitFor(() =>
      expect(body).toEqual({
        source: 'NEW',
        reason: 'Drift at zero for 48 hours',
      }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    await waitFor(() =>
      expect(
        screen.getByRole('button', { name: 'orders reads NEW' }),
      ).toHaveAttribute('aria-pressed', 'true'),
    );
    expect(
      within(row('orders')).getByText('reads DUAL → NEW'),
    ).toBeInTheDocument();
  });

  it("keeps the dialog open with the server's message when a switch is refused", async () => {
    const message =
      'Freeze window "Orders cutover" is active on "orders" and does not allow read-source switches (switching back to LEGACY is always allowed)';
    serve('cx-3', { windows: () => [freezeWindow({ id: 'w1' })] });
    server.use(
      http.put(`${BASE}/migrations/cx-3/datasets/orders/read-source`, () =>
        conflict(message),
      ),
    );
    await renderEntityTab(<CutoverTab />, { annotation: 'cx-3', allow: true });
    fireEvent.click(
      await screen.findByRole(
        'button',
        { name: 'orders reads NEW' },
        { timeout: 5000 },
      ),
    );
    const dialog = await screen.findByRole('dialog');
    // The dialog warns before the server refuses.
    expect(within(dialog).getByTestId('freeze-notice')).toHaveTextContent(
      '"Orders cutover" does not allow read-source switches, so this one will be refused.',
    );
    fireEvent.change(within(dialog).getByLabelText(/Reason/), {
      target: { value: 'Try anyway' },
    });
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Switch to NEW' }),
    );
    expect(await within(dialog).findByText(message)).toBeInTheDocument();
    expect(screen.getByRole('dialog')).toBeInTheDocument();
  });

  it('offers only the allowed next states, and shows unmet READY conditions', async () => {
    let body: any;
    serve('cx-4', {
      migration: () =>
        migration('cx-4', [
          dataset('customers'),
          dataset('orders', { cutoverState: 'CUTOVER', readSource: 'DUAL' }),
          dataset('payments', { cutoverState: 'COMPLETED', readSource: 'NEW' }),
          dataset('refunds', { cutoverState: 'READY' }),
          dataset('invoices', { cutoverState: 'ROLLED_BACK' }),
        ]),
    });
    server.use(
      http.put(
        `${BASE}/migrations/cx-4/datasets/customers/cutover-state`,
        async ({ request }) => {
          body = await request.json();
          return conflict(
            'Dataset "customers" is not ready: import is in progress at 75.0%; no quality figures reported',
          );
        },
      ),
    );
    await renderEntityTab(<CutoverTab />, {
      annotation: 'cx-4',
      allow: name => name === 'cutover.readsource.switch',
    });
    await screen.findByRole(
      'button',
      { name: 'Mark ready' },
      { timeout: 5000 },
    );
    const actions = (name: string) =>
      within(row(name))
        .getAllByRole('button')
        .map(b => b.textContent)
        .filter(t => !['LEGACY', 'DUAL', 'NEW'].includes(t ?? ''));
    expect(actions('customers')).toEqual(['Mark ready']);
    expect(actions('refunds')).toEqual(['Back to pending', 'Start cutover']);
    expect(actions('orders')).toEqual(['Complete', 'Roll back']);
    expect(actions('payments')).toEqual(['Roll back']);
    expect(actions('invoices')).toEqual(['Back to pending']);

    // Read sources the state does not allow are disabled (the backend would answer 409).
    const source = (name: string, to: string) =>
      within(row(name)).getByRole('button', { name: `${name} reads ${to}` });
    expect(source('customers', 'DUAL')).toBeDisabled();
    expect(source('customers', 'NEW')).toBeDisabled();
    expect(source('refunds', 'DUAL')).toBeEnabled();
    expect(source('refunds', 'NEW')).toBeDisabled();
    expect(source('orders', 'NEW')).toBeEnabled();
    expect(source('invoices', 'DUAL')).toBeDisabled();
    fireEvent.mouseOver(source('refunds', 'NEW').parentElement!);
    expect(
      await screen.findByText(
        'refunds is ready: reads may go to NEW only when it is cutover or completed',
      ),
    ).toBeInTheDocument();

    // Rolling back says the reads go back to LEGACY.
    fireEvent.click(
      within(row('orders')).getByRole('button', { name: 'Roll back' }),
    );
    let dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByTestId('switch-summary')).toHaveTextContent(
      'orders: state CUTOVER → ROLLED_BACK',
    );
    expect(dialog).toHaveTextContent(
      'Its reads return from DUAL to LEGACY at once.',
    );
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );

    fireEvent.click(
      within(row('customers')).getByRole('button', { name: 'Mark ready' }),
    );
    dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByTestId('switch-summary')).toHaveTextContent(
      'customers: state PENDING → READY',
    );
    fireEvent.change(within(dialog).getByLabelText(/Reason/), {
      target: { value: 'Import done' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Mark ready' }));
    expect(
      await within(dialog).findByText(
        'Dataset "customers" is not ready: import is in progress at 75.0%; no quality figures reported',
      ),
    ).toBeInTheDocument();
    expect(body).toEqual({ state: 'READY', reason: 'Import done' });
  });

  it('plans a freeze window with the chosen datasets and times, and cancels one with a reason', async () => {
    let created: any;
    let cancelled: any;
    const windows: FreezeWindow[] = [
      freezeWindow({
        id: 'w1',
        name: 'Weekend freeze',
        status: 'PLANNED',
        startsAt: ahead(24 * HOUR),
        endsAt: ahead(28 * HOUR),
      }),
    ];
    serve('cx-5', { windows: () => windows });
    server.use(
      http.post(
        `${BASE}/migrations/cx-5/freeze-windows`,
        async ({ request }) => {
          created = await request.json();
          const w = freezeWindow({ id: 'w2', ...created, status: 'PLANNED' });
          windows.push(w);
          return HttpResponse.json(w, { status: 201 });
        },
      ),
      http.post(
        `${BASE}/migrations/cx-5/freeze-windows/w1/cancel`,
        async ({ request }) => {
          cancelled = await request.json();
          windows[0] = {
            ...windows[0],
            status: 'CANCELLED',
            cancelReason: cancelled.reason,
          };
          return HttpResponse.json(windows[0]);
        },
      ),
    );
    await renderEntityTab(<CutoverTab />, {
      annotation: 'cx-5',
      allow: name => name === 'cutover.freeze.manage',
    });
    const planned = await screen.findByTestId('freeze-w1');
    expect(
      await within(planned).findByRole(
        'button',
        { name: 'Activate' },
        { timeout: 5000 },
      ),
    ).toBeInTheDocument();
    // Switching reads is another permission.
    expect(
      screen.queryByRole('button', { name: /reads NEW/ }),
    ).not.toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'Plan freeze window' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/Name/), {
      target: { value: 'Orders cutover' },
    });
    fireEvent.change(within(dialog).getByLabelText('Description'), {
      target: { value: 'Saturday night' },
    });
    fireEvent.click(
      within(dialog).getByRole('checkbox', { name: 'customers' }),
    );
    fireEvent.click(within(dialog).getByRole('checkbox', { name: 'payments' }));
    fireEvent.change(within(dialog).getByLabelText(/Starts/), {
      target: { value: '2026-12-05T22:00' },
    });
    fireEvent.change(within(dialog).getByLabelText(/Ends/), {
      target: { value: '2026-12-05T20:00' },
    });
    expect(
      within(dialog).getByText('Must be after the start'),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByRole('button', { name: 'Plan window' }),
    ).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText(/Ends/), {
      target: { value: '2026-12-06T02:00' },
    });
    fireEvent.click(
      within(dialog).getByRole('checkbox', {
        name: 'Allow read-source switches during the window',
      }),
    );
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Plan window' }),
    );

    await waitFor(() =>
      expect(created).toEqual({
        name: 'Orders cutover',
        description: 'Saturday night',
        datasets: ['orders'],
        startsAt: new Date('2026-12-05T22:00').toISOString(),
        endsAt: new Date('2026-12-06T02:00').toISOString(),
        allowReadSourceSwitch: false,
      }),
    );
    expect(await screen.findByTestId('freeze-w2')).toHaveTextContent(
      'Orders cutover',
    );

    fireEvent.click(
      within(screen.getByTestId('freeze-w1')).getByRole('button', {
        name: 'Cancel…',
      }),
    );
    const cancel = await screen.findByRole('dialog');
    expect(
      within(cancel).getByText('Cancel freeze window "Weekend freeze"?'),
    ).toBeInTheDocument();
    fireEvent.change(within(cancel).getByLabelText(/Reason/), {
      target: { value: 'Moved to next week' },
    });
    fireEvent.click(
      within(cancel).getByRole('button', { name: 'Cancel window' }),
    );
    await waitFor(() =>
      expect(cancelled).toEqual({ reason: 'Moved to next week' }),
    );
    await waitFor(() =>
      expect(
        within(screen.getByTestId('freeze-w1')).getByText('CANCELLED'),
      ).toBeInTheDocument(),
    );
    expect(screen.getByTestId('freeze-w1')).toHaveTextContent(
      'Cancelled: Moved to next week',
    );
  });

  it("shows the server's message when activating a window overlaps another", async () => {
    serve('cx-6', {
      windows: () => [freezeWindow({ id: 'w1', status: 'PLANNED' })],
    });
    server.use(
      http.post(`${BASE}/migrations/cx-6/freeze-windows/w1/activate`, () =>
        conflict(
          'Freeze window "Orders cutover" is CANCELLED; only a PLANNED window can be activated',
        ),
      ),
    );
    await renderEntityTab(<CutoverTab />, { annotation: 'cx-6', allow: true });
    fireEvent.click(
      await screen.findByRole(
        'button',
        { name: 'Activate' },
        { timeout: 5000 },
      ),
    );
    expect(
      await screen.findByText(
        'Freeze window "Orders cutover" is CANCELLED; only a PLANNED window can be activated',
      ),
    ).toBeInTheDocument();
  });

  it('starts a reconciliation of chosen datasets, and a run expands to its figures and differing keys', async () => {
    let started: any;
    const runs: ReconciliationRun[] = [run({ id: 'run-1' })];
    serve('cx-7', { runs: () => runs });
    server.use(
      http.post(
        `${BASE}/migrations/cx-7/reconciliations`,
        async ({ request }) => {
          started = await request.json();
          const r = run({
            id: 'run-2',
            status: 'PENDING',
            progress: 0,
            createdAt: new Date().toISOString(),
            startedAt: null,
            finishedAt: null,
            datasets: [
              result('orders', {
                status: 'PENDING',
                driftRatio: null,
                level: null,
              }),
            ],
          });
          runs.push(r);
          return HttpResponse.json(r, { status: 202 });
        },
      ),
      http.get(`${BASE}/migrations/cx-7/reconciliations/run-1`, () =>
        HttpResponse.json(
          run({
            id: 'run-1',
            datasets: [
              result('orders', {
                sourceCount: 12000,
                destinationCount: 11998,
                missingInDestination: 2,
                missingInSource: 0,
                mismatched: 1,
                driftRatio: 0.00025,
                level: 'WARNING',
                rowsCompared: 12000,
                sampleKeys: [
                  { key: { id: 42 }, kind: 'missingInDestination' },
                  { key: { id: 77 }, kind: 'mismatched' },
                ],
                notes: [
                  'Columns compared under another name: cust -> customer_id',
                  'Columns left out by the plan (ignoreColumns): loaded_at',
                ],
              }),
              result('payments', {
                status: 'FAILED',
                driftRatio: null,
                level: null,
                error: 'relation "payments" does not exist',
              }),
            ],
          }),
        ),
      ),
    );
    await renderEntityTab(<CutoverTab />, {
      annotation: 'cx-7',
      allow: name => name === 'cutover.reconcile.run',
    });

    const first = await screen.findByTestId('reconciliation-run-1');
    expect(screen.getByTestId('drift-chart')).toBeInTheDocument();
    fireEvent.click(
      within(first).getByRole('button', { name: 'Show figures' }),
    );
    const orders = await screen.findByTestId('reconciliation-dataset-orders');
    await waitFor(() =>
      expect(screen.getByTestId('sample-keys-orders')).toBeInTheDocument(),
    );
    expect(
      Array.from(orders.querySelectorAll('td')).map(td => td.textContent),
    ).toEqual([
      'orders',
      '12,000',
      '11,998',
      '2',
      '0',
      '1',
      '0.025%',
      'WARNING',
      '12,000',
      '',
    ]);
    const samples = screen.getByTestId('sample-keys-orders');
    expect(samples).toHaveTextContent('{"id":42} missing in destination');
    expect(samples).toHaveTextContent('{"id":77} mismatched');
    expect(screen.getByTestId('reconciliation-notes')).toHaveTextContent(
      'orders: Columns compared under another name: cust -> customer_id; Columns left out by the plan (ignoreColumns): loaded_at',
    );
    const payments = screen.getByTestId('reconciliation-dataset-payments');
    expect(within(payments).getByText('FAILED')).toBeInTheDocument();
    expect(payments).toHaveTextContent('relation "payments" does not exist');

    fireEvent.click(
      await screen.findByRole(
        'button',
        { name: 'Run reconciliation' },
        { timeout: 5000 },
      ),
    );
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(
      within(dialog).getByRole('checkbox', { name: 'customers' }),
    );
    fireEvent.click(within(dialog).getByRole('checkbox', { name: 'payments' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(started).toEqual({ datasets: ['orders'] }));
    const pending = await screen.findByTestId('reconciliation-run-2');
    expect(within(pending).getByText('PENDING')).toBeInTheDocument();
    // One run at a time.
    expect(
      screen.getByRole('button', { name: 'Run reconciliation' }),
    ).toBeDisabled();
  });

  it('runs every dataset when all are left chosen', async () => {
    let started: any;
    serve('cx-9');
    server.use(
      http.post(
        `${BASE}/migrations/cx-9/reconciliations`,
        async ({ request }) => {
          started = await request.json();
          return HttpResponse.json(run({ id: 'r', status: 'PENDING' }), {
            status: 202,
          });
        },
      ),
    );
    await renderEntityTab(<CutoverTab />, { annotation: 'cx-9', allow: true });
    expect(
      await screen.findByText('No reconciliation has run yet.'),
    ).toBeInTheDocument();
    fireEvent.click(
      await screen.findByRole(
        'button',
        { name: 'Run reconciliation' },
        { timeout: 5000 },
      ),
    );
    fireEvent.click(
      within(await screen.findByRole('dialog')).getByRole('button', {
        name: 'Run',
      }),
    );
    await waitFor(() => expect(started).toEqual({}));
  });

  it('refetches the board when a readsource signal arrives', async () => {
    let rolledBack = false;
    serve('cx-8', {
      migration: () =>
        migration('cx-8', [
          dataset(
            'orders',
            rolledBack
              ? { cutoverState: 'ROLLED_BACK', readSource: 'LEGACY' }
              : { cutoverState: 'CUTOVER', readSource: 'NEW' },
          ),
        ]),
    });
    const signals = testSignals();
    await renderEntityTab(<CutoverTab />, {
      annotation: 'cx-8',
      signals: signals.api,
    });
    await screen.findByTestId('cutover-dataset-orders');
    expect(within(row('orders')).getByText('CUTOVER')).toBeInTheDocument();
    expect(screen.getByTestId('live-indicator')).toHaveTextContent('live');
    rolledBack = true;
    act(() =>
      signals.publish('cutover:cx-8', {
        migrationId: 'cx-8',
        type: 'readsource',
        types: ['readsource'],
        at: '',
      }),
    );
    await waitFor(() =>
      expect(
        within(row('orders')).getByText('ROLLED BACK'),
      ).toBeInTheDocument(),
    );
    expect(within(row('orders')).getByText('LEGACY')).toBeInTheDocument();
  });

  it('says so when the migration does not exist', async () => {
    server.use(
      http.get(`${BASE}/migrations/cx-0`, () =>
        HttpResponse.json(
          { error: { name: 'NotFoundError', message: 'no' } },
          { status: 404 },
        ),
      ),
      http.get(`${BASE}/migrations/cx-0/*`, () =>
        HttpResponse.json(
          { error: { name: 'NotFoundError', message: 'no' } },
          { status: 404 },
        ),
      ),
    );
    await renderEntityTab(<CutoverTab />, { annotation: 'cx-0' });
    expect(
      await screen.findByText('Migration "cx-0" does not exist yet'),
    ).toBeInTheDocument();
  });
});
