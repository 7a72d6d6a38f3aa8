import { registerMswTestHooks } from '@backstage/test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { BASE, renderEntityTab } from '../../__testUtils__/render';
import { diamond } from './testTimeline';
import { TimelineTab } from './TimelineTab';

const server = setupServer();
registerMswTestHooks(server);

/** Serves the timeline of `id` and records the phase and milestone updates sent. */
function serve(id: string) {
  const sent: Array<{ path: string; body: any }> = [];
  let timeline = diamond();
  server.use(
    http.get(`${BASE}/migrations/${id}/timeline`, () => HttpResponse.json(timeline)),
    http.get(`${BASE}/migrations/${id}/freeze-windows`, () => HttpResponse.json({ items: [], totalCount: 0, nextCursor: null })),
    http.put(`${BASE}/migrations/${id}/milestones/:milestoneId`, async ({ request, params }) => {
      const body = (await request.json()) as any;
      sent.push({ path: `milestones/${params.milestoneId}`, body });
      timeline = {
        ...timeline,
        milestones: timeline.milestones.map(m =>
          m.id === params.milestoneId
            ? { ...m, completed: body.completed, actualDate: body.completed ? '2025-03-08T12:00:00Z' : null }
            : m,
        ),
      };
      return HttpResponse.json(timeline.milestones.find(m => m.id === params.milestoneId));
    }),
    http.post(`${BASE}/migrations/${id}/phases/:phaseId/:action`, async ({ request, params }) => {
      const body = (await request.json()) as any;
      sent.push({ path: `phases/${params.phaseId}/${params.action}`, body });
      timeline = {
        ...timeline,
        phases: timeline.phases.map(p =>
          p.id === params.phaseId ? { ...p, paused: params.action === 'pause' } : p,
        ),
      };
      return HttpResponse.json(timeline.phases.find(p => p.id === params.phaseId));
    }),
    http.put(`${BASE}/migrations/${id}/phases/:phaseId`, async ({ request, params }) => {
      const body = (await request.json()) as any;
      sent.push({ path: `phases/${params.phaseId}`, body });
      if (params.phaseId === 'cutover' && body.status === 'IN_PROGRESS') {
        return HttpResponse.json(
          {
            error: { name: 'ConflictError', message: 'Phase "cutover" cannot start before "transform", "verify" are completed' },
            request: { method: 'PUT', url: '/' },
            response: { statusCode: 409 },
          },
          { status: 409 },
        );
      }
      const before = timeline.phases.find(p => p.id === params.phaseId)!;
      return HttpResponse.json({ ...before, ...body });
    }),
  );
  return sent;
}

describe('TimelineTab actions', () => {
  it('lets an owner mark a milestone reached and reopen one', async () => {
    const sent = serve('tl-1');
    await renderEntityTab(<TimelineTab />, { annotation: 'tl-1', allow: true });
    const golive = await screen.findByTestId('milestone-golive', {}, { timeout: 5000 });
    expect(within(golive).getByText('not yet')).toBeInTheDocument();
    fireEvent.click(within(golive).getByRole('button', { name: 'Mark reached' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Mark "Go-live" reached?');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Mark reached' }));
    await waitFor(() => expect(sent).toEqual([{ path: 'milestones/golive', body: { completed: true } }]));
    await waitFor(() => expect(within(screen.getByTestId('milestone-golive')).getByRole('button', { name: 'Reopen' })).toBeInTheDocument());

    fireEvent.click(within(screen.getByTestId('milestone-freeze')).getByRole('button', { name: 'Reopen' }));
    fireEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Reopen' }));
    await waitFor(() => expect(sent.at(-1)).toEqual({ path: 'milestones/freeze', body: { completed: false, actualDate: null } }));
  });

  it('updates a phase: progress, failure with a reason, and shows why a start is refused', async () => {
    const sent = serve('tl-2');
    await renderEntityTab(<TimelineTab />, { annotation: 'tl-2', allow: true });
    fireEvent.click(await screen.findByRole('button', { name: 'Update a phase' }, { timeout: 5000 }));
    let dialog = await screen.findByRole('dialog');
    // The phase in progress comes first; a running phase can report progress, complete or fail.
    expect(within(dialog).getByLabelText('Phase')).toHaveTextContent('Transform (in progress, 40%)');
    expect(within(dialog).getAllByRole('radio').map(r => r.getAttribute('value'))).toEqual(['progress', 'complete', 'fail', 'pause']);
    fireEvent.change(within(dialog).getByLabelText('Progress (%)'), { target: { value: '140' } });
    expect(within(dialog).getByRole('button', { name: 'Update phase' })).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText('Progress (%)'), { target: { value: '65' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Update phase' }));
    await waitFor(() => expect(sent).toEqual([{ path: 'phases/transform', body: { progressPercent: 65 } }]));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());

    fireEvent.click(screen.getByRole('button', { name: 'Update a phase' }));
    dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByLabelText('Mark it failed'));
    expect(within(dialog).getByRole('button', { name: 'Update phase' })).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText(/What went wrong/), { target: { value: 'Lookup table missing' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Update phase' }));
    await waitFor(() =>
      expect(sent.at(-1)).toEqual({ path: 'phases/transform', body: { status: 'FAILED', errors: ['Lookup table missing'] } }),
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());

    // Starting the cutover before its dependencies: the backend's 409 stays in the dialog.
    fireEvent.click(screen.getByRole('button', { name: 'Update a phase' }));
    dialog = await screen.findByRole('dialog');
    fireEvent.mouseDown(within(dialog).getByLabelText('Phase'));
    fireEvent.click(within(await screen.findByRole('listbox')).getByText(/^Cutover/));
    expect(within(dialog).getAllByRole('radio').map(r => r.getAttribute('value'))).toEqual(['start', 'complete', 'skip', 'pause']);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Update phase' }));
    expect(await within(dialog).findByText(/cannot start before "transform", "verify"/)).toBeInTheDocument();
    expect(sent.at(-1)).toEqual({ path: 'phases/cutover', body: { status: 'IN_PROGRESS' } });
  });

  it("pauses a phase with a reason, shows it paused on the chart, and resumes it", async () => {
    const sent = serve('tl-4');
    await renderEntityTab(<TimelineTab />, { annotation: 'tl-4', allow: true });
    fireEvent.click(await screen.findByRole('button', { name: 'Update a phase' }, { timeout: 5000 }));
    let dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByLabelText(/^Pause it/));
    expect(dialog).toHaveTextContent('the phase lists no datasets');
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'Source under load' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Update phase' }));
    await waitFor(() =>
      expect(sent).toEqual([{ path: 'phases/transform/pause', body: { reason: 'Source under load' } }]),
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(await screen.findByTestId('gantt-paused-transform')).toHaveTextContent('paused');

    fireEvent.click(screen.getByRole('button', { name: 'Update a phase' }));
    dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByLabelText('Phase')).toHaveTextContent('Transform (in progress, 40%, paused)');
    fireEvent.click(within(dialog).getByLabelText(/^Resume it/));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Update phase' }));
    await waitFor(() => expect(sent.at(-1)).toEqual({ path: 'phases/transform/resume', body: {} }));
    await waitFor(() => expect(screen.queryByTestId('gantt-paused-transform')).not.toBeInTheDocument());
  });

  it('offers no actions without the update permission', async () => {
    serve('tl-3');
    await renderEntityTab(<TimelineTab />, { annotation: 'tl-3', allow: name => name !== 'cutover.migration.update' });
    await screen.findByTestId('milestone-golive', {}, { timeout: 5000 });
    expect(screen.queryByRole('button', { name: 'Update a phase' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Mark reached' })).not.toBeInTheDocument();
  });

  it('draws the freeze windows of every page (following nextCursor) on the chart', async () => {
    serve('tl-4');
    const window = (id: string, name: string) => ({
      id, name, migrationId: 'tl-4', description: null, datasets: ['orders'], status: 'PLANNED',
      startsAt: '2025-03-05T12:00:00Z', endsAt: '2025-03-08T12:00:00Z', allowReadSourceSwitch: true,
      createdAt: '2025-02-20T12:00:00Z', createdBy: 'user:default/olivia', activatedAt: null, completedAt: null,
      cancelledAt: null, cancelReason: null,
    });
    const cursors: Array<string | null> = [];
    server.use(
      http.get(`${BASE}/migrations/tl-4/freeze-windows`, ({ request }) => {
        const cursor = new URL(request.url).searchParams.get('cursor');
        cursors.push(cursor);
        return HttpResponse.json(
          cursor === 'fw-2'
            ? { items: [window('f2', 'Go-live freeze')], totalCount: 2, nextCursor: null }
            : { items: [window('f1', 'Tier 1 freeze')], totalCount: 2, nextCursor: 'fw-2' },
        );
      }),
    );
    await renderEntityTab(<TimelineTab />, { annotation: 'tl-4' });
    expect(await screen.findByTestId('gantt-freeze-f2', {}, { timeout: 5000 })).toBeInTheDocument();
    expect(screen.getByTestId('gantt-freeze-f1')).toBeInTheDocument();
    expect(cursors.slice(0, 2)).toEqual([null, 'fw-2']);
  });
});
