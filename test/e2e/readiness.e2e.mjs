// A migration gets ready, its job asks for cutover approval, and an approver from outside the owning
// team approves it on the Readiness tab; the jobs' token itself can never decide.
//
// The portal's guest is an orders engineer who also sits on the cutover approvers: they approve the
// billing team's migration; on their own team's migration the approval would not count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import YAML from 'yaml';
import common from '@switchyard/plugin-cutover-common';
import { api, launch, open, openTab, PLAN_START, screenshot } from './browser.mjs';

const BILLING = '/migrations/billing-ledger';

test('an approver from outside the owning team approves a ready migration on the Readiness tab', async () => {
  const plan = common.layOutPlan(
    YAML.parse(fs.readFileSync('examples/migrations/billing-ledger.yaml', 'utf8')),
    PLAN_START,
  );
  const applied = await api('PUT', BILLING, plan);
  assert.ok([200, 201].includes(applied.status), JSON.stringify(applied.body));
  const quality = { completeness: 99, validity: 97, consistency: 99, accuracy: 98, errors: { critical: 0 } };
  const samples = plan.datasets.map(d => ({ dataset: d.name, totalRecords: d.totalRecords, importedRecords: d.totalRecords, ...quality }));
  assert.equal((await api('POST', `${BILLING}/metrics`, { samples })).status, 200);
  const checklist = (await api('GET', `${BILLING}/checklist`)).body;
  for (const item of checklist.categories.flatMap(c => c.items)) {
    if (item.automated || item.status === 'PASS') continue;
    const res = await api('PATCH', `${BILLING}/checklist/${item.id}`, { status: 'PASS', notes: 'verified in rehearsal' });
    assert.equal(res.status, 200, `${item.id}: ${JSON.stringify(res.body)}`);
  }
  assert.equal((await api('GET', `${BILLING}/readiness`)).body.recommendation, 'GO');

  const requested = await api('POST', `${BILLING}/approval-requests`, { comments: 'Rehearsal passed' });
  assert.ok([201, 409].includes(requested.status), JSON.stringify(requested.body));
  const byToken = await api('POST', `${BILLING}/approvals`, { decision: 'APPROVED' });
  assert.equal(byToken.status, 403);

  const { browser, page } = await launch();
  try {
    await open(page, '/catalog/default/component/billing-service');
    await openTab(page, 'Readiness');
    await page.getByRole('tab', { name: 'billing-ledger' }).click();
    await page.getByTestId('recommendation').filter({ hasText: 'GO' }).waitFor({ timeout: 60_000 });
    await page.getByText('Waiting for approvers').waitFor();
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Comments').fill('Go for Saturday');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.getByTestId('approval-status').filter({ hasText: 'Approved' }).waitFor({ timeout: 30_000 });
    await page.getByText(/APPROVED · guest/).waitFor();
    await screenshot(page, 'readiness-tab-approved');
  } catch (e) {
    await screenshot(page, 'readiness-failure');
    throw e;
  } finally {
    await browser.close();
  }
  const after = (await api('GET', `${BILLING}/readiness`)).body;
  assert.equal(after.approval.status, 'APPROVED');
  assert.equal(after.approval.approvals[0].approver, 'user:default/guest');
});
