// Migrations, snapshots and rollbacks for the Rollback tab's tests.
import {
  Migration,
  OperationSchedule,
  Rollback,
  Snapshot,
} from '@switchyard/plugin-cutover-common';
import { http, HttpResponse } from 'msw';
import type { SetupServer } from 'msw/node';
import { ago, ahead, HOUR } from './fixtures';
import { conflictOn, dataset, migrationWith } from './fixtures';
import { BASE } from './render';

export { ago, ahead, HOUR } from './fixtures';

/** customers and orders, nothing imported yet. */
export function migration(
  id: string,
  over: Partial<Migration> = {},
): Migration {
  const empty = { totalRecords: 0, importedRecords: 0 };
  return migrationWith(
    id,
    [dataset('customers', empty), dataset('orders', empty)],
    over,
  );
}

export function snapshot(over: Partial<Snapshot> & { id: string }): Snapshot {
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

export function rollback(over: Partial<Rollback> & { id: string }): Rollback {
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

export const conflict = conflictOn('POST');

/** Answers the three reads of the Rollback tab for migration `id`; lists can change between calls. */
export function serveRollback(
  server: SetupServer,
  id: string,
  data: {
    migration?: Migration;
    snapshots: () => Snapshot[];
    rollbacks?: () => Rollback[];
    schedules?: () => OperationSchedule[];
  },
) {
  server.use(
    http.get(`${BASE}/migrations/${id}/snapshot-schedules`, () =>
      HttpResponse.json({ items: data.schedules?.() ?? [] }),
    ),
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
