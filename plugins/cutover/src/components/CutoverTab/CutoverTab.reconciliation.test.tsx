import { registerMswTestHooks } from '@backstage/test-utils';
import type { ReconciliationRun } from '@switchyard/plugin-cutover-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { BASE, renderEntityTab } from '../../__testUtils__/render';
import { CutoverTab } from './CutoverTab';
import { result, run, serveCutover } from '../../__testUtils__/cutoverTab';

const server = setupServer();
registerMswTestHooks(server);

const serve = (id: string, data?: Parameters<typeof serveCutover>[2]) =>
  serveCutover(server, id, data);

describe('CutoverTab: reconciliation', () => {
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
});
