// The example portal serves the catalog with the annotated services, the Migration tab on them,
// and the cutover API behind authentication.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { API_URL, api, launch, open, openTab, screenshot } from './browser.mjs';

test('the cutover API answers health without, and migrations only with, a token', async () => {
  const health = await fetch(`${API_URL}/health`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: 'ok' });
  const anonymous = await fetch(`${API_URL}/migrations`);
  assert.equal(anonymous.status, 401);
  const withToken = await api('GET', '/migrations');
  assert.equal(withToken.status, 200);
  assert.ok(Array.isArray(withToken.body.items));
});

test('an annotated service shows the Migration tab', async () => {
  const { browser, page } = await launch();
  try {
    await open(page, '/catalog/default/component/billing-service');
    await openTab(page, 'Migration');
    // billing-service names two migrations: the selector shows both.
    await page.getByRole('tab', { name: 'orders-v2' }).waitFor({ timeout: 30_000 });
    await page.getByRole('tab', { name: 'billing-ledger' }).waitFor();
    await screenshot(page, 'foundation-migration-tab');
  } catch (e) {
    await screenshot(page, 'foundation-failure');
    throw e;
  } finally {
    await browser.close();
  }
});
