import { registerMswTestHooks } from '@backstage/test-utils';
import type { FreezeWindow } from '@switchyard/plugin-cutover-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { BASE, renderEntityTab } from '../../__testUtils__/render';
import { CutoverTab } from './CutoverTab';
import {
  ahead,
  conflict,
  freezeWindow,
  HOUR,
  serveCutover,
} from '../../__testUtils__/cutoverTab';

// The portal's Table renders more than a plain table: room for a loaded machine.
jest.setTimeout(60_000);

const server = setupServer();
registerMswTestHooks(server);

const serve = (id: string, data?: Parameters<typeof serveCutover>[2]) =>
  serveCutover(server, id, data);

describe('CutoverTab: freeze windows', () => {
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
});
