import { registerMswTestHooks } from '@backstage/test-utils';
import { ReportSchedule } from '@switchyard/plugin-cutover-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { BASE, renderEntityTab } from '../../__testUtils__/render';
import { ReportsMenu } from './ReportsMenu';

const server = setupServer();
registerMswTestHooks(server);

function schedule(
  over: Partial<ReportSchedule> & { id: string },
): ReportSchedule {
  return {
    migrationId: 'x',
    name: 'Weekly status for leadership',
    reportType: 'EXECUTIVE',
    format: 'PDF',
    frequency: 'WEEKLY',
    dayOfWeek: 1,
    dayOfMonth: null,
    time: '09:00',
    timezone: 'Europe/Berlin',
    recipients: ['group:default/leadership', 'user:default/olivia'],
    enabled: true,
    createdAt: '2026-11-01T08:00:00.000Z',
    createdBy: 'user:default/olivia',
    lastRunAt: null,
    nextRunAt: new Date(Date.now() + 2 * 86_400_000 + 3_600_000).toISOString(),
    lastReportUrl: null,
    lastError: null,
    ...over,
  };
}

/** Serves the schedules of migration `id` from a list the test can change. */
function serve(id: string, items: ReportSchedule[]) {
  server.use(
    http.get(`${BASE}/migrations/${id}/report-schedules`, () =>
      HttpResponse.json({ items }),
    ),
  );
}

async function openSchedules(
  id: string,
  allow: boolean | ((name: string) => boolean) = true,
) {
  await renderEntityTab(<ReportsMenu migrationId={id} />, {
    annotation: id,
    allow,
  });
  fireEvent.click(
    await screen.findByRole('button', { name: 'Reports' }, { timeout: 5000 }),
  );
  fireEvent.click(
    await screen.findByRole('menuitem', { name: 'Scheduled reports…' }),
  );
  return screen.findByRole('dialog', { name: 'Scheduled reports' });
}

async function choose(
  container: HTMLElement,
  label: RegExp | string,
  option: string,
) {
  fireEvent.mouseDown(within(container).getByLabelText(label));
  fireEvent.click(await screen.findByRole('option', { name: option }));
}

describe('Scheduled reports', () => {
  it('offers the executive summary first, and schedules only to those allowed to manage them', async () => {
    await renderEntityTab(<ReportsMenu migrationId="rs-1" />, {
      annotation: 'rs-1',
      allow: name => name === 'cutover.report.read',
    });
    fireEvent.click(
      await screen.findByRole('button', { name: 'Reports' }, { timeout: 5000 }),
    );
    const items = await screen.findAllByRole('menuitem');
    expect(items.map(i => i.textContent)).toEqual([
      'Executive summary (PDF)',
      'Detailed workbook (Excel)',
      'Audit trail (CSV)',
    ]);
  });

  it('lists the schedules with their timing, recipients, runs and state', async () => {
    serve('rs-2', [
      schedule({
        id: 's1',
        lastRunAt: new Date(Date.now() - 5 * 86_400_000).toISOString(),
      }),
      schedule({
        id: 's2',
        name: 'Month-end audit',
        reportType: 'AUDIT_TRAIL',
        format: 'CSV',
        frequency: 'MONTHLY',
        dayOfWeek: null,
        dayOfMonth: 31,
        time: '18:30',
        timezone: 'UTC',
        recipients: ['group:default/auditors'],
        enabled: false,
        lastError: 'No recipient could be resolved',
      }),
    ]);
    const dialog = await openSchedules('rs-2');
    const weekly = await within(dialog).findByTestId('schedule-s1');
    expect(weekly).toHaveTextContent('Weekly status for leadership');
    expect(weekly).toHaveTextContent('Executive summary · PDF');
    expect(weekly).toHaveTextContent('Weekly on Monday at 09:00');
    expect(weekly).toHaveTextContent('Europe/Berlin');
    expect(weekly).toHaveTextContent(
      'group:default/leadership, user:default/olivia',
    );
    expect(weekly).toHaveTextContent('in 2 days');
    expect(weekly).toHaveTextContent('5 days ago');
    expect(within(weekly).getByText('Active')).toBeInTheDocument();
    expect(
      within(weekly).getByRole('button', { name: 'Pause' }),
    ).toBeInTheDocument();
    const monthly = within(dialog).getByTestId('schedule-s2');
    expect(monthly).toHaveTextContent('Audit trail · CSV');
    expect(monthly).toHaveTextContent(
      'Monthly on day 31 at 18:30 (last day in shorter months)',
    );
    expect(monthly).toHaveTextContent('never');
    expect(monthly).toHaveTextContent('No recipient could be resolved');
    expect(within(monthly).getByText('Paused')).toBeInTheDocument();
    expect(
      within(monthly).getByRole('button', { name: 'Resume' }),
    ).toBeInTheDocument();
  });

  it('creates a schedule whose format follows the report type, in the browser time zone', async () => {
    const items: ReportSchedule[] = [];
    let posted: any;
    serve('rs-3', items);
    server.use(
      http.post(
        `${BASE}/migrations/rs-3/report-schedules`,
        async ({ request }) => {
          posted = await request.json();
          const created = schedule({ id: 's-new', ...posted });
          items.push(created);
          return HttpResponse.json(created, { status: 201 });
        },
      ),
    );
    const dialog = await openSchedules('rs-3');
    expect(
      await within(dialog).findByText('No scheduled reports yet.'),
    ).toBeInTheDocument();
    const create = within(dialog).getByRole('button', {
      name: 'Create schedule',
    });
    expect(create).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText(/^Name/), {
      target: { value: 'Month-end audit' },
    });
    await choose(dialog, 'Report', 'Audit trail (CSV)');
    await choose(dialog, 'Frequency', 'Monthly');
    await choose(dialog, 'Day of month', '31');
    expect(
      within(dialog).getByText('Shorter months run on their last day'),
    ).toBeInTheDocument();
    fireEvent.change(within(dialog).getByLabelText('Time'), {
      target: { value: '07:30' },
    });
    fireEvent.change(within(dialog).getByLabelText(/^Recipients/), {
      target: { value: 'group:default/orders-team, user:default/olivia' },
    });
    expect(within(dialog).getByTestId('schedule-preview')).toHaveTextContent(
      /^First report: .+ 07:30/,
    );
    fireEvent.click(create);
    await waitFor(() =>
      expect(posted).toEqual({
        name: 'Month-end audit',
        reportType: 'AUDIT_TRAIL',
        format: 'CSV',
        frequency: 'MONTHLY',
        dayOfMonth: 31,
        time: '07:30',
        timezone: new Intl.DateTimeFormat().resolvedOptions().timeZone,
        recipients: ['group:default/orders-team', 'user:default/olivia'],
      }),
    );
    expect(
      await within(dialog).findByTestId('schedule-s-new'),
    ).toHaveTextContent('Month-end audit');
  });

  it('sends a weekly day and shows the server refusing the input', async () => {
    let posted: any;
    serve('rs-4', []);
    server.use(
      http.post(
        `${BASE}/migrations/rs-4/report-schedules`,
        async ({ request }) => {
          posted = await request.json();
          return HttpResponse.json(
            {
              error: {
                name: 'InputError',
                message:
                  'Invalid request: recipients.0 must be an entity ref such as group:default/team',
              },
              request: { method: 'POST', url: '/' },
              response: { statusCode: 400 },
            },
            { status: 400 },
          );
        },
      ),
    );
    const dialog = await openSchedules('rs-4');
    fireEvent.change(within(dialog).getByLabelText(/^Name/), {
      target: { value: 'Friday summary' },
    });
    await choose(dialog, 'Day of week', 'Friday');
    fireEvent.change(within(dialog).getByLabelText(/^Recipients/), {
      target: { value: 'orders team' },
    });
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Create schedule' }),
    );
    expect(
      await within(dialog).findByText(
        'Invalid request: recipients.0 must be an entity ref such as group:default/team',
      ),
    ).toBeInTheDocument();
    expect(posted).toMatchObject({
      reportType: 'EXECUTIVE',
      format: 'PDF',
      frequency: 'WEEKLY',
      dayOfWeek: 5,
      time: '08:00',
    });
    expect(posted).not.toHaveProperty('dayOfMonth');
  });

  it('pauses, resumes and deletes schedules', async () => {
    const items = [schedule({ id: 's1' })];
    const patches: any[] = [];
    let deleted: string | undefined;
    serve('rs-5', items);
    server.use(
      http.patch(
        `${BASE}/migrations/rs-5/report-schedules/:sid`,
        async ({ request, params }) => {
          const patch = (await request.json()) as { enabled: boolean };
          patches.push(patch);
          items[0] = {
            ...items[0],
            enabled: patch.enabled,
            id: String(params.sid),
          };
          return HttpResponse.json(items[0]);
        },
      ),
      http.delete(
        `${BASE}/migrations/rs-5/report-schedules/:sid`,
        ({ params }) => {
          deleted = String(params.sid);
          items.splice(0, 1);
          return new HttpResponse(null, { status: 204 });
        },
      ),
    );
    const dialog = await openSchedules('rs-5');
    fireEvent.click(
      await within(dialog).findByRole('button', { name: 'Pause' }),
    );
    await waitFor(() => expect(patches).toEqual([{ enabled: false }]));
    fireEvent.click(
      await within(dialog).findByRole('button', { name: 'Resume' }),
    );
    await waitFor(() =>
      expect(patches).toEqual([{ enabled: false }, { enabled: true }]),
    );
    fireEvent.click(
      await within(dialog).findByRole('button', { name: 'Pause' }),
    );
    await waitFor(() => expect(patches).toHaveLength(3));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    const confirm = await screen.findByRole('dialog', {
      name: /Delete the schedule/,
    });
    fireEvent.click(within(confirm).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(deleted).toBe('s1'));
    expect(
      await within(dialog).findByText('No scheduled reports yet.'),
    ).toBeInTheDocument();
  });
});
