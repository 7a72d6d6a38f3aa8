import { registerMswTestHooks } from '@backstage/test-utils';
import { DatasetSwitchEvent, ReconciliationRun } from '@switchyard/plugin-cutover-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { BASE, renderEntityTab } from '../../__testUtils__/render';
import { ago, HOUR, migration, run, switchEvent } from '../../__testUtils__/cutoverTab';
import { CutoverTab } from './CutoverTab';

const server = setupServer();
registerMswTestHooks(server);

/** Serves `items` the way the backend pages them: `limit` (default 100) after `cursor`. */
function paged<T>(items: T[], request: Request, pageSize = 100) {
  const url = new URL(request.url);
  const offset = Number(url.searchParams.get('cursor') ?? 0);
  const limit = Number(url.searchParams.get('limit') ?? pageSize);
  const page = items.slice(offset, offset + Math.min(limit, pageSize));
  const next = offset + page.length;
  return HttpResponse.json({
    items: page,
    totalCount: items.length,
    nextCursor: next < items.length ? String(next) : null,
  });
}

describe('CutoverTab lists longer than a page', () => {
  it('follows nextCursor through the switch history and shows it in a sortable, searchable, paged table', async () => {
    // 130 switches, newest first: two pages of the backend's 100.
    const history: DatasetSwitchEvent[] = Array.from({ length: 130 }, (_, i) =>
      switchEvent({
        id: `s${i}`,
        dataset: i === 129 ? 'payments' : 'orders',
        at: ago((i + 1) * 60_000),
        reason: i === 129 ? 'The oldest switch, on the second page' : `Switch ${i}`,
      }),
    );
    const cursors: (string | null)[] = [];
    server.use(
      http.get(`${BASE}/migrations/pg-1`, () => HttpResponse.json(migration('pg-1'))),
      http.get(`${BASE}/migrations/pg-1/switch-history`, ({ request }) => {
        cursors.push(new URL(request.url).searchParams.get('cursor'));
        return paged(history, request);
      }),
      http.get(`${BASE}/migrations/pg-1/freeze-windows`, () =>
        HttpResponse.json({ items: [], totalCount: 0, nextCursor: null }),
      ),
      http.get(`${BASE}/migrations/pg-1/reconciliations`, () =>
        HttpResponse.json({ items: [], totalCount: 0, nextCursor: null }),
      ),
    );
    await renderEntityTab(<CutoverTab />, { annotation: 'pg-1' });
    expect(await screen.findByText('Switch history (130)')).toBeInTheDocument();
    expect(cursors.slice(0, 2)).toEqual([null, '100']);

    // Paged: the first ten, newest first.
    expect(screen.getByTestId('switch-s0')).toBeInTheDocument();
    expect(screen.getByTestId('switch-s9')).toBeInTheDocument();
    expect(screen.queryByTestId('switch-s10')).not.toBeInTheDocument();

    // Searching finds the switch that only the second page had.
    const table = screen.getByTestId('switch-s0').closest('table')!.parentElement!.closest('div')!;
    const search = within(document.body).getAllByPlaceholderText('Filter')[0];
    fireEvent.change(search, { target: { value: 'second page' } });
    await waitFor(() => expect(screen.getByTestId('switch-s129')).toBeInTheDocument());
    expect(screen.queryByTestId('switch-s0')).not.toBeInTheDocument();
    expect(table).toBeInTheDocument();

    // Sorting by "When" (newest first to start with) turns to oldest first.
    fireEvent.change(search, { target: { value: '' } });
    await waitFor(() => expect(screen.getByTestId('switch-s0')).toBeInTheDocument());
    const when = screen.getByRole('button', { name: 'When' });
    for (let i = 0; i < 2 && !screen.queryByTestId('switch-s129'); i++) {
      fireEvent.click(when);
    }
    await waitFor(() => expect(screen.getByTestId('switch-s129')).toBeInTheDocument());
    expect(screen.queryByTestId('switch-s0')).not.toBeInTheDocument();
  });

  it('follows nextCursor through the reconciliation runs, so the drift chart has every run', async () => {
    const runs: ReconciliationRun[] = Array.from({ length: 120 }, (_, i) =>
      run({ id: `run-${i}`, createdAt: ago((i + 1) * HOUR), startedAt: ago((i + 1) * HOUR), finishedAt: ago((i + 1) * HOUR - 60_000) }),
    );
    const cursors: (string | null)[] = [];
    server.use(
      http.get(`${BASE}/migrations/pg-2`, () => HttpResponse.json(migration('pg-2'))),
      http.get(`${BASE}/migrations/pg-2/switch-history`, () =>
        HttpResponse.json({ items: [], totalCount: 0, nextCursor: null }),
      ),
      http.get(`${BASE}/migrations/pg-2/freeze-windows`, () =>
        HttpResponse.json({ items: [], totalCount: 0, nextCursor: null }),
      ),
      http.get(`${BASE}/migrations/pg-2/reconciliations`, ({ request }) => {
        cursors.push(new URL(request.url).searchParams.get('cursor'));
        return paged(runs, request);
      }),
    );
    await renderEntityTab(<CutoverTab />, { annotation: 'pg-2' });
    await screen.findByTestId('reconciliation-run-0');
    expect(cursors.slice(0, 2)).toEqual([null, '100']);
    expect(await screen.findByText('Runs (120)')).toBeInTheDocument();
  });
});
