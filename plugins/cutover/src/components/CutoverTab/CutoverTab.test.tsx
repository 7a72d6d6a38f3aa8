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
import { BASE, renderEntityTab, testSignals } from '../../__testUtils__/render';
import { CutoverTab } from './CutoverTab';
import {
  ago,
  ahead,
  conflict,
  dataset,
  freezeWindow,
  HOUR,
  migration,
  result,
  run,
  serveCutover,
  switchEvent,
} from '../../__testUtils__/cutoverTab';

const server = setupServer();
registerMswTestHooks(server);

const serve = (id: string, data?: Parameters<typeof serveCutover>[2]) =>
  serveCutover(server, id, data);
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
            result('customers', {
              driftRatio: 0.0003,
              level: 'WARNING',
              missingInDestination: 3,
            }),
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
    expect(
      within(customers).getByTestId('expected-drift-WARNING'),
    ).toBeInTheDocument();
    expect(
      within(customers).queryByTestId('status-WARNING'),
    ).not.toBeInTheDocument();
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

  it('rolls a read source out to a share of callers from the switch dialog, and shows the share beside the source', async () => {
    let body: any;
    let rolledOut = false;
    serve('cx-r', {
      migration: () =>
        migration('cx-r', [
          dataset('orders', {
            cutoverState: 'CUTOVER',
            readSource: 'DUAL',
            ...(rolledOut ? { rollout: { source: 'NEW', percent: 25 } } : {}),
          }),
        ]),
    });
    server.use(
      http.put(
        `${BASE}/migrations/cx-r/datasets/orders/read-source`,
        async ({ request }) => {
          body = await request.json();
          rolledOut = true;
          return HttpResponse.json(
            switchEvent({ id: '10', from: 'DUAL', to: 'NEW', rolloutPercent: 25 }),
          );
        },
      ),
    );
    await renderEntityTab(<CutoverTab />, {
      annotation: 'cx-r',
      allow: name => name === 'cutover.readsource.switch',
    });
    fireEvent.click(
      await screen.findByRole('button', { name: 'orders reads NEW' }, { timeout: 5000 }),
    );
    expect(screen.queryByTestId('rollout-orders')).not.toBeInTheDocument();
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(
      within(dialog).getByLabelText('Gradual rollout: only a share of callers'),
    );
    const field = within(dialog).getByLabelText('Percent of callers');
    fireEvent.change(field, { target: { value: '100' } });
    expect(within(dialog).getByText('1 to 99')).toBeInTheDocument();
    fireEvent.change(within(dialog).getByLabelText(/Reason/), {
      target: { value: 'Canary for a quarter of tenants' },
    });
    expect(
      within(dialog).getByRole('button', { name: /^Switch to NEW/ }),
    ).toBeDisabled();
    fireEvent.change(field, { target: { value: '25' } });
    expect(within(dialog).getByTestId('switch-summary')).toHaveTextContent(
      'orders: reads DUAL → NEW for 25% of callers',
    );
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Switch to NEW for 25%' }),
    );
    await waitFor(() =>
      expect(body).toEqual({
        source: 'NEW',
        reason: 'Canary for a quarter of tenants',
        rolloutPercent: 25,
      }),
    );
    await waitFor(() =>
      expect(screen.getByTestId('rollout-orders')).toHaveTextContent('NEW 25%'),
    );
    // The reads of everyone else stay where they were.
    expect(
      screen.getByRole('button', { name: 'orders reads DUAL' }),
    ).toHaveAttribute('aria-pressed', 'true');

    // Opening NEW again shows the running rollout, its share prefilled.
    fireEvent.click(screen.getByRole('button', { name: 'orders reads NEW' }));
    const again = await screen.findByRole('dialog');
    expect(within(again).getByTestId('current-rollout')).toHaveTextContent(
      'Now: NEW for 25% of callers, DUAL for the others.',
    );
    expect(within(again).getByLabelText('Percent of callers')).toHaveValue(25);
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
