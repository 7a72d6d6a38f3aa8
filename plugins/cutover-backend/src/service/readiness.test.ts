import { cutoverTestDatabases } from '../__testUtils__/databases';
import { as, startCutoverBackend, testPlan } from '../__testUtils__/backend';

jest.setTimeout(60_000);

const databases = cutoverTestDatabases();
const MANUAL = [
  'DQ004',
  'DQ005',
  'SR001',
  'SR002',
  'SR003',
  'SR004',
  'UR001',
  'UR002',
  'UR003',
  'TEST001',
  'TEST002',
  'TEST003',
  'POST001',
  'POST002',
];

describe.each(databases.eachSupportedId())(
  'readiness and approvals on %s',
  databaseId => {
    async function setup(
      config: Record<string, unknown> = {},
      plan = testPlan(),
    ) {
      const knex = await databases.init(databaseId);
      const started = await startCutoverBackend({
        knex,
        config: { cutover: config },
      });
      const { api } = started;
      await api()
        .put('/api/cutover/migrations/orders-v2')
        .set('authorization', as.job)
        .send(plan);
      const m = '/api/cutover/migrations/orders-v2';
      const readiness = async () =>
        (await api().get(`${m}/readiness`).set('authorization', as.reader))
          .body;
      const report = (samples: object[]) =>
        api()
          .post(`${m}/metrics`)
          .set('authorization', as.job)
          .send({ samples });
      const mark = (id: string, status: string, who = as.owner) =>
        api()
          .patch(`${m}/checklist/${id}`)
          .set('authorization', who)
          .send({ status, notes: `${id} checked` });
      /** Everything green: data complete with high quality, every manual item passed. */
      const makeReady = async () => {
        await report([
          {
            dataset: 'customers',
            importedRecords: 1000,
            completeness: 98,
            validity: 96,
            consistency: 99,
            accuracy: 97,
          },
          {
            dataset: 'orders',
            importedRecords: 4000,
            completeness: 98,
            validity: 96,
            consistency: 99,
            accuracy: 97,
          },
        ]);
        for (const id of MANUAL)
          expect((await mark(id, 'PASS')).status).toBe(200);
      };
      const request = (who = as.owner) =>
        api()
          .post(`${m}/approval-requests`)
          .set('authorization', who)
          .send({ comments: 'Ready for the weekend' });
      const decide = (who: string, body: object) =>
        api().post(`${m}/approvals`).set('authorization', who).send(body);
      return {
        ...started,
        m,
        readiness,
        report,
        mark,
        makeReady,
        request,
        decide,
      };
    }

    it('seeds the standard checklist and decides data items from the figures, saying from what', async () => {
      const { api, m, report } = await setup();
      const list = (
        await api().get(`${m}/checklist`).set('authorization', as.reader)
      ).body;
      expect(list.categories.map((c: any) => c.category)).toEqual([
        'Data quality',
        'System readiness',
        'User readiness',
        'Testing',
      ]);
      expect(list.summary).toMatchObject({
        total: 17,
        passed: 0,
        failed: 1,
        notTested: 16,
        requiredOpen: 15,
      });
      const dq = Object.fromEntries(
        list.categories[0].items.map((i: any) => [i.id, i]),
      );
      expect(dq.DQ001).toMatchObject({
        automated: true,
        status: 'FAIL',
        evidence: 'customers at 0.0%',
      });
      expect(dq.DQ002).toMatchObject({
        automated: true,
        status: 'NOT_TESTED',
        evidence: 'no quality figures reported yet',
      });
      expect(dq.DQ004).toMatchObject({
        automated: false,
        status: 'NOT_TESTED',
      });

      await report([
        {
          dataset: 'customers',
          importedRecords: 1000,
          validity: 80,
          errors: { critical: 4 },
        },
      ]);
      const after = (
        await api().get(`${m}/checklist`).set('authorization', as.reader)
      ).body.categories[0].items;
      expect(after.find((i: any) => i.id === 'DQ001')).toMatchObject({
        status: 'PASS',
        evidence: 'all 1 tier 1 datasets imported',
      });
      expect(after.find((i: any) => i.id === 'DQ002')).toMatchObject({
        status: 'FAIL',
        evidence: 'quality score 80 (threshold 85)',
      });
      expect(after.find((i: any) => i.id === 'DQ003')).toMatchObject({
        status: 'FAIL',
        evidence: '4 critical validation errors reported',
      });

      const manual = await api()
        .patch(`${m}/checklist/DQ003`)
        .set('authorization', as.owner)
        .send({ status: 'PASS' });
      expect(manual.status).toBe(409);
      expect(manual.body.error.message).toMatch(
        /decided from the migration's data/,
      );
    });

    it('records manual results with who, when and notes; refuses stale edits and strangers', async () => {
      const { api, m, mark } = await setup();
      const res = await mark('SR002', 'PASS');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: 'SR002',
        status: 'PASS',
        notes: 'SR002 checked',
        updatedBy: 'user:default/olivia-owner',
        version: 1,
        updatedAt: expect.any(String),
      });
      const stale = await api()
        .patch(`${m}/checklist/SR002`)
        .set('authorization', as.owner2)
        .send({ status: 'FAIL', version: 0 });
      expect(stale.status).toBe(409);
      expect((await mark('SR002', 'FAIL', as.otherTeam)).status).toBe(403);
      expect((await mark('NOPE', 'PASS')).status).toBe(404);
      const bad = await api()
        .patch(`${m}/checklist/SR002`)
        .set('authorization', as.owner)
        .send({ status: 'MAYBE' });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/status/);

      const custom = await api()
        .post(`${m}/checklist`)
        .set('authorization', as.owner)
        .send({
          id: 'OPS001',
          category: 'Operations',
          title: 'On-call rota staffed',
        });
      expect(custom.status).toBe(201);
      expect(custom.body).toMatchObject({
        id: 'OPS001',
        custom: true,
        required: true,
        status: 'NOT_TESTED',
      });
      expect(
        (
          await api()
            .post(`${m}/checklist`)
            .set('authorization', as.owner)
            .send({ id: 'OPS001', category: 'x', title: 'y' })
        ).status,
      ).toBe(409);
    });

    it('recommends GO only when data and checklist are ready', async () => {
      const { readiness, makeReady, mark } = await setup();
      const before = await readiness();
      expect(before).toMatchObject({
        ready: false,
        recommendation: 'NO_GO',
        riskLevel: 'CRITICAL',
        approval: { status: 'NONE' },
      });
      expect(before.blockers[0].message).toMatch(/^DQ001/);
      await makeReady();
      expect(await readiness()).toMatchObject({
        ready: true,
        recommendation: 'GO',
        riskLevel: 'LOW',
        score: 99,
        blockers: [],
      });
      await mark('SR002', 'FAIL');
      expect(await readiness()).toMatchObject({
        recommendation: 'NO_GO',
        riskLevel: 'CRITICAL',
      });
    });

    it('approves with separation of duties and notifies approvers and owner', async () => {
      const { makeReady, request, decide, readiness, notifications } =
        await setup();
      await makeReady();
      const req = await request();
      expect(req.status).toBe(201);
      expect((await request()).status).toBe(409);
      expect(notifications.at(-1)).toEqual({
        recipients: {
          type: 'entity',
          entityRef: ['group:default/cutover-approvers'],
        },
        payload: expect.objectContaining({
          title: 'Cutover approval requested: Orders database to PostgreSQL',
          link: '/catalog/default/component/orders-service/readiness',
          topic: 'cutover:orders-v2',
          severity: 'high',
        }),
      });
      expect((await readiness()).approval).toMatchObject({
        status: 'PENDING',
        required: 1,
        granted: 0,
      });

      // Owners and service tokens cannot decide; an approver can.
      expect((await decide(as.owner2, { decision: 'APPROVED' })).status).toBe(
        403,
      );
      expect((await decide(as.job, { decision: 'APPROVED' })).status).toBe(403);
      const ok = await decide(as.approver, {
        decision: 'APPROVED',
        comments: 'Looks good',
      });
      expect(ok.status).toBe(201);
      expect(ok.body).toMatchObject({
        decision: 'APPROVED',
        approver: 'user:default/alice-approver',
        recommendation: 'GO',
        score: 99,
        expired: false,
        stale: false,
      });
      expect((await readiness()).approval).toMatchObject({
        status: 'APPROVED',
        granted: 1,
        request: { status: 'APPROVED' },
      });
      expect(notifications.at(-1)).toMatchObject({
        recipients: {
          type: 'entity',
          entityRef: ['group:default/orders-team'],
        },
        payload: {
          title:
            'Cutover approved by user:default/alice-approver: Orders database to PostgreSQL',
        },
      });
    });

    it('refuses self-approval unless configured', async () => {
      // The owning team also approves: only separation of duties stands between a member and
      // approving their own request.
      const selfApproving = testPlan({
        approvers: 'group:default/orders-team',
      });
      const strict = await setup({}, selfApproving);
      await strict.makeReady();
      expect((await strict.request(as.owner)).status).toBe(201);
      const self = await strict.decide(as.owner, { decision: 'APPROVED' });
      expect(self.status).toBe(409);
      expect(self.body.error.message).toMatch(/Separation of duties/);
      // Another member of the owning team is no better: membership comes from the catalog.
      const colleague = await strict.decide(as.owner2, {
        decision: 'APPROVED',
      });
      expect(colleague.status).toBe(409);
      expect(colleague.body.error.message).toBe(
        'Separation of duties: user:default/oscar-owner belongs to group:default/orders-team, which owns migration "orders-v2"; an approval must come from someone outside the owning team',
      );

      const lax = await setup(
        { approvals: { allowSelfApproval: true } },
        selfApproving,
      );
      await lax.makeReady();
      await lax.request(as.owner);
      expect(
        (await lax.decide(as.owner, { decision: 'APPROVED' })).status,
      ).toBe(201);
    });

    it('needs a quorum, and any rejection blocks', async () => {
      const { makeReady, request, decide, readiness } = await setup({
        approvals: { required: 2 },
      });
      await makeReady();
      await request();
      await decide(as.approver, {
        decision: 'CONDITIONAL',
        conditions: ['Cut over outside business hours'],
      });
      expect((await readiness()).approval).toMatchObject({
        status: 'PENDING',
        granted: 1,
        required: 2,
      });
      expect((await decide(as.approver, { decision: 'APPROVED' })).status).toBe(
        409,
      );
      const reject = await decide(as.approver2, {
        decision: 'REJECTED',
        comments: 'Support plan is thin',
      });
      expect(reject.status).toBe(201);
      expect((await readiness()).approval).toMatchObject({
        status: 'REJECTED',
        request: { status: 'REJECTED' },
      });
      const noComment = await decide(as.approver2, { decision: 'REJECTED' });
      expect(noComment.status).toBe(400);
    });

    it('refuses to approve NO_GO unless an override is allowed and explained', async () => {
      const strict = await setup();
      await strict.request();
      const refused = await strict.decide(as.approver, {
        decision: 'APPROVED',
      });
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toMatch(/NO_GO/);
      expect(
        (
          await strict.decide(as.approver, {
            decision: 'REJECTED',
            comments: 'Not ready',
          })
        ).status,
      ).toBe(201);

      const lax = await setup({ approvals: { allowNoGoOverride: true } });
      await lax.request();
      expect(
        (await lax.decide(as.approver, { decision: 'APPROVED' })).status,
      ).toBe(400);
      const overridden = await lax.decide(as.approver, {
        decision: 'APPROVED',
        overrideReason: 'Legacy licence ends Friday',
      });
      expect(overridden.status).toBe(201);
      expect(overridden.body).toMatchObject({
        recommendation: 'NO_GO',
        overrideReason: 'Legacy licence ends Friday',
      });
    });

    it('turns an approval stale when readiness falls, and lets it be revoked with a reason', async () => {
      const { api, m, makeReady, request, decide, readiness, mark } =
        await setup();
      await makeReady();
      await request();
      const approval = (await decide(as.approver, { decision: 'APPROVED' }))
        .body;
      await mark('UR001', 'NOT_TESTED');
      const r = await readiness();
      expect(r.approval.status).toBe('STALE');
      expect(r.approval.approvals[0]).toMatchObject({ stale: true });
      expect(r.warnings).toContain(
        'The approval is stale: readiness fell from GO (99) to GO_WITH_CAUTION (95); request a new one',
      );

      expect(
        (
          await api()
            .post(`${m}/approvals/${approval.id}/revoke`)
            .set('authorization', as.approver)
            .send({})
        ).status,
      ).toBe(400);
      const revoked = await api()
        .post(`${m}/approvals/${approval.id}/revoke`)
        .set('authorization', as.approver)
        .send({ reason: 'Training slipped' });
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({
        revokedBy: 'user:default/alice-approver',
        revokeReason: 'Training slipped',
      });
      expect((await readiness()).approval).toMatchObject({
        status: 'PENDING',
        request: { status: 'OPEN' },
      });
      expect(
        (
          await api()
            .post(`${m}/approvals/${approval.id}/revoke`)
            .set('authorization', as.approver)
            .send({ reason: 'again' })
        ).status,
      ).toBe(409);

      const history = (
        await api().get(`${m}/approvals`).set('authorization', as.reader)
      ).body;
      expect(history.items).toHaveLength(1);
      const events = (
        await api().get(`${m}/audit`).set('authorization', as.reader)
      ).body.items;
      const audit = events
        .filter((e: any) => e.outcome === 'success')
        .map((e: any) => e.action);
      expect(audit.slice(0, 4)).toEqual([
        'approval.revoke',
        'checklist.update',
        'approval.approved',
        'approval.request',
      ]);
      // The second revocation was refused (409): recorded as a failure, at the severity of approvals.
      expect(events[0]).toMatchObject({
        action: 'approval.revoke',
        outcome: 'failure',
        severity: 'high',
        actor: 'user:default/alice-approver',
      });
    });

    it('expires approvals after the configured time', async () => {
      const { makeReady, request, decide, readiness } = await setup({
        approvals: { expiresAfter: { seconds: 1 } },
      });
      await makeReady();
      await request();
      await decide(as.approver, { decision: 'APPROVED' });
      expect((await readiness()).approval.status).toBe('APPROVED');
      await new Promise(r => setTimeout(r, 1200));
      const r = await readiness();
      expect(r.approval.status).toBe('EXPIRED');
      expect(r.approval.approvals[0].expired).toBe(true);
    });
  },
);
