import { registerMswTestHooks } from '@backstage/test-utils';
import {
  Migration,
  Rollback,
  Snapshot,
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
import { RollbackTab } from './RollbackTab';

jest.setTimeout(30_000);

const server = setupServer();
registerMswTestHooks(server);

const HOUR = 3_600_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const ahead = (ms: number) => new Date(Date.now() + ms).toISOString();

function migration(id: string, over: Partial<Migration> = {}): Migration {
  const dataset = (name: string) => ({
    name,
    tier: 1,
    category: null,
    keyColumns: ['id'],
    sourceTable: null,
    destinationTable: null,
    totalRecords: 0,
    importedRecords: 0,
    failedRecords: 0,
    skippedRecords: 0,
    cutoverState: 'PENDING' as const,
    readSource: 'LEGACY' as const,
    lastSampleAt: null,
  });
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
    datasets: [dataset('customers'), dataset('orders')],
    ...over,
  };
}

function snapshot(over: Partial<Snapshot> & { id: string }): Snapshot {
  return {
    migrationId: 'x',
    name: 'before-tier1-import',
    description: 'Taken before the tier 1 import',
    datasets: ['customers', 'orders'],
    status: 'SUCCEEDED',
    progress: 100,
    recordCounts: { customers: 4000, orders: 6000 },
    sizeBytes: 3.5 * 1024 * 1024,
    checksums: { customers: 'c1', orders: 'o1' },
    locations: {},
    provider: 'knex-copy',
    createdAt: ago(3 * HOUR + 60_000),
    createdBy: 'user:default/olivia',
    finishedAt: ago(3 * HOUR),
    expiresAt: ahead(27 * 24 * HOUR + HOUR),
    error: null,
    backupForRollback: null,
    lastVerification: null,
    ...over,
  };
}

function rollback(over: Partial<Rollback> & { id: string }): Rollback {
  return {
    migrationId: 'x',
    snapshotId: 'snap-1',
    datasets: ['customers', 'orders'],
    status: 'SUCCEEDED',
    progress: 100,
    recordsRestored: 10000,
    recordsDeleted: 120,
    durationMs: 95_000,
    errors: [],
    verified: true,
    verifyAfter: true,
    createBackup: true,
    backupSnapshotId: null,
    results: [],
    createdAt: ago(2 * HOUR),
    createdBy: 'user:default/sam',
    startedAt: ago(2 * HOUR),
    finishedAt: ago(2 * HOUR - 95_000),
    ...over,
  };
}

const conflict = (message: string) =>
  HttpResponse.json(
    {
      error: { name: 'ConflictError', message },
      request: { method: 'POST', url: '/' },
      response: { statusCode: 409 },
    },
    { status: 409 },
  );

/** Answers the three reads of the tab for migration `id`; lists can change between calls. */
function serve(
  id: string,
  data: {
    migration?: Migration;
    snapshots: () => Snapshot[];
    rollbacks?: () => Rollback[];
  },
) {
  server.use(
    http.get(`${BASE}/migrations/${id}`, () =>
      HttpResponse.json(data.migration ?? migration(id)),
    ),
    http.get(`${BASE}/migrations/${id}/snapshots`, () =>
      HttpResponse.json({ items: data.snapshots() }),
    ),
    http.get(`${BASE}/migrations/${id}/rollbacks`, () =>
      HttpResponse.json({ items: data.rollbacks?.() ?? [] }),
    ),
  );
}

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
