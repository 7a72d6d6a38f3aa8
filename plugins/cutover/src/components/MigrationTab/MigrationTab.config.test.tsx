import { registerMswTestHooks } from '@backstage/test-utils';
import { Dashboard, Trends } from '@switchyard/plugin-cutover-common';
import { screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { BASE, renderEntityTab } from '../../__testUtils__/render';
import { MigrationTab } from './MigrationTab';

jest.setTimeout(30_000);

const server = setupServer();
registerMswTestHooks(server);

function dashboard(migrationId: string): Dashboard {
  return {
    migrationId,
    title: `Migration ${migrationId}`,
    status: 'IN_PROGRESS',
    controlState: 'RUN',
    plannedStart: new Date(Date.now() - 86_400_000).toISOString(),
    plannedEnd: new Date(Date.now() + 13 * 86_400_000).toISOString(),
    actualStart: new Date(Date.now() - 3_600_000).toISOString(),
    elapsedMs: 3_600_000,
    overallProgress: 50,
    totalRecords: 100,
    importedRecords: 50,
    failedRecords: 0,
    skippedRecords: 0,
    importRate: 10,
    estimatedCompletion: null,
    qualityScore: 88,
    qualityTrend: 'flat',
    completeness: 90,
    validity: 88,
    consistency: 88,
    accuracy: 86,
    errors: { critical: 0, high: 0, medium: 0, low: 0 },
    cutoverReady: false,
    blockers: [],
    generatedAt: new Date().toISOString(),
    datasets: [
      {
        name: 'customers',
        tier: 1,
        category: 'master',
        totalRecords: 100,
        importedRecords: 50,
        failedRecords: 0,
        skippedRecords: 0,
        overallProgress: 50,
        importRate: 10,
        estimatedCompletion: null,
        completeness: 90,
        validity: 88,
        consistency: 88,
        accuracy: 86,
        qualityScore: 88,
        qualityTrend: 'flat',
        errors: { critical: 0, high: 0, medium: 0, low: 0 },
        status: 'IN_PROGRESS',
        readSource: 'LEGACY',
        cutoverState: 'PENDING',
        lastSampleAt: new Date().toISOString(),
      },
    ],
  };
}

const emptyTrends: Trends = {
  range: '1h',
  bucket: '1m',
  dataset: null,
  timestamps: [],
  progressPercent: [],
  importedRecords: [],
  importRate: [],
  qualityScore: [],
  completeness: [],
  validity: [],
  consistency: [],
  accuracy: [],
};

describe('MigrationTab and the app config it declares', () => {
  beforeEach(() => {
    server.use(
      http.get(`${BASE}/migrations/:id/trends`, () => HttpResponse.json(emptyTrends)),
    );
  });

  it('polls as often as cutover.pollIntervalSeconds says when signals are unavailable', async () => {
    let loads = 0;
    server.use(
      http.get(`${BASE}/migrations/poll-v1/dashboard`, () => {
        loads++;
        return HttpResponse.json(dashboard('poll-v1'));
      }),
    );
    const started = Date.now();
    await renderEntityTab(<MigrationTab />, {
      annotation: 'poll-v1',
      config: { cutover: { pollIntervalSeconds: 1 } },
    });
    await screen.findByText('Migration poll-v1');
    // The default interval is 10 s: three loads within a few seconds come from the config's 1 s.
    await waitFor(() => expect(loads).toBeGreaterThanOrEqual(3), { timeout: 8_000 });
    expect(Date.now() - started).toBeLessThan(9_000);
  });

  it('keeps the default interval when the config says nothing', async () => {
    let loads = 0;
    server.use(
      http.get(`${BASE}/migrations/quiet-v1/dashboard`, () => {
        loads++;
        return HttpResponse.json(dashboard('quiet-v1'));
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
        HttpResponse.json(dashboard('threshold-v1')),
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
