// Migrations, switches, freeze windows and reconciliation runs for the Cutover tab's tests.
import {
  OperationSchedule,
  Dataset,
  DatasetSwitchEvent,
  FreezeWindow,
  Migration,
  ReconciliationDatasetResult,
  ReconciliationRun,
} from '@switchyard/plugin-cutover-common';
import { http, HttpResponse } from 'msw';
import type { SetupServer } from 'msw/node';
import { ago, ahead, HOUR } from './fixtures';
import { conflictOn, dataset, migrationWith } from './fixtures';
import { BASE } from './render';

export { ago, ahead, dataset, HOUR } from './fixtures';

/** customers (PENDING, LEGACY), orders (CUTOVER, DUAL), payments (COMPLETED, NEW). */
export function migration(id: string, datasets?: Dataset[]): Migration {
  return migrationWith(
    id,
    datasets ?? [
      dataset('customers', { category: 'master' }),
      dataset('orders', { cutoverState: 'CUTOVER', readSource: 'DUAL' }),
      dataset('payments', {
        tier: 2,
        cutoverState: 'COMPLETED',
        readSource: 'NEW',
      }),
    ],
  );
}

export function switchEvent(
  over: Partial<DatasetSwitchEvent> & { id: string },
): DatasetSwitchEvent {
  return {
    migrationId: 'x',
    dataset: 'orders',
    kind: 'READ_SOURCE',
    from: 'LEGACY',
    to: 'DUAL',
    reason: 'Compare both sides before the switch',
    actor: 'user:default/olivia',
    at: ago(2 * HOUR),
    automatic: false,
    ...over,
  };
}

export function freezeWindow(
  over: Partial<FreezeWindow> & { id: string },
): FreezeWindow {
  return {
    migrationId: 'x',
    name: 'Orders cutover',
    description: null,
    datasets: ['orders'],
    startsAt: ago(HOUR),
    endsAt: ahead(3 * HOUR),
    status: 'ACTIVE',
    allowReadSourceSwitch: false,
    createdAt: ago(24 * HOUR),
    createdBy: 'user:default/olivia',
    activatedAt: ago(HOUR),
    completedAt: null,
    cancelledAt: null,
    cancelReason: null,
    ...over,
  };
}

export function result(
  name: string,
  over: Partial<ReconciliationDatasetResult> = {},
): ReconciliationDatasetResult {
  return {
    name,
    status: 'SUCCEEDED',
    sourceCount: 1000,
    destinationCount: 1000,
    missingInDestination: 0,
    missingInSource: 0,
    mismatched: 0,
    driftRatio: 0,
    level: 'OK',
    sampleKeys: [],
    rowsCompared: 1000,
    durationMs: 2000,
    error: null,
    ...over,
  };
}

export function run(
  over: Partial<ReconciliationRun> & { id: string },
): ReconciliationRun {
  return {
    migrationId: 'x',
    status: 'SUCCEEDED',
    trigger: 'MANUAL',
    progress: 100,
    createdBy: 'user:default/sam',
    createdAt: ago(HOUR),
    startedAt: ago(HOUR),
    finishedAt: ago(HOUR - 95_000),
    datasets: [
      result('orders', {
        sourceCount: 12000,
        destinationCount: 11998,
        missingInDestination: 2,
        missingInSource: 0,
        mismatched: 1,
        driftRatio: 0.00025,
        level: 'WARNING',
        rowsCompared: 12000,
      }),
      result('payments'),
    ],
    error: null,
    thresholds: { warning: 0.0002, critical: 0.001, rollback: 0.005 },
    ...over,
  };
}

export const conflict = conflictOn('PUT');

/** Answers the four reads of the Cutover tab for migration `id`; each can change between calls. */
export function serveCutover(
  server: SetupServer,
  id: string,
  data: {
    migration?: () => Migration;
    history?: () => DatasetSwitchEvent[];
    windows?: () => FreezeWindow[];
    runs?: () => ReconciliationRun[];
    schedules?: () => OperationSchedule[];
  } = {},
) {
  server.use(
    http.get(`${BASE}/migrations/${id}/reconciliation-schedules`, () =>
      HttpResponse.json({ items: data.schedules?.() ?? [] }),
    ),
    http.get(`${BASE}/migrations/${id}`, () =>
      HttpResponse.json(data.migration?.() ?? migration(id)),
    ),
    http.get(`${BASE}/migrations/${id}/switch-history`, () =>
      HttpResponse.json({ items: data.history?.() ?? [] }),
    ),
    http.get(`${BASE}/migrations/${id}/freeze-windows`, () =>
      HttpResponse.json({ items: data.windows?.() ?? [] }),
    ),
    http.get(`${BASE}/migrations/${id}/reconciliations`, () =>
      HttpResponse.json({ items: data.runs?.() ?? [] }),
    ),
  );
}
