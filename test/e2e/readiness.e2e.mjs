// A migration gets ready, its job asks for cutover approval, and an approver approves it on the
// Readiness tab; the jobs' token itself can never decide.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  api,
  examplePlan,
  launch,
  open,
  openTab,
  screenshot,
} from './browser.mjs';

test('an approver approves a ready migration on the Readiness tab', async t => {
  // The example plan, with the owning team as its approvers so the portal's guest may decide.
  const original = examplePlan();
  const plan = examplePlan();
  plan.approvers = 'group:default/orders-team';
  // Without connections, DQ004 / DQ005 / SR003 are recorded by people (with them, reconciliation
  // of the demo data decides them, and the demo job's rejected rows make DQ005 fail).
  delete plan.source;
  delete plan.destination;
  const totals = {
    products: 800,
    customers: 6000,
    orders: 24000,
    order_items: 60000,
  };
  plan.datasets.forEach(d => (d.totalRecords = totals[d.name]));
  assert.equal((await api('PUT', '/migrations/orders-v2', plan)).status, 200);
  const quality = {
    completeness: 99,
    validity: 97,
    consistency: 99,
    accuracy: 98,
    errors: { critical: 0 },
  };
  const samples = Object.entries(totals).map(([dataset, n]) => ({
    dataset,
    importedRecords: n,
    ...quality,
  }));
  assert.equal(
    (await api('POST', '/migrations/orders-v2/metrics', { samples })).status,
    200,
  );
  const checklist = (await api('GET', '/migrations/orders-v2/checklist')).body;
  for (const item of checklist.categories.flatMap(c => c.items)) {
    if (item.automated) continue;
    const res = await api(
      'PATCH',
      `/migrations/orders-v2/checklist/${item.id}`,
      { status: 'PASS', notes: 'verified in rehearsal' },
    );
    assert.equal(res.status, 200, `${item.id}: ${JSON.stringify(res.body)}`);
  }
  const readiness = (await api('GET', '/migrations/orders-v2/readiness')).body;
  assert.equal(readiness.recommendation, 'GO');

  const requested = await api(
    'POST',
    '/migrations/orders-v2/approval-requests',
    { comments: 'Rehearsal passed' },
  );
  assert.equal(requested.status, 201);
  const byToken = await api('POST', '/migrations/orders-v2/approvals', {
    decision: 'APPROVED',
  });
  assert.equal(byToken.status, 403);

  const { browser, page } = await launch();
  t.after(async () => {
    // The other end-to-end tests act on the demo plan's connections again.
    original.datasets.forEach(d => (d.totalRecords = totals[d.name]));
    await api('PUT', '/migrations/orders-v2', original);
  });
  try {
    await open(page, '/catalog/default/component/orders-service');
    await openTab(page, 'Readiness');
    await page
      .getByTestId('recommendation')
      .filter({ hasText: 'GO' })
      .waitFor({ timeout: 60_000 });
    await page.getByText('Waiting for approvers').waitFor();
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Comments').fill('Go for Saturday');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page
      .getByTestId('approval-status')
      .filter({ hasText: 'Approved' })
      .waitFor({ timeout: 30_000 });
    await page.getByText(/APPROVED · guest/).waitFor();
    await screenshot(page, 'readiness-tab-approved');
  } catch (e) {
    await screenshot(page, 'readiness-failure');
    throw e;
  } finally {
    await browser.close();
  }
  const after = (await api('GET', '/migrations/orders-v2/readiness')).body;
  assert.equal(after.approval.status, 'APPROVED');
  assert.equal(after.approval.approvals[0].approver, 'user:default/guest');
});
