// The Rollback tab: a snapshot of the demo destination, rolled back from the page by its owner,
// with the typed confirmation, a backup first and verification after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, applyExamplePlan, launch, open, openTab, screenshot } from './browser.mjs';

async function until(fn, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 500));
  }
}

test('the owner rolls products back from a snapshot on the Rollback tab', async () => {
  await applyExamplePlan();
  const name = `E2E snapshot ${Date.now()}`;
  const created = await api('POST', '/migrations/orders-v2/snapshots', { name, datasets: ['products'] });
  assert.equal(created.status, 202, JSON.stringify(created.body));
  const snapshot = await until(async () => {
    const s = (await api('GET', `/migrations/orders-v2/snapshots/${created.body.id}`)).body;
    return s.status === 'SUCCEEDED' ? s : undefined;
  }, 'the snapshot');
  const { browser, page } = await launch();
  try {
    await open(page, '/catalog/default/component/orders-service');
    await openTab(page, 'Rollback');
    const card = page.getByTestId(`snapshot-${snapshot.id}`);
    await card.waitFor({ timeout: 60_000 });
    assert.match(await card.textContent(), new RegExp(`${snapshot.recordCounts.products}`));
    await card.getByRole('button', { name: /roll back/i }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    const confirm = dialog.getByRole('button', { name: /^roll back$/i });
    assert.equal(await confirm.isDisabled(), true);
    await dialog.getByLabel(/reason/i).fill('end-to-end rehearsal');
    await dialog.getByLabel(/type orders-v2 to confirm/i).fill('orders-v2');
    await confirm.click();
    const rollback = await until(async () => {
      const items = (await api('GET', '/migrations/orders-v2/rollbacks')).body.items;
      const r = items.find(x => x.snapshotId === snapshot.id);
      return r && (r.status === 'SUCCEEDED' || r.status === 'FAILED') ? r : undefined;
    }, 'the rollback');
    assert.equal(rollback.status, 'SUCCEEDED', JSON.stringify(rollback.errors));
    assert.equal(rollback.verified, true);
    assert.equal(rollback.createdBy, 'user:default/guest');
    assert.ok(rollback.backupSnapshotId);
    const row = page.getByTestId(`rollback-${rollback.id}`);
    await row.waitFor({ timeout: 30_000 });
    await screenshot(page, 'rollback-tab');
  } catch (e) {
    await screenshot(page, 'rollback-failure');
    throw e;
  } finally {
    await browser.close();
  }
});
