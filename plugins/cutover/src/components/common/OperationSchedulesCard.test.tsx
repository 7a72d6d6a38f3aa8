import { registerMswTestHooks } from '@backstage/test-utils';
import { OperationSchedule } from '@switchyard/plugin-cutover-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { BASE, renderEntityTab } from '../../__testUtils__/render';
import { OperationSchedulesCard } from './OperationSchedulesCard';

const server = setupServer();
registerMswTestHooks(server);

const HOUR = 3_600_000;
const ID = '33333333-3333-4333-8333-333333333333';

function schedule(over: Partial<OperationSchedule> = {}): OperationSchedule {
  return {
    id: ID,
    migrationId: 'os-1',
    operation: 'SNAPSHOT',
    name: 'Nightly baseline',
    frequency: 'WEEKLY',
    dayOfWeek: 2,
    dayOfMonth: null,
    time: '02:30',
    timezone: 'Europe/Berlin',
    datasets: null,
    retentionDays: 3,
    enabled: true,
    createdAt: new Date(Date.now() - 72 * HOUR).toISOString(),
    createdBy: 'user:default/olivia-owner',
    nextRunAt: new Date(Date.now() + 20 * HOUR).toISOString(),
    lastRunAt: new Date(Date.now() - 4 * HOUR).toISOString(),
    lastTrigger: 'SCHEDULE',
    lastStatus: 'FAILED',
    lastError: 'Migration os-1 keeps 20 snapshots, its quota (cutover.snapshots.quota.count 20); delete one first',
    lastTargetId: null,
    runCount: 4,
    consecutiveFailures: 2,
    ...over,
  };
}

describe('OperationSchedulesCard', () => {
  it('shows each schedule with its timing, last run, failures and next run; readers get no actions', async () => {
    server.use(
      http.get(`${BASE}/migrations/os-1/snapshot-schedules`, () =>
        HttpResponse.json({ items: [schedule()], totalCount: 1, nextCursor: null }),
      ),
    );
    await renderEntityTab(
      <OperationSchedulesCard migrationId="os-1" operation="SNAPSHOT" datasets={['customers', 'orders']} />,
      { annotation: 'os-1' },
    );
    const row = await screen.findByTestId(`operation-schedule-${ID}`);
    expect(row).toHaveTextContent('Weekly on Tuesday at 02:30 (Europe/Berlin) · kept 3 days');
    expect(row).toHaveTextContent('FAILED');
    expect(row).toHaveTextContent(/quota \(cutover\.snapshots\.quota\.count 20\)/);
    expect(row).toHaveTextContent('2 failed or missed runs since the last success');
    expect(within(row).getByText('all')).toBeInTheDocument();
    expect(screen.getByText('Scheduled snapshots')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Run now' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Schedule snapshots' })).not.toBeInTheDocument();
  });

  it('creates a reconciliation schedule, runs one now, pauses it, and shows a refusal', async () => {
    const posted: any[] = [];
    const patched: any[] = [];
    let items = [schedule({ operation: 'RECONCILIATION', name: 'Nightly check', retentionDays: null, lastStatus: 'SUCCEEDED', lastError: null, consecutiveFailures: 0 })];
    server.use(
      http.get(`${BASE}/migrations/os-2/reconciliation-schedules`, () =>
        HttpResponse.json({ items, totalCount: items.length, nextCursor: null }),
      ),
      http.post(`${BASE}/migrations/os-2/reconciliation-schedules`, async ({ request }) => {
        const body = await request.json();
        posted.push(body);
        items = [...items, schedule({ ...(body as object), id: '44444444-4444-4444-8444-444444444444', operation: 'RECONCILIATION', lastRunAt: null, lastStatus: null, lastError: null })];
        return HttpResponse.json(items.at(-1), { status: 201 });
      }),
      http.post(`${BASE}/migrations/os-2/reconciliation-schedules/${ID}/run`, () =>
        HttpResponse.json(
          {
            error: { name: 'ConflictError', message: 'A reconciliation of os-2 is already running' },
            request: { method: 'POST', url: '/' },
            response: { statusCode: 409 },
          },
          { status: 409 },
        ),
      ),
      http.patch(`${BASE}/migrations/os-2/reconciliation-schedules/${ID}`, async ({ request }) => {
        patched.push(await request.json());
        items = items.map(s => (s.id === ID ? { ...s, enabled: false, nextRunAt: null } : s));
        return HttpResponse.json(items[0]);
      }),
    );
    await renderEntityTab(
      <OperationSchedulesCard migrationId="os-2" operation="RECONCILIATION" datasets={['customers', 'orders']} />,
      { annotation: 'os-2', allow: true },
    );
    expect(await screen.findByText('Nightly check')).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'Run now' }));
    expect(await screen.findByText('A reconciliation of os-2 is already running')).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    await waitFor(() => expect(patched).toEqual([{ enabled: false }]));
    const row = screen.getByTestId(`operation-schedule-${ID}`);
    await waitFor(() => expect(row).toHaveTextContent('paused'));
    expect(within(row).getByRole('button', { name: 'Resume' })).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'Schedule reconciliations' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).queryByLabelText(/Keep each snapshot/)).not.toBeInTheDocument();
    fireEvent.change(within(dialog).getByLabelText(/^Name/), { target: { value: 'First of the month' } });
    fireEvent.mouseDown(within(dialog).getByLabelText('Frequency'));
    fireEvent.click(await screen.findByRole('option', { name: 'Monthly' }));
    fireEvent.mouseDown(within(dialog).getByLabelText('Day of month'));
    fireEvent.click(await screen.findByRole('option', { name: '31' }));
    fireEvent.change(within(dialog).getByLabelText('Time'), { target: { value: '05:15' } });
    fireEvent.change(within(dialog).getByLabelText('Time zone'), { target: { value: 'America/New_York' } });
    fireEvent.click(await screen.findByRole('option', { name: 'America/New_York' }));
    expect(within(dialog).getByTestId('operation-schedule-preview')).toHaveTextContent(/05:15 \(America\/New_York\)/);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create schedule' }));
    await waitFor(() =>
      expect(posted).toEqual([
        { name: 'First of the month', frequency: 'MONTHLY', dayOfMonth: 31, time: '05:15', timezone: 'America/New_York' },
      ]),
    );
    expect(await screen.findByText('First of the month')).toBeInTheDocument();
  });

  it('follows nextCursor and shows every schedule in a paged, searchable, sortable table', async () => {
    // 12 schedules: 9 on the backend's first page, 3 after its nextCursor.
    const all = Array.from({ length: 12 }, (_, i) =>
      schedule({
        id: `55555555-5555-4555-8555-${String(i).padStart(12, '0')}`,
        name: i === 11 ? 'Zulu, on the second page' : `Schedule ${String.fromCharCode(65 + i)}`,
      }),
    );
    const testId = (i: number) => `operation-schedule-${all[i].id}`;
    const cursors: Array<string | null> = [];
    server.use(
      http.get(`${BASE}/migrations/os-3/snapshot-schedules`, ({ request }) => {
        const cursor = new URL(request.url).searchParams.get('cursor');
        cursors.push(cursor);
        return HttpResponse.json(
          cursor === 'c9'
            ? { items: all.slice(9), totalCount: 12, nextCursor: null }
            : { items: all.slice(0, 9), totalCount: 12, nextCursor: 'c9' },
        );
      }),
    );
    await renderEntityTab(
      <OperationSchedulesCard migrationId="os-3" operation="SNAPSHOT" datasets={['customers', 'orders']} />,
      { annotation: 'os-3' },
    );
    expect(await screen.findByTestId(testId(0))).toBeInTheDocument();
    expect(cursors.slice(0, 2)).toEqual([null, 'c9']);
    expect(screen.queryByTestId(testId(11))).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Next Page' }));
    expect(await screen.findByTestId(testId(11))).toHaveTextContent('Zulu, on the second page');
    fireEvent.click(screen.getByRole('button', { name: 'Previous Page' }));
    await screen.findByTestId(testId(0));

    const search = screen.getByPlaceholderText('Filter');
    fireEvent.change(search, { target: { value: 'zulu' } });
    await waitFor(() => expect(screen.getByTestId(testId(11))).toBeInTheDocument());
    expect(screen.queryByTestId(testId(0))).not.toBeInTheDocument();
    fireEvent.change(search, { target: { value: '' } });
    await screen.findByTestId(testId(0));

    // By name, descending: Zulu first.
    const byName = screen.getByRole('button', { name: 'Schedule' });
    for (let i = 0; i < 2 && !screen.queryByTestId(testId(11)); i++) fireEvent.click(byName);
    await waitFor(() => expect(screen.getByTestId(testId(11))).toBeInTheDocument());
    expect(screen.getAllByTestId(/^operation-schedule-/)[0]).toBe(screen.getByTestId(testId(11)));
  });
});
