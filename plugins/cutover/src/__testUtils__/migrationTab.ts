// The dashboard and trends the Migration tab's tests serve.
import {
  bucketTrends,
  Dashboard,
  DashboardDataset,
  Trends,
} from '@switchyard/plugin-cutover-common';
import { http, HttpResponse } from 'msw';
import type { SetupServer } from 'msw/node';
import { BASE } from './render';

/** The customers dataset of orders-v2: tier 1, 3000 of 4000 imported (76.25%), quality 91.3; `dashboardDataset` dates its last sample. */
export const CUSTOMERS: DashboardDataset = {
  name: 'customers',
  tier: 1,
  category: 'master',
  totalRecords: 4000,
  importedRecords: 3000,
  failedRecords: 50,
  skippedRecords: 0,
  overallProgress: 76.25,
  importRate: 800,
  estimatedCompletion: null,
  completeness: 99,
  validity: 88,
  consistency: 90,
  accuracy: 88.2,
  qualityScore: 91.3,
  qualityTrend: 'up',
  errors: { critical: 0, high: 3, medium: 1, low: 0 },
  status: 'IN_PROGRESS',
  readSource: 'LEGACY',
  cutoverState: 'PENDING',
  lastSampleAt: null,
};

/** A dataset like customers, named `name`, sampled just now, with `over` changed. */
export const dashboardDataset = (
  name: string,
  over: Partial<DashboardDataset> = {},
): DashboardDataset => ({
  ...CUSTOMERS,
  name,
  lastSampleAt: new Date().toISOString(),
  ...over,
});

/** orders-v2 at 42.5%: customers (tier 1, 76.25%) and orders (tier 2, 20%, no quality yet). */
export function dashboard(over: Partial<Dashboard> = {}): Dashboard {
  return {
    migrationId: 'orders-v2',
    title: 'Orders database to PostgreSQL',
    status: 'IN_PROGRESS',
    controlState: 'RUN',
    plannedStart: new Date(Date.now() - 86_400_000).toISOString(),
    plannedEnd: new Date(Date.now() + 13 * 86_400_000).toISOString(),
    actualStart: new Date(Date.now() - 3_600_000).toISOString(),
    elapsedMs: 3_600_000,
    overallProgress: 42.5,
    totalRecords: 10000,
    importedRecords: 4200,
    failedRecords: 50,
    skippedRecords: 0,
    importRate: 1250,
    estimatedCompletion: new Date(Date.now() + 5 * 60_000).toISOString(),
    qualityScore: 91.3,
    qualityTrend: 'up',
    completeness: 99,
    validity: 88,
    consistency: 90,
    accuracy: 88.2,
    errors: { critical: 0, high: 3, medium: 1, low: 0 },
    cutoverReady: false,
    blockers: ['Tier 1 datasets not fully imported: customers'],
    generatedAt: new Date().toISOString(),
    datasets: [
      dashboardDataset('customers'),
      dashboardDataset('orders', {
        tier: 2,
        category: 'transactional',
        totalRecords: 6000,
        importedRecords: 1200,
        failedRecords: 0,
        overallProgress: 20,
        importRate: 450,
        completeness: null,
        validity: null,
        consistency: null,
        accuracy: null,
        qualityScore: null,
        qualityTrend: 'flat',
        errors: { critical: 0, high: 0, medium: 0, low: 0 },
      }),
    ],
    ...over,
  };
}

/** Trends without a sample: the series of a range that holds no bucket. */
export const emptyTrends: Trends = {
  range: '1h',
  bucket: '1m',
  dataset: null,
  ...bucketTrends([], { from: 0, to: -1, bucketMs: 60_000 }),
  timestamps: [],
};

/** Answers every trends read with no samples. */
export function serveEmptyTrends(server: SetupServer) {
  server.use(
    http.get(`${BASE}/migrations/:id/trends`, () =>
      HttpResponse.json(emptyTrends),
    ),
  );
}
