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
import { RollbackTab } from './RollbackTab';
import {
  ago,
  conflict,
  HOUR,
  rollback,
  serveRollback,
  snapshot,
} from '../../__testUtils__/rollbackTab';

const server = setupServer();
registerMswTestHooks(server);

const serve = (id: string, data: Parameters<typeof serveRollback>[2]) =>
  serveRollback(server, id, data);

describe('RollbackTab: rollbacks', () => {
  it('rolls back only after the migration id is typed, posting the chosen options', async () => {
    let posted: any;
    serve('rb-4', { snapshots: () => [snapshot({ id: 'snap-1' })] });
    server.use(
      http.post(`${BASE}/migrations/rb-4/rollbacks`, async ({ request }) => {
        posted = await request.json();
        return HttpResponse.json(
          rollback({ id: 'rb-new', status: 'PENDING', progress: 0 }),
          { status: 202 },
        );
      }),
    );
    await renderEntityTab(<RollbackTab />, {
      annotation: 'rb-4',
      allow: name => name === 'cutover.rollback.execute',
    });
    fireEvent.click(
      await screen.findByRole(
        'button',
        { name: 'Roll back…' },
        { timeout: 5000 },
      ),
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByText('Data on the destination will be replaced'),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText(/connection orders-new/),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByRole('checkbox', {
        name: 'Take a backup snapshot first',
      }),
    ).toBeChecked();
    expect(
      within(dialog).getByRole('checkbox', { name: 'Verify after restore' }),
    ).toBeChecked();
    fireEvent.click(
      within(dialog).getByRole('checkbox', {
        name: 'customers (4,000 records)',
      }),
    );
    fireEvent.click(
      within(dialog).getByRole('checkbox', { name: 'Verify after restore' }),
    );
    fireEvent.change(within(dialog).getByLabelText(/Reason/), {
      target: { value: 'Bad order totals after import' },
    });
    const button = within(dialog).getByRole('button', { name: 'Roll back' });
    expect(button).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText('Type rb-4 to confirm'), {
      target: { value: 'rb-' },
    });
    expect(button).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText('Type rb-4 to confirm'), {
      target: { value: 'rb-4' },
    });
    expect(button).toBeEnabled();
    fireEvent.click(button);
    await waitFor(() =>
      expect(posted).toEqual({
        snapshotId: 'snap-1',
        datasets: ['orders'],
        createBackup: true,
        verifyAfter: false,
        reason: 'Bad order totals after import',
      }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
  });

  it("shows the server's message when another rollback is running", async () => {
    serve('rb-5', { snapshots: () => [snapshot({ id: 'snap-1' })] });
    server.use(
      http.post(`${BASE}/migrations/rb-5/rollbacks`, () =>
        conflict(
          'Rollback 7f3c is still running for migration rb-5; wait for it to finish',
        ),
      ),
    );
    await renderEntityTab(<RollbackTab />, { annotation: 'rb-5', allow: true });
    fireEvent.click(
      await screen.findByRole(
        'button',
        { name: 'Roll back…' },
        { timeout: 5000 },
      ),
    );
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('Type rb-5 to confirm'), {
      target: { value: 'rb-5' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Roll back' }));
    expect(
      await within(dialog).findByText(
        'Rollback 7f3c is still running for migration rb-5; wait for it to finish',
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole('dialog')).toBeInTheDocument();
  });

  it('refetches running jobs when a snapshot or rollback signal arrives', async () => {
    let done = false;
    serve('rb-7', {
      snapshots: () => [
        snapshot({
          id: 'snap-1',
          status: done ? 'SUCCEEDED' : 'RUNNING',
          progress: done ? 100 : 40,
        }),
      ],
      rollbacks: () => [
        rollback({
          id: 'r-1',
          status: 'RUNNING',
          progress: 25,
          verified: null,
          durationMs: null,
        }),
      ],
    });
    const signals = testSignals();
    await renderEntityTab(<RollbackTab />, {
      annotation: 'rb-7',
      signals: signals.api,
    });
    const card = await screen.findByTestId('snapshot-snap-1');
    expect(within(card).getByText('RUNNING')).toBeInTheDocument();
    expect(screen.getByTestId('live-indicator')).toHaveTextContent('live');
    expect(screen.getByTestId('running-rollback')).toHaveTextContent('25%');
    done = true;
    act(() =>
      signals.publish('cutover:rb-7', {
        migrationId: 'rb-7',
        type: 'snapshot',
        types: ['snapshot'],
        at: '',
      }),
    );
    await waitFor(() =>
      expect(
        within(screen.getByTestId('snapshot-snap-1')).getByText('SUCCEEDED'),
      ).toBeInTheDocument(),
    );
  });

  it('lists past rollbacks with their outcome, backup and errors', async () => {
    serve('rb-8', {
      snapshots: () => [
        snapshot({ id: 'snap-1' }),
        snapshot({
          id: 'snap-b',
          name: 'backup before rollback',
          backupForRollback: 'r-1',
        }),
      ],
      rollbacks: () => [
        rollback({
          id: 'r-1',
          backupSnapshotId: 'snap-b',
          createdBy: 'user:default/sam',
        }),
        rollback({
          id: 'r-2',
          status: 'FAILED',
          createdAt: ago(HOUR),
          datasets: ['orders'],
          recordsRestored: 0,
          recordsDeleted: 0,
          verified: null,
          durationMs: 4000,
          createBackup: false,
          errors: [
            { dataset: 'orders', message: 'deadlock detected' },
            { dataset: null, message: 'restore aborted' },
          ],
        }),
        rollback({
          id: 'r-3',
          snapshotId: 'gone',
          createdAt: ago(5 * HOUR),
          verified: false,
        }),
      ],
    });
    await renderEntityTab(<RollbackTab />, { annotation: 'rb-8' });
    expect(await screen.findByText('Rollback history (3)')).toBeInTheDocument();
    const ok = screen.getByTestId('rollback-r-1');
    expect(ok).toHaveTextContent('sam');
    expect(ok).toHaveTextContent('before-tier1-import');
    expect(ok).toHaveTextContent('customers, orders');
    expect(ok).toHaveTextContent('10,000');
    expect(ok).toHaveTextContent('120');
    expect(ok).toHaveTextContent('1m');
    expect(ok).toHaveTextContent('yes');
    expect(ok).toHaveTextContent('backup before rollback');
    const failed = screen.getByTestId('rollback-r-2');
    expect(within(failed).getByText('FAILED')).toBeInTheDocument();
    expect(failed).toHaveTextContent('not checked');
    expect(failed).toHaveTextContent('none');
    expect(screen.getByTestId('rollback-r-3')).toHaveTextContent(
      'gone (deleted)',
    );
    expect(
      within(screen.getByTestId('rollback-r-3')).getByText('no'),
    ).toBeInTheDocument();
    expect(
      screen.queryByText('deadlock detected', { exact: false }),
    ).not.toBeInTheDocument();
    fireEvent.click(within(failed).getByRole('button', { name: '2 errors' }));
    expect(screen.getByTestId('rollback-errors-r-2')).toHaveTextContent(
      'orders: deadlock detected',
    );
    expect(screen.getByTestId('rollback-errors-r-2')).toHaveTextContent(
      'restore aborted',
    );
  });
});
