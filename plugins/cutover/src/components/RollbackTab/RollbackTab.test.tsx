import { registerMswTestHooks } from '@backstage/test-utils';
import type { Snapshot } from '@switchyard/plugin-cutover-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { BASE, renderEntityTab } from '../../__testUtils__/render';
import { RollbackTab } from './RollbackTab';
import {
  ago,
  HOUR,
  migration,
  serveRollback,
  snapshot,
} from '../../__testUtils__/rollbackTab';

const server = setupServer();
registerMswTestHooks(server);

const serve = (id: string, data: Parameters<typeof serveRollback>[2]) =>
  serveRollback(server, id, data);

describe('RollbackTab', () => {
  it('shows snapshot cards with their figures, and no actions to those not allowed', async () => {
    serve('rb-1', {
      snapshots: () => [
        snapshot({
          id: 'snap-1',
          lastVerification: {
            at: ago(HOUR),
            matches: false,
            datasets: [
              {
                dataset: 'customers',
                snapshotCount: 4000,
                currentCount: 4000,
                snapshotChecksum: 'c1',
                currentChecksum: 'c1',
                matches: true,
              },
              {
                dataset: 'orders',
                snapshotCount: 6000,
                currentCount: 6250,
                snapshotChecksum: 'o1',
                currentChecksum: 'o2',
                matches: false,
              },
            ],
          },
        }),
        snapshot({
          id: 'snap-2',
          name: 'nightly',
          description: null,
          status: 'RUNNING',
          progress: 40,
          recordCounts: {},
          sizeBytes: 0,
          createdAt: ago(60_000),
        }),
        snapshot({
          id: 'snap-3',
          name: 'broken',
          status: 'FAILED',
          error: 'relation "orders" does not exist',
          createdAt: ago(30 * HOUR),
        }),
        snapshot({
          id: 'snap-4',
          name: 'backup-before-rollback',
          backupForRollback: 'rb-x',
          expiresAt: null,
          createdAt: ago(10 * HOUR),
        }),
      ],
    });
    await renderEntityTab(<RollbackTab />, { annotation: 'rb-1' });

    const card = await screen.findByTestId('snapshot-snap-1');
    expect(within(card).getByText('before-tier1-import')).toBeInTheDocument();
    expect(
      within(card).getByText('Taken before the tier 1 import'),
    ).toBeInTheDocument();
    expect(within(card).getByText('SUCCEEDED')).toBeInTheDocument();
    expect(within(card).getByTestId('snapshot-records')).toHaveTextContent(
      '10,000',
    );
    expect(within(card).getByTestId('snapshot-size')).toHaveTextContent(
      '3.5 MB',
    );
    expect(within(card).getByText('3 hours ago by olivia')).toBeInTheDocument();
    expect(within(card).getByText('expires in 27 days')).toBeInTheDocument();
    expect(
      within(card).getByTestId('snapshot-dataset-orders'),
    ).toHaveTextContent('orders6,0006,250differs');
    expect(
      within(card).getByTestId('snapshot-dataset-customers'),
    ).toHaveTextContent('customers4,0004,000matches');
    expect(within(card).getByTestId('verification')).toHaveTextContent(
      'Current data differs from the snapshot in orders',
    );
    expect(
      within(card).getByRole('button', { name: 'Verify' }),
    ).toBeInTheDocument();

    const running = screen.getByTestId('snapshot-snap-2');
    expect(within(running).getByText('RUNNING')).toBeInTheDocument();
    expect(within(running).getByText(/Copying data… 40%/)).toBeInTheDocument();
    expect(
      within(running).getByRole('progressbar', { name: 'nightly progress' }),
    ).toHaveAttribute('aria-valuenow', '40');
    expect(
      within(running).queryByRole('button', { name: 'Verify' }),
    ).not.toBeInTheDocument();

    expect(
      within(screen.getByTestId('snapshot-snap-3')).getByText(
        'relation "orders" does not exist',
      ),
    ).toBeInTheDocument();
    const backup = screen.getByTestId('snapshot-snap-4');
    expect(
      within(backup).getByText('Automatic backup taken before a rollback'),
    ).toBeInTheDocument();
    expect(within(backup).getByText('kept until deleted')).toBeInTheDocument();

    expect(
      screen.queryByRole('button', { name: 'Take snapshot' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: /Roll back/ }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Delete' }),
    ).not.toBeInTheDocument();
  });

  it('verifies a snapshot against the current data and shows the result', async () => {
    serve('rb-2', { snapshots: () => [snapshot({ id: 'snap-1' })] });
    server.use(
      http.post(`${BASE}/migrations/rb-2/snapshots/snap-1/verify`, () =>
        HttpResponse.json({
          at: new Date().toISOString(),
          matches: true,
          datasets: [
            {
              dataset: 'customers',
              snapshotCount: 4000,
              currentCount: 4000,
              snapshotChecksum: 'c1',
              currentChecksum: 'c1',
              matches: true,
            },
            {
              dataset: 'orders',
              snapshotCount: 6000,
              currentCount: 6000,
              snapshotChecksum: 'o1',
              currentChecksum: 'o1',
              matches: true,
            },
          ],
        }),
      ),
    );
    await renderEntityTab(<RollbackTab />, { annotation: 'rb-2' });
    fireEvent.click(await screen.findByRole('button', { name: 'Verify' }));
    expect(await screen.findByTestId('verification')).toHaveTextContent(
      'Current data matches the snapshot',
    );
    expect(screen.getByTestId('snapshot-dataset-orders')).toHaveTextContent(
      'orders6,0006,000matches',
    );
  });

  it('takes a snapshot of the chosen datasets, and its card appears with progress', async () => {
    let posted: any;
    const items: Snapshot[] = [];
    serve('rb-3', { snapshots: () => items });
    server.use(
      http.post(`${BASE}/migrations/rb-3/snapshots`, async ({ request }) => {
        posted = await request.json();
        const created = snapshot({
          id: 'snap-new',
          name: posted.name,
          status: 'PENDING',
          progress: 0,
          recordCounts: {},
          sizeBytes: 0,
          createdAt: new Date().toISOString(),
        });
        items.push(created);
        return HttpResponse.json(created, { status: 202 });
      }),
    );
    await renderEntityTab(<RollbackTab />, {
      annotation: 'rb-3',
      allow: name => name === 'cutover.snapshot.create',
    });
    expect(await screen.findByText('No snapshots yet')).toBeInTheDocument();
    fireEvent.click(
      await screen.findByRole(
        'button',
        { name: 'Take snapshot' },
        { timeout: 5000 },
      ),
    );
    const dialog = await screen.findByRole('dialog');
    const submit = within(dialog).getByRole('button', {
      name: 'Take snapshot',
    });
    expect(submit).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText(/Name/), {
      target: { value: 'before-cutover' },
    });
    fireEvent.change(within(dialog).getByLabelText('Description'), {
      target: { value: 'Saturday' },
    });
    expect(
      within(dialog).getByRole('checkbox', { name: 'customers' }),
    ).toBeChecked();
    fireEvent.click(
      within(dialog).getByRole('checkbox', { name: 'customers' }),
    );
    fireEvent.change(within(dialog).getByLabelText(/Keep for/), {
      target: { value: '14' },
    });
    fireEvent.click(submit);
    await waitFor(() =>
      expect(posted).toEqual({
        name: 'before-cutover',
        description: 'Saturday',
        datasets: ['orders'],
        retentionDays: 14,
      }),
    );
    const card = await screen.findByTestId('snapshot-snap-new');
    expect(within(card).getByText('PENDING')).toBeInTheDocument();
    expect(within(card).getByRole('progressbar')).toHaveAttribute(
      'aria-valuenow',
      '0',
    );
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('deletes a snapshot after confirmation', async () => {
    let deleted = false;
    serve('rb-6', {
      snapshots: () => (deleted ? [] : [snapshot({ id: 'snap-1' })]),
    });
    server.use(
      http.delete(`${BASE}/migrations/rb-6/snapshots/snap-1`, () => {
        deleted = true;
        return new HttpResponse(null, { status: 204 });
      }),
    );
    await renderEntityTab(<RollbackTab />, {
      annotation: 'rb-6',
      allow: name => name === 'cutover.snapshot.delete',
    });
    fireEvent.click(
      await screen.findByRole('button', { name: 'Delete' }, { timeout: 5000 }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByText('Delete snapshot "before-tier1-import"?'),
    ).toBeInTheDocument();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(deleted).toBe(true));
    expect(await screen.findByText('No snapshots yet')).toBeInTheDocument();
  });

  it('explains that snapshots need a destination connection', async () => {
    serve('rb-9', {
      migration: migration('rb-9', { destination: null }),
      snapshots: () => [],
    });
    await renderEntityTab(<RollbackTab />, { annotation: 'rb-9', allow: true });
    expect(
      await screen.findByText('Snapshots need a destination connection'),
    ).toBeInTheDocument();
    expect(screen.getByText('cutover.connections.NAME')).toBeInTheDocument();
    expect(screen.queryByText('No snapshots yet')).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Take snapshot' }),
    ).not.toBeInTheDocument();
  });
});
