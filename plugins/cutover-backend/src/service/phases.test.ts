import { cutoverTestDatabases } from '../__testUtils__/databases';
import {
  as,
  startCutoverBackend,
  TestClock,
  testPlan,
} from '../__testUtils__/backend';

jest.setTimeout(60_000);

const databases = cutoverTestDatabases();

describe.each(databases.eachSupportedId())(
  'phases and milestones on %s',
  databaseId => {
    async function setup() {
      const knex = await databases.init(databaseId);
      const started = await startCutoverBackend({ knex });
      const plan = testPlan({
        phases: [
          { id: 'extract', name: 'Data extraction', dependsOn: [] },
          { id: 'tier1', name: 'Tier 1 import', dependsOn: ['extract'] },
          { id: 'tier2', name: 'Tier 2 import', dependsOn: ['extract'] },
          { id: 'validate', name: 'Validation', dependsOn: ['tier1', 'tier2'] },
        ],
        milestones: [
          {
            id: 'uat',
            name: 'UAT complete',
            plannedDate: started.clock.iso(8 * 86_400_000),
          },
        ],
      });
      const created = await started
        .api()
        .put('/api/cutover/migrations/orders-v2')
        .set('authorization', as.job)
        .send(plan);
      expect(created.status).toBe(201);
      const phase = (id: string, body: object, who = as.job) =>
        started
          .api()
          .put(`/api/cutover/migrations/orders-v2/phases/${id}`)
          .set('authorization', who)
          .send(body);
      return { ...started, phase, plan };
    }

    it('refuses to start a phase before its dependencies complete, naming them', async () => {
      const { phase } = await setup();
      const early = await phase('validate', { status: 'IN_PROGRESS' });
      expect(early.status).toBe(409);
      expect(early.body.error.message).toBe(
        'Phase "validate" cannot start before "tier1", "tier2" are completed',
      );

      expect(
        (await phase('extract', { status: 'IN_PROGRESS' })).body,
      ).toMatchObject({
        status: 'IN_PROGRESS',
        actualStart: expect.any(String),
      });
      expect((await phase('tier1', { progressPercent: 10 })).status).toBe(409);
      const done = await phase('extract', { status: 'COMPLETED' });
      expect(done.body).toMatchObject({
        status: 'COMPLETED',
        progressPercent: 100,
        actualEnd: expect.any(String),
      });
      const progress = await phase('tier1', { progressPercent: 40 });
      expect(progress.status).toBe(200);
      expect(progress.body).toMatchObject({
        status: 'IN_PROGRESS',
        progressPercent: 40,
      });
    });

    it('computes the critical path, delays and prediction of the timeline', async () => {
      const knex = await databases.init(databaseId);
      // The plan's own calendar, whatever the date: the timeline is read on its second day at noon.
      const day = (d: number) =>
        new Date(Date.UTC(2026, 11, 1 + d)).toISOString();
      const clock = new TestClock().pin(Date.parse(day(1)) + 12 * 3_600_000);
      const { api } = await startCutoverBackend({ knex, clock });
      await api()
        .put('/api/cutover/migrations/orders-v2')
        .set('authorization', as.job)
        .send(
          testPlan({
            plannedStart: day(0),
            plannedEnd: day(10),
            phases: [
              {
                id: 'extract',
                name: 'Extract',
                plannedStart: day(0),
                plannedEnd: day(2),
                dependsOn: [],
              },
              {
                id: 'tier1',
                name: 'Tier 1',
                plannedStart: day(2),
                plannedEnd: day(7),
                dependsOn: ['extract'],
              },
              {
                id: 'tier2',
                name: 'Tier 2',
                plannedStart: day(2),
                plannedEnd: day(4),
                dependsOn: ['extract'],
              },
              {
                id: 'validate',
                name: 'Validate',
                plannedStart: day(7),
                plannedEnd: day(10),
                dependsOn: ['tier1', 'tier2'],
              },
            ],
            milestones: [{ id: 'uat', name: 'UAT', plannedDate: day(9) }],
          }),
        );
      const res = await api()
        .get('/api/cutover/migrations/orders-v2/timeline')
        .set('authorization', as.reader);
      expect(res.status).toBe(200);
      expect(res.body.criticalPath).toEqual(['extract', 'tier1', 'validate']);
      const tier2 = res.body.phases.find((p: any) => p.id === 'tier2');
      expect(tier2).toMatchObject({ critical: false, slackDays: 3 });
      expect(res.body.milestones).toEqual([
        expect.objectContaining({ id: 'uat', completed: false }),
      ]);
      expect(res.body).toMatchObject({
        plannedStart: day(0),
        plannedEnd: day(10),
      });
      // Extraction has not started a day and a half in: it ends that much late, and so does the plan.
      expect(res.body.delays).toEqual([
        expect.objectContaining({
          id: 'extract',
          plannedEnd: day(2),
          expectedEnd: '2026-12-04T12:00:00.000Z',
          delayDays: 1.5,
        }),
      ]);
      expect(res.body).toMatchObject({
        scheduleVarianceDays: 1.5,
        predictedCompletion: '2026-12-12T12:00:00.000Z',
      });
    });

    it('refuses dependency cycles and unknown dependencies (400)', async () => {
      const { phase, api, plan } = await setup();
      const cycle = await phase(
        'extract',
        { dependsOn: ['validate'] },
        as.owner,
      );
      expect(cycle.status).toBe(400);
      expect(cycle.body.error.message).toMatch(/dependency cycle/);
      const unknown = await phase('tier1', { dependsOn: ['nope'] }, as.owner);
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.message).toMatch(
        /dependsOn\.0: unknown phase "nope"/,
      );

      const cyclicPlan = await api()
        .put('/api/cutover/migrations/orders-v2')
        .set('authorization', as.owner)
        .send({
          ...plan,
          phases: [
            { id: 'a', name: 'A', dependsOn: ['b'] },
            { id: 'b', name: 'B', dependsOn: ['a'] },
          ],
        });
      expect(cyclicPlan.status).toBe(400);
      expect(cyclicPlan.body.error.message).toMatch(
        /phases: dependency cycle: a -> b -> a/,
      );
    });

    it('lets jobs report progress but only the owner re-plan a phase', async () => {
      const { phase, api } = await setup();
      expect(
        (await phase('extract', { name: 'Renamed' }, as.reader)).status,
      ).toBe(403);
      expect(
        (await phase('extract', { progressPercent: 5 }, as.reader)).status,
      ).toBe(403);
      expect(
        (await phase('extract', { progressPercent: 5 }, as.job)).status,
      ).toBe(200);
      expect(
        (await phase('extract', { name: 'Extraction' }, as.owner)).status,
      ).toBe(200);
      const created = await phase(
        'cleanup',
        { name: 'Clean-up', dependsOn: ['validate'] },
        as.owner,
      );
      expect(created.status).toBe(200);
      const missingName = await phase(
        'other',
        { progressPercent: 1 },
        as.owner,
      );
      expect(missingName.status).toBe(400);
      expect(missingName.body.error.message).toMatch(/name/);

      const milestone = await api()
        .put('/api/cutover/migrations/orders-v2/milestones/uat')
        .set('authorization', as.owner)
        .send({ completed: true });
      expect(milestone.status).toBe(200);
      expect(milestone.body).toMatchObject({
        id: 'uat',
        completed: true,
        actualDate: expect.any(String),
      });

      const audit = await api()
        .get('/api/cutover/migrations/orders-v2/audit')
        .set('authorization', as.reader);
      expect(audit.body.items[0]).toMatchObject({
        action: 'milestone.update',
        target: 'milestone:uat',
      });
    });
  },
);
