import { mockServices } from '@backstage/backend-test-utils';
import {
  Dashboard,
  Migration,
  migrationPlanSchema,
} from '@switchyard/plugin-cutover-common';
import { cutoverTestDatabases } from '../__testUtils__/databases';
import { testPlan } from '../__testUtils__/backend';
import {
  DatabaseCutoverStore,
  migrateCutoverDatabase,
} from '../database/DatabaseCutoverStore';
import { AuditLog } from './AuditLog';
import { AlertService } from './AlertService';
import { SignalPublisher } from './SignalPublisher';

jest.setTimeout(60_000);

const databases = cutoverTestDatabases();
const NOW = Date.parse('2026-12-05T12:00:00Z');
const MIN = 60_000;

function dashboard(
  over: Partial<Dashboard>,
  dataset: Partial<Dashboard['datasets'][number]> = {},
): Dashboard {
  const row = {
    name: 'orders',
    tier: 2,
    category: null,
    totalRecords: 10_000,
    importedRecords: 5_000,
    failedRecords: 10,
    skippedRecords: 0,
    overallProgress: 50.1,
    importRate: 100,
    estimatedCompletion: null,
    completeness: 99,
    validity: 99,
    consistency: 99,
    accuracy: 99,
    qualityScore: 99,
    qualityTrend: 'flat' as const,
    errors: { critical: 0, high: 0, medium: 0, low: 0 },
    status: 'IN_PROGRESS' as const,
    readSource: 'LEGACY' as const,
    cutoverState: 'PENDING' as const,
    lastSampleAt: new Date(NOW - MIN).toISOString(),
    ...dataset,
  };
  return {
    migrationId: 'orders-v2',
    title: 'Orders',
    status: 'IN_PROGRESS',
    controlState: 'RUN',
    plannedStart: null,
    plannedEnd: null,
    actualStart: new Date(NOW - 60 * MIN).toISOString(),
    elapsedMs: 60 * MIN,
    overallProgress: 50.1,
    totalRecords: 10_000,
    importedRecords: 5_000,
    failedRecords: 10,
    skippedRecords: 0,
    importRate: 100,
    estimatedCompletion: null,
    qualityScore: 99,
    qualityTrend: 'flat',
    completeness: 99,
    validity: 99,
    consistency: 99,
    accuracy: 99,
    errors: { critical: 0, high: 0, medium: 0, low: 0 },
    cutoverReady: false,
    blockers: [],
    datasets: [row],
    generatedAt: new Date(NOW).toISOString(),
    ...over,
  };
}

describe.each(databases.eachSupportedId())(
  'threshold rules on %s',
  databaseId => {
    async function setup(plan = testPlan()) {
      const knex = await databases.init(databaseId);
      await migrateCutoverDatabase(knex);
      const store = new DatabaseCutoverStore(knex);
      await store.applyPlan(migrationPlanSchema.parse(plan), 'test', 0);
      let current = dashboard({});
      const service = new AlertService({
        store,
        audit: new AuditLog(undefined, { now: () => NOW }),
        signals: new SignalPublisher(undefined, mockServices.logger.mock()),
        logger: mockServices.logger.mock(),
        settings: {
          slaMs: {
            CRITICAL: 3_600_000,
            HIGH: 4 * 3_600_000,
            MEDIUM: 86_400_000,
            LOW: 3 * 86_400_000,
          },
          escalationGroup: null,
          rules: {
            qualityBelow: 85,
            errorRateAbove: 0.05,
            rateDropBelow: 0.5,
            behindPlanPoints: 10,
          },
        },
        dashboard: async () => current,
        listActive: async () => [],
        clock: { now: () => NOW },
      });
      const migration = (await store.getMigration('orders-v2')) as Migration;
      const open = async () =>
        (await store.alerts().list('orders-v2', { status: 'OPEN' }))
          .map(a => a.ruleKey)
          .sort();
      const check = async (d: Dashboard, m: Migration = migration) => {
        current = d;
        await service.evaluate(m);
        await service.evaluate(m); // a second pass must not raise twice
        return open();
      };
      return { store, migration, check };
    }

    it.each([
      [
        'quality below the threshold',
        dashboard({}, { qualityScore: 70 }),
        ['quality:orders'],
      ],
      [
        'failures above 5% of handled records',
        dashboard({}, { failedRecords: 600 }),
        ['error-rate:orders'],
      ],
      [
        'a stalled dataset',
        dashboard({}, { status: 'STALLED' }),
        ['stalled:orders'],
      ],
      // 5,000 records in 60 minutes is 83/min on average; 30/min now is a drop below half.
      [
        'a rate drop against the average',
        dashboard({ importRate: 30 }),
        ['rate-drop'],
      ],
      ['nothing wrong', dashboard({}), []],
    ])(
      'raises one alert for %s, and clears it when the condition goes',
      async (_name, d, keys) => {
        const { check } = await setup();
        expect(await check(d)).toEqual(keys);
        expect(await check(dashboard({}))).toEqual([]);
      },
    );

    it('raises an alert when progress falls behind the planned schedule', async () => {
      const plan = testPlan({
        plannedStart: new Date(NOW - 10 * 86_400_000).toISOString(),
        plannedEnd: new Date(NOW + 10 * 86_400_000).toISOString(),
      });
      const { check, migration } = await setup(plan);
      // Half the planned window has passed: 30% is more than 10 points behind, 45% is not.
      expect(
        await check(dashboard({ overallProgress: 30 }), migration),
      ).toEqual(['behind-plan']);
      expect(
        await check(dashboard({ overallProgress: 45 }), migration),
      ).toEqual([]);
    });

    it('honours per-migration overrides from the plan', async () => {
      const { check, migration } = await setup(
        testPlan({
          alertRules: { qualityBelow: 95, stalledAfterMinutes: 30 },
        } as any),
      );
      expect(migration.alertRules).toEqual({
        qualityBelow: 95,
        stalledAfterMinutes: 30,
      });
      expect(
        await check(dashboard({}, { qualityScore: 90 }), migration),
      ).toEqual(['quality:orders']);
      expect(
        await check(
          dashboard(
            {},
            { lastSampleAt: new Date(NOW - 20 * MIN).toISOString() },
          ),
          migration,
        ),
      ).toEqual([]);
      expect(
        await check(
          dashboard(
            {},
            { lastSampleAt: new Date(NOW - 40 * MIN).toISOString() },
          ),
          migration,
        ),
      ).toEqual(['stalled:orders']);
    });
  },
);
