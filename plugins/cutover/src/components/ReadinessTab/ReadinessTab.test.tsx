import { registerMswTestHooks } from '@backstage/test-utils';
import { Approval, ApprovalHistory, Checklist, Readiness } from '@switchyard/plugin-cutover-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { BASE, renderEntityTab } from '../../__testUtils__/render';
import { ReadinessTab } from './ReadinessTab';

// No decisions yet, unless a test serves its own history.
const server = setupServer(
  http.get(`${BASE}/migrations/:id/approvals`, () =>
    HttpResponse.json({
      requests: [], items: [], totalCount: 0, nextCursor: null,
      state: { status: 'NONE', request: null, approvals: [], required: 1, granted: 0, conditions: [] },
    } satisfies ApprovalHistory),
  ),
);
registerMswTestHooks(server);

function readiness(over: Partial<Readiness> = {}): Readiness {
  return {
    ready: false,
    score: 47,
    recommendation: 'NO_GO',
    riskLevel: 'CRITICAL',
    qualityScore: 91.5,
    blockers: [
      { severity: 'CRITICAL', source: 'CHECKLIST', itemId: 'DQ003', message: 'DQ003: No critical validation errors remain (4 critical validation errors reported)' },
      { severity: 'HIGH', source: 'CHECKLIST', itemId: 'SR002', message: 'SR002: All integrations tested and functional is not tested yet' },
    ],
    warnings: ['POST002: Load testing completed is not tested (recommended)'],
    mitigations: ['DQ003: Resolve or explicitly accept every critical validation error; re-validate.'],
    approval: { status: 'NONE', request: null, approvals: [], required: 1, granted: 0, conditions: [] },
    cutoverGate: { open: true, approval: [], datasets: [] },
    evaluatedAt: new Date().toISOString(),
    ...over,
  };
}

const checklist: Checklist = {
  template: 'standard',
  summary: { total: 2, passed: 0, failed: 1, notTested: 1, requiredOpen: 2 },
  categories: [
    {
      category: 'Data quality',
      items: [{
        id: 'DQ003', category: 'Data quality', title: 'No critical validation errors remain', description: null,
        required: true, automated: true, status: 'FAIL', evidence: '4 critical validation errors reported', notes: null,
        updatedBy: 'switchyard', updatedAt: new Date().toISOString(), version: 0, custom: false,
      }],
    },
    {
      category: 'System readiness',
      items: [{
        id: 'SR002', category: 'System readiness', title: 'All integrations tested and functional', description: null,
        required: true, automated: false, status: 'NOT_TESTED', evidence: null, notes: null,
        updatedBy: null, updatedAt: null, version: 3, custom: false,
      }],
    },
  ],
};

describe('ReadinessTab', () => {
  it('shows the verdict, score, blockers and the checklist with what automatic items were decided from', async () => {
    server.use(
      http.get(`${BASE}/migrations/orders-v2/readiness`, () => HttpResponse.json(readiness())),
      http.get(`${BASE}/migrations/orders-v2/checklist`, () => HttpResponse.json(checklist)),
    );
    await renderEntityTab(<ReadinessTab />);
    expect(await screen.findByTestId('recommendation')).toHaveTextContent('NO-GO');
    expect(screen.getByTestId('readiness-score')).toHaveTextContent('47');
    expect(screen.getByText('Risk: CRITICAL')).toBeInTheDocument();
    expect(screen.getByText('Blockers (2)')).toBeInTheDocument();
    expect(screen.getByTestId('blockers')).toHaveTextContent('DQ003: No critical validation errors remain');
    const dq3 = screen.getByTestId('checklist-DQ003');
    expect(within(dq3).getByText('FAIL')).toBeInTheDocument();
    expect(within(dq3).getByText('4 critical validation errors reported')).toBeInTheDocument();
    expect(within(dq3).getByText(/automatic/)).toBeInTheDocument();
    // Without permissions: no edit, request or decide buttons.
    expect(screen.queryByRole('button', { name: /edit/i })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /request approval/i })).not.toBeInTheDocument();
  });

  it('shows the cutover gate per dataset, each blocker linking to the tab where it is fixed', async () => {
    const drift = {
      severity: 'CRITICAL' as const, source: 'RECONCILIATION' as const, dataset: 'orders', ref: 'run-1',
      fixIn: 'cutover#reconciliation' as const,
      message: 'Drift on orders is at CRITICAL: 0.15% of rows differ (latest reconciliation, today); repair the rows and reconcile again',
    };
    const freeze = {
      severity: 'HIGH' as const, source: 'FREEZE_WINDOW' as const, ref: 'w-1', fixIn: 'cutover#freeze-windows' as const,
      message: 'Freeze window "Orders freeze" is active on orders until tomorrow and forbids read-source switches; complete it or wait',
    };
    const alert = {
      severity: 'HIGH' as const, source: 'ALERT' as const, ref: 'a-1', fixIn: 'migration#alerts' as const,
      message: 'Open HIGH alert: Replication lag; resolve it',
    };
    const approval = {
      severity: 'HIGH' as const, source: 'APPROVAL' as const, fixIn: 'readiness#approval' as const,
      message: 'No approval has been requested',
    };
    const gated = readiness({
      blockers: [drift, freeze, alert],
      cutoverGate: {
        open: false,
        approval: [approval],
        datasets: [
          { dataset: 'customers', cutoverState: 'READY', readSource: 'DUAL', rollout: { source: 'NEW', percent: 20 }, driftLevel: 'OK', open: false, blockers: [alert, approval] },
          { dataset: 'orders', cutoverState: 'PENDING', readSource: 'LEGACY', rollout: null, driftLevel: 'CRITICAL', open: false, blockers: [drift, freeze, alert, approval] },
          { dataset: 'payments', cutoverState: 'COMPLETED', readSource: 'NEW', rollout: null, driftLevel: null, open: true, blockers: [] },
        ],
      },
    });
    server.use(
      http.get(`${BASE}/migrations/gt-1/readiness`, () => HttpResponse.json(gated)),
      http.get(`${BASE}/migrations/gt-1/checklist`, () => HttpResponse.json(checklist)),
    );
    await renderEntityTab(<ReadinessTab />, {
      annotation: 'gt-1',
      route: '/catalog/default/component/orders-service/readiness',
    });
    const orders = await screen.findByTestId('gate-orders', {}, { timeout: 5000 });
    expect(orders).toHaveTextContent('CRITICAL');
    const link = (row: HTMLElement, source: string) =>
      within(within(row).getByTestId(`gate-blocker-${row.dataset.testid!.slice(5)}-${source}`)).getByTestId('gate-fix-link');
    expect(within(orders).getByText(/Drift on orders is at CRITICAL/)).toBeInTheDocument();
    expect(link(orders, 'RECONCILIATION')).toHaveAttribute('href', '/catalog/default/component/orders-service/cutover#reconciliation');
    expect(link(orders, 'RECONCILIATION')).toHaveTextContent('Fix in the Cutover tab, reconciliation');
    expect(link(orders, 'FREEZE_WINDOW')).toHaveAttribute('href', '/catalog/default/component/orders-service/cutover#freeze-windows');
    expect(link(orders, 'ALERT')).toHaveAttribute('href', '/catalog/default/component/orders-service/migration#alerts');
    expect(link(orders, 'APPROVAL')).toHaveAttribute('href', '/catalog/default/component/orders-service/readiness#approval');
    const customers = screen.getByTestId('gate-customers');
    expect(customers).toHaveTextContent('DUAL (NEW for 20%)');
    expect(within(customers).queryByText(/Drift on orders/)).not.toBeInTheDocument();
    expect(within(screen.getByTestId('gate-payments')).getByText('Open')).toBeInTheDocument();
  });

  it('lists the blockers that stand before every dataset once, above the table', async () => {
    const approval = {
      severity: 'HIGH' as const, source: 'APPROVAL' as const, fixIn: 'readiness#approval' as const,
      message: 'Approval is pending: 0 of 1 approval(s) from group:default/cutover-approvers',
    };
    const drift = {
      severity: 'HIGH' as const, source: 'RECONCILIATION' as const, dataset: 'orders', ref: 'run-2',
      fixIn: 'cutover#reconciliation' as const, message: 'Drift on orders is at WARNING',
    };
    server.use(
      http.get(`${BASE}/migrations/gt-2/readiness`, () => HttpResponse.json(readiness({
        cutoverGate: {
          open: false,
          approval: [approval],
          datasets: [
            { dataset: 'customers', cutoverState: 'READY', readSource: 'LEGACY', rollout: null, driftLevel: 'OK', open: false, blockers: [approval] },
            { dataset: 'orders', cutoverState: 'READY', readSource: 'LEGACY', rollout: null, driftLevel: 'WARNING', open: false, blockers: [drift, approval] },
          ],
        },
      }))),
      http.get(`${BASE}/migrations/gt-2/checklist`, () => HttpResponse.json(checklist)),
    );
    await renderEntityTab(<ReadinessTab />, { annotation: 'gt-2' });
    const all = await screen.findByTestId('gate-all', {}, { timeout: 5000 });
    expect(all).toHaveTextContent('Before every dataset (1)');
    expect(within(all).getByTestId('gate-blocker-all-APPROVAL')).toHaveTextContent('Approval is pending: 0 of 1');
    expect(within(screen.getByTestId('gate-customers')).getByText('Only the blockers before every dataset')).toBeInTheDocument();
    const orders = screen.getByTestId('gate-orders');
    expect(within(orders).getByText('Drift on orders is at WARNING')).toBeInTheDocument();
    expect(within(orders).queryByText(/Approval is pending/)).not.toBeInTheDocument();
  });

  it('lets a permitted user record a manual result, sending the version they edited', async () => {
    let patched: any;
    server.use(
      http.get(`${BASE}/migrations/ro-1/readiness`, () => HttpResponse.json(readiness())),
      http.get(`${BASE}/migrations/ro-1/checklist`, () => HttpResponse.json(checklist)),
      http.patch(`${BASE}/migrations/ro-1/checklist/SR002`, async ({ request }) => {
        patched = await request.json();
        return HttpResponse.json({ ...checklist.categories[1].items[0], status: 'PASS', version: 4 });
      }),
    );
    await renderEntityTab(<ReadinessTab />, { annotation: 'ro-1', allow: name => name === 'cutover.checklist.update' });
    fireEvent.click(await screen.findByRole('button', { name: 'Edit SR002' }, { timeout: 5000 }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.mouseDown(within(dialog).getByLabelText('Result'));
    fireEvent.click(await screen.findByRole('option', { name: 'Pass' }));
    fireEvent.change(within(dialog).getByLabelText(/Notes/), { target: { value: 'Contract tests green' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(patched).toEqual({ status: 'PASS', notes: 'Contract tests green', version: 3 }));
  });

  it('shows approve and reject only to approvers, and records a conditional approval', async () => {
    let decided: any;
    const pending = readiness({
      recommendation: 'GO_WITH_CAUTION', riskLevel: 'MEDIUM', score: 80,
      approval: {
        status: 'PENDING', required: 1, granted: 0, conditions: [], approvals: [],
        request: { id: 'r1', requestedBy: 'user:default/olivia', requestedAt: new Date().toISOString(), comments: 'Saturday cutover', status: 'OPEN', closedAt: null },
      },
    });
    server.use(
      http.get(`${BASE}/migrations/ro-2/readiness`, () => HttpResponse.json(pending)),
      http.get(`${BASE}/migrations/ro-2/checklist`, () => HttpResponse.json(checklist)),
      http.post(`${BASE}/migrations/ro-2/approvals`, async ({ request }) => {
        decided = await request.json();
        return HttpResponse.json({}, { status: 201 });
      }),
    );
    await renderEntityTab(<ReadinessTab />, { annotation: 'ro-2', allow: name => name === 'cutover.approval.decide' });
    expect(await screen.findByTestId('approval-status')).toHaveTextContent('Waiting for approvers');
    expect(screen.getByText(/Requested by olivia/)).toHaveTextContent('Saturday cutover');
    fireEvent.click(await screen.findByRole('button', { name: 'Approve with conditions' }, { timeout: 5000 }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/Conditions/), { target: { value: 'Outside business hours\nRollback rehearsed' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    await waitFor(() =>
      expect(decided).toEqual({ decision: 'CONDITIONAL', conditions: ['Outside business hours', 'Rollback rehearsed'] }),
    );
    expect(screen.queryByRole('button', { name: /request approval/i })).not.toBeInTheDocument();
  });

  it('shows why a decision was refused', async () => {
    server.use(
      http.get(`${BASE}/migrations/ro-3/readiness`, () =>
        HttpResponse.json(readiness({ approval: { ...readiness().approval, status: 'PENDING', request: { id: 'r', requestedBy: 'user:default/a', requestedAt: new Date().toISOString(), comments: null, status: 'OPEN', closedAt: null } } })),
      ),
      http.get(`${BASE}/migrations/ro-3/checklist`, () => HttpResponse.json(checklist)),
      http.post(`${BASE}/migrations/ro-3/approvals`, () =>
        HttpResponse.json(
          { error: { name: 'ConflictError', message: 'Readiness is NO_GO; it cannot be approved' }, request: { method: 'POST', url: '/' }, response: { statusCode: 409 } },
          { status: 409 },
        ),
      ),
    );
    await renderEntityTab(<ReadinessTab />, { annotation: 'ro-3', allow: true });
    fireEvent.click(await screen.findByRole('button', { name: 'Approve' }, { timeout: 5000 }));
    fireEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Confirm' }));
    expect(await screen.findByText('Readiness is NO_GO; it cannot be approved')).toBeInTheDocument();
  });
  it('adds a custom checklist item for those who may update the migration', async () => {
    let added: any;
    server.use(
      http.get(`${BASE}/migrations/orders-v2/readiness`, () => HttpResponse.json(readiness())),
      http.get(`${BASE}/migrations/orders-v2/checklist`, () => HttpResponse.json(checklist)),
      http.post(`${BASE}/migrations/orders-v2/checklist`, async ({ request }) => {
        added = await request.json();
        return HttpResponse.json({}, { status: 201 });
      }),
    );
    await renderEntityTab(<ReadinessTab />, { allow: true });
    fireEvent.click(await screen.findByRole('button', { name: 'Add checklist item' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('button', { name: 'Add item' })).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText('Category'), { target: { value: 'Operations' } });
    fireEvent.change(within(dialog).getByLabelText('Title'), { target: { value: 'On-call rota staffed' } });
    fireEvent.change(within(dialog).getByLabelText('Id (optional, e.g. OPS001)'), { target: { value: 'ops001' } });
    fireEvent.click(within(dialog).getByLabelText('Required for cutover'));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add item' }));
    await waitFor(() =>
      expect(added).toEqual({ category: 'Operations', title: 'On-call rota staffed', required: false, id: 'OPS001' }),
    );
  });

  it('offers no "Add checklist item" to readers', async () => {
    // Its own migration id: permission answers are cached per resource across tests.
    server.use(
      http.get(`${BASE}/migrations/ro-4/readiness`, () => HttpResponse.json(readiness())),
      http.get(`${BASE}/migrations/ro-4/checklist`, () => HttpResponse.json(checklist)),
    );
    await renderEntityTab(<ReadinessTab />, { annotation: 'ro-4' });
    expect(await screen.findByText('DQ003')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Add checklist item' })).not.toBeInTheDocument();
  });

  it('lists every approval decision, following nextCursor, in a paged, searchable, sortable table; revoke only on the open request', async () => {
    const at = (hours: number) => new Date(Date.now() - hours * 3600_000).toISOString();
    const current = { id: 'r2', requestedBy: 'user:default/olivia', requestedAt: at(2), comments: null, status: 'OPEN' as const, closedAt: null };
    const earlier = { id: 'r1', requestedBy: 'user:default/olivia', requestedAt: at(100), comments: null, status: 'APPROVED' as const, closedAt: at(90) };
    const decision = (i: number, over: Partial<Approval> = {}): Approval => ({
      id: `d${i}`, requestId: i < 2 ? 'r2' : 'r1', decision: 'APPROVED', approver: `user:default/approver-${i}`,
      comments: i === 13 ? 'The first decision ever made' : `Decision ${i}`, conditions: [], recommendation: 'GO', riskLevel: 'LOW',
      score: 90 - i, decidedAt: at(i + 1), expiresAt: null, overrideReason: null, revokedAt: null, revokedBy: null,
      revokeReason: null, expired: false, stale: false, ...over,
    });
    // 14 decisions, newest first: the current request's two, then the earlier request's; 10 a page.
    const decisions = Array.from({ length: 14 }, (_, i) =>
      decision(i, i === 1 ? { decision: 'REJECTED', revokedAt: at(1), revokedBy: 'user:default/approver-1', revokeReason: 'Misread the drift' } : {}),
    );
    const state = { status: 'PENDING' as const, request: current, approvals: decisions.slice(0, 2), required: 2, granted: 1, conditions: [] };
    const cursors: Array<string | null> = [];
    let revoked: { id: string; body: any } | undefined;
    server.use(
      http.get(`${BASE}/migrations/ap-1/readiness`, () => HttpResponse.json(readiness({ recommendation: 'GO', riskLevel: 'LOW', score: 90, approval: state }))),
      http.get(`${BASE}/migrations/ap-1/checklist`, () => HttpResponse.json(checklist)),
      http.get(`${BASE}/migrations/ap-1/approvals`, ({ request }) => {
        const cursor = new URL(request.url).searchParams.get('cursor');
        cursors.push(cursor);
        const page: ApprovalHistory = cursor === 'p2'
          ? { requests: [current, earlier], items: decisions.slice(10), totalCount: 14, nextCursor: null, state }
          : { requests: [current, earlier], items: decisions.slice(0, 10), totalCount: 14, nextCursor: 'p2', state };
        return HttpResponse.json(page);
      }),
      http.post(`${BASE}/migrations/ap-1/approvals/:approvalId/revoke`, async ({ request, params }) => {
        revoked = { id: String(params.approvalId), body: await request.json() };
        return HttpResponse.json(decisions[0]);
      }),
    );
    await renderEntityTab(<ReadinessTab />, { annotation: 'ap-1', allow: name => name === 'cutover.approval.decide' });
    expect(await screen.findByText('Approval history (14)')).toBeInTheDocument();
    expect(cursors.slice(0, 2)).toEqual([null, 'p2']);

    // Newest first, ten a page; the decision of the earlier request that came with the second page
    // is on the table's second page.
    expect(screen.getByTestId('approval-d0')).toHaveTextContent('APPROVED · approver-0');
    expect(screen.getByTestId('approval-d1')).toHaveTextContent('REJECTED (revoked) · approver-1');
    expect(screen.getByTestId('approval-d1')).toHaveTextContent('Revoked by approver-1: Misread the drift');
    expect(screen.getByTestId('approval-d0')).toHaveTextContent('current');
    expect(screen.getByTestId('approval-d5')).toHaveTextContent(/earlier/);
    expect(screen.queryByTestId('approval-d13')).not.toBeInTheDocument();
    fireEvent.click(screen.getAllByRole('button', { name: 'Next Page' })[0]);
    expect(await screen.findByTestId('approval-d13')).toBeInTheDocument();
    expect(screen.queryByTestId('approval-d0')).not.toBeInTheDocument();
    fireEvent.click(screen.getAllByRole('button', { name: 'Previous Page' })[0]);
    expect(await screen.findByTestId('approval-d0')).toBeInTheDocument();

    // Search in comments.
    const search = screen.getByPlaceholderText('Filter');
    fireEvent.change(search, { target: { value: 'first decision ever' } });
    await waitFor(() => expect(screen.getByTestId('approval-d13')).toBeInTheDocument());
    expect(screen.queryByTestId('approval-d0')).not.toBeInTheDocument();
    fireEvent.change(search, { target: { value: '' } });
    await waitFor(() => expect(screen.getByTestId('approval-d0')).toBeInTheDocument());

    // Sorting by when decided (newest first to start with) turns to oldest first, and back.
    const decided = screen.getByRole('button', { name: 'Decided' });
    for (let i = 0; i < 2 && !screen.queryByTestId('approval-d13'); i++) fireEvent.click(decided);
    await waitFor(() => expect(screen.getByTestId('approval-d13')).toBeInTheDocument());
    expect(screen.queryByTestId('approval-d0')).not.toBeInTheDocument();
    for (let i = 0; i < 2 && !screen.queryByTestId('approval-d0'); i++) fireEvent.click(decided);
    await waitFor(() => expect(screen.getByTestId('approval-d0')).toBeInTheDocument());

    // Revoke: a live decision on the open request only.
    expect(within(screen.getByTestId('approval-d1')).queryByRole('button', { name: 'Revoke' })).not.toBeInTheDocument();
    expect(within(screen.getByTestId('approval-d5')).queryByRole('button', { name: 'Revoke' })).not.toBeInTheDocument();
    const loads = cursors.length;
    fireEvent.click(within(screen.getByTestId('approval-d0')).getByRole('button', { name: 'Revoke' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent("Revoke approver-0's approved decision");
    fireEvent.change(within(dialog).getByLabelText('Reason (required)'), { target: { value: 'Drift came back' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(revoked).toEqual({ id: 'd0', body: { reason: 'Drift came back' } }));
    // The history is loaded again, from its first page.
    await waitFor(() => expect(cursors.slice(loads, loads + 2)).toEqual([null, 'p2']));
  });
});
