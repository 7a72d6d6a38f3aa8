// Software templates: "Plan a data migration" drafts a plan from the inventory databases (as the
// signed-in guest, a member of orders-team), shows it for review, applies it, and its link opens
// the Migration tab of inventory-service with the new migration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, launch, open, screenshot } from './browser.mjs';

async function pick(page, label, text) {
  const input = page.getByLabel(label, { exact: false }).first();
  await input.click();
  await input.fill(text);
  await page
    .getByRole('option', { name: new RegExp(text) })
    .first()
    .click();
}

test('the "Plan a data migration" template drafts, shows and applies a plan', async () => {
  const { browser, page } = await launch();
  try {
    await open(page, '/create');
    const card = page
      .locator('article, .MuiCard-root')
      .filter({ hasText: 'Plan a data migration' })
      .first();
    await card.waitFor({ timeout: 60_000 });
    await card.getByRole('button', { name: /choose/i }).click();

    await pick(page, 'Service', 'inventory-service');
    await pick(page, 'Owner', 'orders-team');
    await pick(page, 'Approvers', 'cutover-approvers');
    await page.getByRole('button', { name: /^next/i }).click();
    await page.getByLabel(/Migration id/).waitFor();
    await page.getByRole('button', { name: /^review/i }).click();
    await page.getByRole('button', { name: /^create/i }).click();

    // The run: both steps finish, the review text and the link show.
    const link = page
      .getByRole('link', { name: 'Open the Migration tab' })
      .or(page.getByRole('button', { name: 'Open the Migration tab' }));
    await link.first().waitFor({ timeout: 90_000 });
    await page
      .getByText(/3 datasets/)
      .first()
      .waitFor({ timeout: 30_000 });
    await page
      .getByText(/movement_log/)
      .first()
      .waitFor();
    await screenshot(page, 'template-run');

    const migration = await api('GET', '/migrations/inventory-v2');
    assert.equal(migration.status, 200);
    assert.deepEqual(
      migration.body.datasets.map(d => [d.name, d.tier]),
      [
        ['warehouses', 1],
        ['stock_items', 2],
        ['stock_movements', 3],
      ],
    );

    await link.first().click();
    await page
      .getByText('Inventory onto the new database')
      .first()
      .waitFor({ timeout: 60_000 });
    await screenshot(page, 'template-migration-tab');
  } catch (e) {
    await screenshot(page, 'template-failure');
    throw e;
  } finally {
    await browser.close();
  }
});
