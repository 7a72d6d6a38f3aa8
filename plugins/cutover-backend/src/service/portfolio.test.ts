import { cutoverTestDatabases } from '../__testUtils__/databases';
import { mockCredentials } from '@backstage/backend-test-utils';
import { as, startCutoverBackend, testPlan } from '../__testUtils__/backend';

jest.setTimeout(90_000);

const databases = cutoverTestDatabases();
const minutesAgo = (m: number) =>
  new Date(Date.now() - m * 60_000).toISOString();
const DAY = 24 * 3_600_000;

/** Polls until `check` holds (summaries are refreshed a short, debounced moment after a change). */
async function until<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last = await read();
  while (!check(last)) {
    if (Date.now() > end) {
      throw new Error(
        `Condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(last).slice(0, 2000)}`,
      );
    }
    await new Promise(r => setTimeout(r, 50));
    last = await read();
  }
  return last;
}

describe.each(databases.eachSupportedId())('the portfolio on %s', databaseId => {
  async function setup() {
    const knex = await databases.init(databaseId);
    const started = await startCutoverBackend({
      knex,
      config: { cutover: { portfolio: { debounceMs: 20 } } },
    });
    const { api } = started;
    const apply = async (plan: ReturnType<typeof testPlan>) => {
      const res = await api()
        .put(`/api/cutover/migrations/${plan.id}`)
        .set('authorization', as.job)
        .send(plan);
      expect([200, 201]).toContain(res.status);
    };
    await apply(testPlan({
      milestones: [
        { id: 'uat', name: 'UAT complete', plannedDate: new Date(Date.now() + 5 * DAY).toISOString() },
        { id: 'golive', name: 'Go live', plannedDate: new Date(Date.now() + 15 * DAY).toISOString() },
      ],
    }));
    await apply(
      testPlan({
        id: 'billing-ledger',
        title: 'Billing ledger to the new store',
        owner: 'group:default/billing-team',
        entityRefs: ['component:default/billing-service'],
      }),
    );
    await apply(
      testPlan({
        id: 'catalog-search',
        title: 'Search index rebuild',
        owner: 'group:default/readers',
        entityRefs: ['component:default/search-service'],
      }),
    );
    const get = async (query: string, who = as.owner) => {
      const res = await api().get(`/api/cutover/portfolio${query}`).set('authorization', who);
      return res;
    };
    const all = () => get('?owner=all').then(r => r.body);
    await until(all, b => b.totalCount === 3);
    return { ...started, knex, get, all };
  }

  it('lists every migration with its summary; owner defaults to the caller’s groups', async () => {
    const { get, api } = await setup();
    const everything = await get('?owner=all');
    expect(everything.status).toBe(200);
    expect(everything.body.owners).toBeNull();
    expect(everything.body.items.map((i: any) => i.migrationId).sort()).toEqual([
      'billing-ledger',
      'catalog-search',
      'orders-v2',
    ]);
    const orders = everything.body.items.find((i: any) => i.migrationId === 'orders-v2');
    // Readiness as the readiness route computes it.
    const readiness = (
      await api().get('/api/cutover/migrations/orders-v2/readiness').set('authorization', as.reader)
    ).body;
    expect(orders).toMatchObject({
      title: 'Orders database to PostgreSQL',
      owner: 'group:default/orders-team',
      entityRefs: ['component:default/orders-service'],
      status: 'PLANNED',
      overallProgress: 0,
      recommendation: readiness.recommendation,
      riskLevel: readiness.riskLevel,
      score: readiness.score,
      approvalStatus: readiness.approval.status,
      openAlerts: { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0 },
      worstDrift: null,
      nextMilestone: { name: 'UAT complete' },
      datasetCount: 2,
    });
    expect(Date.parse(orders.lastActivityAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(everything.body.counts.byStatus).toEqual({ PLANNED: 3 });
    const recommendations = Object.values(everything.body.counts.byRecommendation) as number[];
    expect(recommendations.reduce((a, b) => a + b, 0)).toBe(3);

    // Olivia belongs to orders-team: her default is her groups (and herself).
    const mine = await get('');
    expect(mine.body.owners).toEqual(
      expect.arrayContaining(['group:default/orders-team', 'user:default/olivia-owner']),
    );
    expect(mine.body.items.map((i: any) => i.migrationId)).toEqual(['orders-v2']);
    const bobs = await get('', as.otherTeam);
    expect(bobs.body.items.map((i: any) => i.migrationId)).toEqual(['billing-ledger']);
    // An explicit list of owners, without kind or namespace.
    const two = await get('?owner=billing-team,group:default/readers');
    expect(two.body.items.map((i: any) => i.migrationId).sort()).toEqual(['billing-ledger', 'catalog-search']);
    // By the entities a migration is annotated on (the system card asks for its components).
    const byEntity = await get('?owner=all&entityRefs=component:default/search-service,component:default/nothing');
    expect(byEntity.body.items.map((i: any) => i.migrationId)).toEqual(['catalog-search']);
  });

  it('leaves out what a conditional read decision does not allow, from the items and the counts', async () => {
    const { get } = await setup();
    const contractor = mockCredentials.user.header('user:default/carl-contractor');
    const seen = await get('?owner=all', contractor);
    expect(seen.status).toBe(200);
    expect(seen.body.items.map((i: any) => i.migrationId)).toEqual(['billing-ledger']);
    expect(seen.body.totalCount).toBe(1);
    expect(seen.body.counts.byStatus).toEqual({ PLANNED: 1 });
    // Asking for another team's migrations by owner does not get around it.
    const other = await get('?owner=orders-team', contractor);
    expect(other.body.items).toEqual([]);
    expect(other.body.totalCount).toBe(0);
  });

  it('follows changes: progress, alerts, status; archived migrations leave', async () => {
    const { get, api } = await setup();
    const m = '/api/cutover/migrations/orders-v2';
    const ingest = await api().post(`${m}/metrics`).set('authorization', as.job).send({
      samples: [
        { dataset: 'customers', at: minutesAgo(10), importedRecords: 100 },
        { dataset: 'customers', at: minutesAgo(1), importedRecords: 500 },
      ],
    });
    expect(ingest.status).toBe(200);
    const alert = await api().post(`${m}/alerts`).set('authorization', as.job).send({
      alertType: 'ERROR', severity: 'CRITICAL', title: 'Orders import failing', message: 'FK violations',
    });
    expect(alert.status).toBe(201);
    const orders = async () =>
      (await get('?owner=all')).body.items.find((i: any) => i.migrationId === 'orders-v2');
    const after = await until(orders, o => o.overallProgress > 0 && o.openAlerts.CRITICAL === 1);
    expect(after.status).toBe('IN_PROGRESS');
    // 500 of 5,000 records.
    expect(after.overallProgress).toBeCloseTo(10, 0);
    expect(after.estimatedCompletion).not.toBeNull();
    expect(typeof after.etaVarianceDays).toBe('number');
    const readiness = (await api().get(`${m}/readiness`).set('authorization', as.reader)).body;
    expect(after).toMatchObject({ recommendation: readiness.recommendation, riskLevel: readiness.riskLevel });

    // Filters.
    expect((await get('?owner=all&status=IN_PROGRESS')).body.items.map((i: any) => i.migrationId)).toEqual(['orders-v2']);
    expect((await get('?owner=all&status=PLANNED')).body.totalCount).toBe(2);
    const byRisk = await get(`?owner=all&risk=${after.riskLevel}`);
    expect(byRisk.body.items.map((i: any) => i.migrationId)).toContain('orders-v2');
    expect(byRisk.body.items.every((i: any) => i.riskLevel === after.riskLevel)).toBe(true);
    const byRec = await get(`?owner=all&recommendation=${after.recommendation}`);
    expect(byRec.body.items.every((i: any) => i.recommendation === after.recommendation)).toBe(true);

    await api().delete(`${m}`).set('authorization', as.owner).expect(204);
    await until(() => get('?owner=all').then(r => r.body), b => b.totalCount === 2);
  });

  it('sorts by risk by default, and pages', async () => {
    const { get } = await setup();
    const risky = await get('?owner=all');
    const rank = { LOW: 0, MEDIUM: 1, HIGH: 2, CRITICAL: 3 } as Record<string, number>;
    const ranks = risky.body.items.map((i: any) => rank[i.riskLevel]);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    const byTitle = await get('?owner=all&sort=title');
    expect(byTitle.body.items.map((i: any) => i.title)).toEqual([
      'Billing ledger to the new store',
      'Orders database to PostgreSQL',
      'Search index rebuild',
    ]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await get(`?owner=all&sort=title&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.body.totalCount).toBe(3);
      expect(res.body.counts.byStatus).toEqual({ PLANNED: 3 });
      seen.push(...res.body.items.map((i: any) => i.migrationId));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['billing-ledger', 'orders-v2', 'catalog-search']);
  });

  it('refuses bad filters with a 400 naming them', async () => {
    const { get } = await setup();
    for (const [query, field] of [
      ['?owner=not a ref', 'owner'],
      ['?sort=newest', 'sort'],
      ['?risk=SEVERE', 'risk'],
      ['?recommendation=MAYBE', 'recommendation'],
      ['?limit=0', 'limit'],
      ['?entityRefs=,,,', 'entityRefs'],
      ['?cursor=@@', 'cursor'],
      ['?color=red', 'color'],
    ]) {
      const res = await get(query);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(field);
    }
    const anonymous = await get('?owner=all', '');
    expect(anonymous.status).toBe(401);
  });

  it('rebuilds missing summaries on its scheduled task', async () => {
    const { knex, scheduler, all } = await setup();
    await knex('cutover_migration_summaries').delete();
    expect((await all()).totalCount).toBe(0);
    await scheduler.triggerTask('cutover-portfolio-refresh');
    const rebuilt = await until(all, b => b.totalCount === 3);
    expect(rebuilt.items.map((i: any) => i.migrationId).sort()).toEqual([
      'billing-ledger',
      'catalog-search',
      'orders-v2',
    ]);
  });
});
