// Integrity on the Cutover tab: a reconciliation of the demo's databases also checks the references
// the plan declares (inside the new database) and runs its golden queries on both sides; the tab
// shows a section per relation with its orphans, and the golden queries with their timings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { api, applyExamplePlan, launch, open, openTab, RESULTS, screenshot } from './browser.mjs';

const active = run => ['PENDING', 'RUNNING'].includes(run.status);

test('a reconciliation checks relations and golden queries, and the Cutover tab shows them', async () => {
  await applyExamplePlan();
  const { browser, page } = await launch();
  try {
    // Another test's run may still be going: this one starts its own after it.
    for (let i = 0; i < 240; i++) {
      const items = (await api('GET', '/migrations/orders-v2/reconciliations')).body.items;
      if (!items.some(active)) break;
      await new Promise(r => setTimeout(r, 500));
    }
    await open(page, '/catalog/default/component/orders-service');
    await openTab(page, 'Cutover');
    await page.getByRole('table', { name: 'Cutover board' }).waitFor({ timeout: 60_000 });
    const before = (await api('GET', '/migrations/orders-v2/reconciliations')).body.items.length;
    const start = page.getByRole('button', { name: /run reconciliation/i });
    await start.waitFor({ timeout: 30_000 });
    await start.click();
    await page.getByRole('dialog').getByRole('button', { name: /^run$/i }).click();
    let run;
    for (let i = 0; i < 240 && !run; i++) {
      const items = (await api('GET', '/migrations/orders-v2/reconciliations')).body.items;
      if (items.length > before && !active(items[0])) run = items[0];
      else await new Promise(r => setTimeout(r, 500));
    }
    assert.ok(run, 'the reconciliation finished');
    assert.ok(run.integrity, 'the run checked integrity');

    // What the database says: the legacy side has orders of deleted customers (the demo job skips
    // them) but keeps their lines, and lines of products without a price (rejected): orphans.
    const byName = Object.fromEntries(run.integrity.relations.map(r => [r.name, r]));
    assert.deepEqual(Object.keys(byName).sort(), ['items-to-orders', 'items-to-products', 'orders-to-customers']);
    for (const r of Object.values(byName)) assert.equal(r.status, 'SUCCEEDED', r.error ?? '');
    assert.equal(byName['orders-to-customers'].orphans, 0);
    assert.ok(byName['items-to-orders'].orphans > 0, 'lines of skipped orders are orphans');
    assert.ok(byName['items-to-products'].orphans > 0, 'lines of rejected products are orphans');
    const golden = Object.fromEntries(run.integrity.goldenQueries.map(q => [q.name, q]));
    assert.equal(golden['customers-by-country'].status, 'EQUAL', golden['customers-by-country'].error ?? '');
    assert.equal(golden['customers-by-country'].ordered, true);
    assert.equal(golden['priced-products'].status, 'EQUAL', golden['priced-products'].error ?? '');

    // What the tab shows: a section per relation, with the figures and the orphans' keys.
    const card = page.getByTestId('integrity-card');
    await card.getByTestId('integrity-relation-items-to-orders').waitFor({ timeout: 30_000 });
    const items = card.getByTestId('integrity-relation-items-to-orders');
    assert.match(await items.innerText(), /order_items\.order_id → orders\.id/);
    assert.match(await items.innerText(), /ORPHANS/);
    assert.match(
      await items.innerText(),
      new RegExp(`${byName['items-to-orders'].orphans.toLocaleString('en-US')} orphan\\(s\\) among`),
    );
    await items.getByTestId('orphan-keys-items-to-orders').waitFor();
    const customers = card.getByTestId('integrity-relation-orders-to-customers');
    assert.match(await customers.innerText(), /OK/);
    assert.match(await customers.innerText(), /0 orphan\(s\) among/);
    for (const name of ['customers-by-country', 'priced-products']) {
      const row = card.getByTestId(`golden-query-${name}`);
      await row.waitFor();
      assert.match(await row.innerText(), /EQUAL/);
      assert.match(await row.innerText(), /\d ms/);
    }
    await card.scrollIntoViewIfNeeded();
    fs.mkdirSync(RESULTS, { recursive: true });
    await card.screenshot({ path: path.join(RESULTS, 'cutover-integrity.png') });
  } catch (e) {
    await screenshot(page, 'integrity-failure');
    throw e;
  } finally {
    await browser.close();
  }
});
