/*
 * Switchyard's facts in Tech Insights: the real Tech Insights backend with the JSON rules checker and
 * the Switchyard retriever, against a real cutover backend. The retriever runs through Tech Insights'
 * own scheduled task; the facts and the example portal's checks (app-config.yaml) are read through
 * its HTTP API, as a scorecard does.
 */
import {
  createBackendModule,
  coreServices,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import techInsightsPlugin from '@backstage-community/plugin-tech-insights-backend';
import jsonRulesChecker from '@backstage-community/plugin-tech-insights-backend-module-jsonfc';
import { techInsightsFactRetrieversExtensionPoint } from '@backstage-community/plugin-tech-insights-node';
import {
  CUTOVER_FACT_RETRIEVER_ID,
  createCutoverFactRetriever,
} from '@switchyard/plugin-tech-insights-backend-module-cutover';
import {
  as,
  startCutoverBackend,
  testPlan,
  TestClock,
} from '../__testUtils__/backend';
import { cutoverTestDatabases } from '../__testUtils__/databases';
import { exampleTechInsightsChecks } from '../__testUtils__/exampleToken';

jest.setTimeout(90_000);

const databases = cutoverTestDatabases();
/** A service reading Tech Insights (the test policy only knows cutover permissions, so not a user). */
const scorecard = mockCredentials.service.header({
  onBehalfOf: mockCredentials.service('external:scorecard'),
  targetPluginId: 'tech-insights',
});
const DAY = 86_400_000;

describe.each(databases.eachSupportedId())(
  'Switchyard facts in Tech Insights on %s',
  databaseId => {
    async function setup() {
      const knex = await databases.init(databaseId);
      const clock = new TestClock();
      const probe: { scheduler?: SchedulerService } = {};
      const retrieverWithTestClock = createBackendModule({
        pluginId: 'tech-insights',
        moduleId: 'switchyard-cutover-facts-test',
        register(reg) {
          reg.registerInit({
            deps: {
              retrievers: techInsightsFactRetrieversExtensionPoint,
              scheduler: coreServices.scheduler,
            },
            async init({ retrievers, scheduler }) {
              probe.scheduler = scheduler;
              retrievers.addFactRetrievers({
                [CUTOVER_FACT_RETRIEVER_ID]: createCutoverFactRetriever({
                  now: () => new Date(clock.now()),
                }),
              });
            },
          });
        },
      });
      const started = await startCutoverBackend({
        knex,
        clock,
        extraFeatures: [
          techInsightsPlugin,
          jsonRulesChecker,
          retrieverWithTestClock,
        ],
        config: {
          techInsights: {
            factRetrievers: {
              [CUTOVER_FACT_RETRIEVER_ID]: { cadence: '0 6 * * *' },
            },
            factChecker: { checks: exampleTechInsightsChecks() },
          },
        },
      });
      const retrieve = () =>
        probe.scheduler!.triggerTask(CUTOVER_FACT_RETRIEVER_ID);
      const latest = async (entity: string) => {
        const res = await started
          .api()
          .get('/api/tech-insights/facts/latest')
          .query({ entity, 'ids[]': CUTOVER_FACT_RETRIEVER_ID })
          .set('Authorization', scorecard)
          .expect(200);
        return res.body[CUTOVER_FACT_RETRIEVER_ID]?.facts;
      };
      const checks = async (entity: string) => {
        const [namespace, kindName] = [
          entity.split(':')[1].split('/')[0],
          entity,
        ];
        const kind = kindName.split(':')[0];
        const name = entity.split('/')[1];
        const res = await started
          .api()
          .post(`/api/tech-insights/checks/run/${namespace}/${kind}/${name}`)
          .set('Authorization', scorecard)
          .send({})
          .expect(200);
        return Object.fromEntries(
          res.body.map((r: any) => [r.check.id, r.result]),
        );
      };
      return { ...started, clock, retrieve, latest, checks };
    }

    it("publishes an annotated entity's readiness, progress, drift, alerts and approval state", async () => {
      const { api, retrieve, latest } = await setup();
      const plan = testPlan();
      await api()
        .post('/api/cutover/migrations')
        .set('Authorization', as.owner)
        .send(plan)
        .expect(201);
      await api()
        .post('/api/cutover/migrations/orders-v2/alerts')
        .set('Authorization', as.owner)
        .send({
          alertType: 'ERROR',
          severity: 'CRITICAL',
          title: 'Replica lag over an hour',
        })
        .expect(201);

      await retrieve();

      const entity = plan.entityRefs![0];
      const readiness = (
        await api()
          .get('/api/cutover/migrations/orders-v2/readiness')
          .set('Authorization', as.reader)
      ).body;
      const dashboard = (
        await api()
          .get('/api/cutover/migrations/orders-v2/dashboard')
          .set('Authorization', as.reader)
      ).body;
      const { noGoSince: _since, ...facts } = await latest(entity);
      expect(facts).toEqual({
        migrationCount: 1,
        worstRecommendation: readiness.recommendation,
        lowestReadinessScore: readiness.score,
        highestRisk: readiness.riskLevel,
        lowestProgress: dashboard.overallProgress,
        worstDriftLevel: 'NONE',
        driftBelowWarningAfterCutover: true,
        openCriticalAlerts: 1,
        openHighAlerts: 0,
        worstApprovalState: readiness.approval.status,
        noGoDays: 0,
      });
      // "NO_GO since" is there exactly when the verdict is NO_GO.
      expect('noGoSince' in (await latest(entity))).toBe(
        readiness.recommendation === 'NO_GO',
      );
    });

    it('counts the days in NO_GO across runs, and the example check fails after seven', async () => {
      const { api, retrieve, latest, checks, clock } = await setup();
      const plan = testPlan();
      await api()
        .post('/api/cutover/migrations')
        .set('Authorization', as.owner)
        .send(plan)
        .expect(201);
      // An open CRITICAL alert keeps the verdict at NO_GO whatever else the plan says.
      await api()
        .post('/api/cutover/migrations/orders-v2/alerts')
        .set('Authorization', as.owner)
        .send({
          alertType: 'ERROR',
          severity: 'CRITICAL',
          title: 'Source replica unreachable',
        })
        .expect(201);
      const readiness = (
        await api()
          .get('/api/cutover/migrations/orders-v2/readiness')
          .set('Authorization', as.reader)
      ).body;
      expect(readiness.recommendation).toBe('NO_GO');
      const entity = plan.entityRefs![0];

      clock.pin();
      await retrieve();
      const first = await latest(entity);
      expect(first.noGoDays).toBe(0);
      expect(Date.parse(first.noGoSince)).toBe(clock.now());
      expect((await checks(entity)).switchyardNoLongNoGo).toBe(true);

      clock.advance(3 * DAY);
      await retrieve();
      expect(await latest(entity)).toMatchObject({
        noGoDays: 3,
        noGoSince: first.noGoSince,
      });
      expect((await checks(entity)).switchyardNoLongNoGo).toBe(true);

      clock.advance(5 * DAY);
      await retrieve();
      expect(await latest(entity)).toMatchObject({
        noGoDays: 8,
        noGoSince: first.noGoSince,
      });
      const results = await checks(entity);
      expect(results.switchyardNoLongNoGo).toBe(false);
      expect(results.switchyardDriftAfterCutover).toBe(true);
    });
  },
);
