// Migrations, datasets and error answers shared by the tabs' test fixtures.
import { Dataset, Migration } from '@switchyard/plugin-cutover-common';
import { HttpResponse } from 'msw';

export const HOUR = 3_600_000;
export const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
export const ahead = (ms: number) => new Date(Date.now() + ms).toISOString();

/** A tier 1 dataset, fully imported (1000 records), still reading from the legacy side. */
export function dataset(name: string, over: Partial<Dataset> = {}): Dataset {
  return {
    name,
    tier: 1,
    category: null,
    keyColumns: ['id'],
    sourceTable: null,
    destinationTable: null,
    totalRecords: 1000,
    importedRecords: 1000,
    failedRecords: 0,
    skippedRecords: 0,
    cutoverState: 'PENDING',
    readSource: 'LEGACY',
    lastSampleAt: null,
    ...over,
  };
}

/** "Orders database to PostgreSQL", in progress for two days, with the given datasets. */
export function migrationWith(
  id: string,
  datasets: Dataset[],
  over: Partial<Migration> = {},
): Migration {
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
    datasets,
    ...over,
  };
}

/** The backend's 409 answers to `method` requests, by message. */
export const conflictOn = (method: string) => (message: string) =>
  HttpResponse.json(
    {
      error: { name: 'ConflictError', message },
      request: { method, url: '/' },
      response: { statusCode: 409 },
    },
    { status: 409 },
  );
