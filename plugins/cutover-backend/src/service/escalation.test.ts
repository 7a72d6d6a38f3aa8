import { mockServices } from '@backstage/backend-test-utils';
import { cutoverTestDatabases } from '../__testUtils__/databases';
import { testPlan } from '../__testUtils__/backend';
import {
  DatabaseCutoverStore,
  migrateCutoverDatabase,
} from '../database/DatabaseCutoverStore';
import { AuditLog } from './AuditLog';
import { AlertService } from './AlertService';
import { SignalPublisher } from './SignalPublisher';
import { migrationPlanSchema } from '@switchyard/plugin-cutover-common';

jest.setTimeout(60_000);

const databases = cutoverTestDatabases();
const HOUR = 3_600_000;

describe.each(databases.eachSupportedId())(
  'SLA escalation on %s',
  databaseId => {
    it('notifies assignee and owner when an alert passes its deadline, then the escalation group, once each', async () => {
      const knex = await databases.init(databaseId);
      await migrateCutoverDatabase(knex);
      const store = new DatabaseCutoverStore(knex);
      await store.applyPlan(migrationPlanSchema.parse(testPlan()), 'test', 0);
      let now = Date.parse('2026-12-05T08:00:00Z');
      const sent: any[] = [];
      const make = () =>
        new AlertService({
          store,
          audit: new AuditLog(undefined, { now: () => now }),
          signals: new SignalPublisher(undefined, mockServices.logger.mock()),
          notifications: { send: async (n: any) => void sent.push(n) } as any,
          logger: mockServices.logger.mock(),
          settings: {
            slaMs: {
              CRITICAL: HOUR,
              HIGH: 4 * HOUR,
              MEDIUM: 24 * HOUR,
              LOW: 72 * HOUR,
            },
            escalationGroup: 'group:default/incident-managers',
            rules: {
              qualityBelow: 85,
              errorRateAbove: 0.05,
              rateDropBelow: 0.5,
              behindPlanPoints: 10,
            },
          },
          dashboard: async () => {
            throw new Error('not used');
          },
          listActive: async () => (await store.listMigrations({})) as any,
          clock: { now: () => now },
        });
      // Two replicas' worth of services over one database.
      const [a, b] = [make(), make()];
      const migration = (await store.getMigration('orders-v2'))!;
      const alert = await a.raise(
        migration,
        { alertType: 'ERROR', severity: 'CRITICAL', title: 'Loader crashed' },
        { actor: 'service:job', isUser: false },
      );
      await store.alerts().update('orders-v2', alert!.id, {
        assigned_to: 'user:default/oscar-owner',
      });
      sent.length = 0;

      now += 30 * 60_000;
      expect(await a.escalate()).toBe(0);

      now += 31 * 60_000; // past the 1 h deadline
      const [first, second] = await Promise.all([a.escalate(), b.escalate()]);
      expect(first + second).toBe(1);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({
        recipients: {
          type: 'entity',
          entityRef: ['user:default/oscar-owner', 'group:default/orders-team'],
        },
        payload: {
          title: 'Overdue CRITICAL alert: Loader crashed',
          severity: 'critical',
        },
      });

      now += 30 * 60_000; // not yet another SLA period past the deadline
      expect(await a.escalate()).toBe(0);
      now += 31 * 60_000;
      expect((await a.escalate()) + (await b.escalate())).toBe(1);
      expect(sent[1]).toMatchObject({
        recipients: { entityRef: ['group:default/incident-managers'] },
        payload: { title: 'Escalated CRITICAL alert: Loader crashed' },
      });
      now += 10 * HOUR;
      expect(await a.escalate()).toBe(0);
      expect(sent).toHaveLength(2);
      const audit = await store.listAudit('orders-v2', { limit: 10 });
      expect(
        audit.items.filter(e => e.action === 'alert.escalate'),
      ).toHaveLength(2);
    });
  },
);
