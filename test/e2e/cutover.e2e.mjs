// The Cutover tab: the owner runs a reconciliation of the demo's legacy and new databases from the
// page and reads the drift per dataset (the demo job rejects bad legacy rows, so there is drift).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, applyExamplePlan, launch, open, openTab, screenshot } from './browser.mjs';

test('the owner reconciles the demo migration from the Cutover tab and sees drift per dataset', async () => {
  await applyExamplePlan();
  const { browser, page } = await launch();
  try {
    await open(page, '/catalog/default/component/orders-service');
    await openTab(page, 'Cutover');
    await page.getByRole('table', { name: 'Cutover board' }).waitFor({ timeout: 60_000 });
    const before = (await api('GET', '/migrations/orders-v2/reconciliations')).body.items.length;
    await page.getByRole('button', { name: /run reconciliation/i }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: /^run$/i }).click();
    let run;
    for (let i = 0; i < 120 && !run; i++) {
      const items = (await api('GET', '/migrations/orders-v2/reconciliations')).body.items;
      if (items.length > before && ['SUCCEEDED', 'FAILED'].includes(items[0].status)) run = items[0];
      else await new Promise(r => setTimeout(r, 500));
    }
    assert.ok(run, 'the reconciliation finished');
    assert.equal(run.status, 'SUCCEEDED', run.error ?? '');
    assert.equal(run.createdBy, 'user:default/guest');
    const row = page.getByTestId(`reconciliation-${run.id}`);
    await row.waitFor({ timeout: 30_000 });
    await row.getByRole('button', { name: 'Show figures' }).click();
    const details = page.getByTestId(`reconciliation-details-${run.id}`);
    await details.waitFor();
    for (const d of run.datasets) {
      assert.equal(d.status, 'SUCCEEDED');
      await page.getByTestId(`reconciliation-dataset-${d.name}`).waitFor();
    }
    await screenshot(page, 'cutover-tab');
  } catch (e) {
    await screenshot(page, 'cutover-failure');
    throw e;
  } finally {
    await browser.close();
  }
});
