import { registerMswTestHooks } from '@backstage/test-utils';
import { Dashboard } from '@switchyard/plugin-cutover-common';
import { screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { dashboard, serveEmptyTrends } from '../../__testUtils__/migrationTab';
import { BASE, renderEntityTab } from '../../__testUtils__/render';
import { MigrationTab } from './MigrationTab';

const server = setupServer();
registerMswTestHooks(server);

/** The dashboard of `migrationId`, titled after it, with a quality score of 88. */
function dashboardOf(migrationId: string): Dashboard {
  return dashboard({
    migrationId,
    title: `Migration ${migrationId}`,
    qualityScore: 88,
  });
}

describe('MigrationTab and the app config it declares', () => {
  beforeEach(() => {
    serveEmptyTrends(server);
  });

  it('polls as often as cutover.pollIntervalSeconds says when signals are unavailable', async () => {
    let loads = 0;
    server.use(
      http.get(`${BASE}/migrations/poll-v1/dashboard`, () => {
        loads++;
        return HttpResponse.json(dashboardOf('poll-v1'));
      }),
    );
    await renderEntityTab(<MigrationTab />, {
      annotation: 'poll-v1',
      config: { cutover: { pollIntervalSeconds: 1 } },
    });
    await screen.findByText('Migration poll-v1');
    // The default interval is 10 s: three loads within 8 s come from the config's 1 s.
    await waitFor(() => expect(loads).toBeGreaterThanOrEqual(3), { timeout: 8_000 });
  });

  it('keeps the default interval when the config says nothing', async () => {
    let loads = 0;
    server.use(
      http.get(`${BASE}/migrations/quiet-v1/dashboard`, () => {
        loads++;
        return HttpResponse.json(dashboardOf('quiet-v1'));
      }),
    );
    await renderEntityTab(<MigrationTab />, { annotation: 'quiet-v1', config: {} });
    await screen.findByText('Migration quiet-v1');
    await new Promise(r => setTimeout(r, 2_500));
    expect(loads).toBe(1);
  });

  it('shows the quality threshold of cutover.readiness.qualityThreshold beside the score', async () => {
    server.use(
      http.get(`${BASE}/migrations/threshold-v1/dashboard`, () =>
        HttpResponse.json(dashboardOf('threshold-v1')),
      ),
    );
    await renderEntityTab(<MigrationTab />, {
      annotation: 'threshold-v1',
      config: { cutover: { readiness: { qualityThreshold: 92 } } },
    });
    expect(await screen.findByText('threshold 92')).toBeInTheDocument();
    expect(screen.getByTestId('quality-score')).toHaveTextContent('88.0');
  });
});
