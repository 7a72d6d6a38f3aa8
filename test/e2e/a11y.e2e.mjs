// Accessibility: an axe check of the five Switchyard tabs of the demo service, with data in every
// card and chart (progress samples, a snapshot, a reconciliation), reports no serious or critical
// violation of WCAG 2.1 A/AA. Each tab's screenshot lands in test-results/a11y-<tab>.png (the ones in
// docs/screenshots are taken from there).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import { api, applyExamplePlan, launch, open, openTab, screenshot } from './browser.mjs';

const M = '/migrations/orders-v2';
const TOTALS = { products: 800, customers: 6000, orders: 24000, order_items: 60000 };

async function until(fn, what, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 500));
  }
}

/** Progress and quality samples, so that the Migration tab's cards and trend chart have data. */
async function reportProgress() {
  for (const share of [0.25, 0.6, 1]) {
    const samples = Object.entries(TOTALS).map(([dataset, total]) => ({
      dataset,
      totalRecords: total,
      importedRecords: Math.round(total * share),
      completeness: 99,
      validity: 97,
      consistency: 98,
      accuracy: 97,
      errors: { critical: 0, high: share < 1 ? 2 : 0 },
    }));
    const res = await api('POST', `${M}/metrics`, { samples });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }
}

async function snapshotAndReconcile() {
  const snap = await api('POST', `${M}/snapshots`, { name: `a11y ${Date.now()}`, datasets: ['products'] });
  assert.equal(snap.status, 202, JSON.stringify(snap.body));
  await until(async () => {
    const s = (await api('GET', `${M}/snapshots/${snap.body.id}`)).body;
    return ['SUCCEEDED', 'FAILED'].includes(s.status);
  }, 'the snapshot');
  const run = await api('POST', `${M}/reconciliations`, { datasets: ['products', 'customers'] });
  assert.equal(run.status, 202, JSON.stringify(run.body));
  await until(async () => {
    const r = (await api('GET', `${M}/reconciliations/${run.body.id}`)).body;
    return ['SUCCEEDED', 'FAILED'].includes(r.status);
  }, 'the reconciliation');
}

/** What each tab shows once it has loaded. */
const TABS = [
  ['Migration', page => page.getByTestId('overall-progress')],
  ['Readiness', page => page.getByTestId('recommendation')],
  ['Cutover', page => page.getByRole('table', { name: 'Cutover board' })],
  ['Rollback', page => page.locator('[data-testid^="snapshot-"]')],
  ['Timeline', page => page.getByTestId('critical-path')],
];

function describe(violations) {
  return violations
    .map(
      v =>
        `${v.impact} ${v.id}: ${v.help}\n` +
        v.nodes
          .slice(0, 5)
          .map(n => `    ${n.target.join(' ')} :: ${n.failureSummary?.split('\n').join(' ')}`)
          .join('\n'),
    )
    .join('\n');
}

test('the five tabs have no serious or critical accessibility violations', async () => {
  await applyExamplePlan();
  await reportProgress();
  await snapshotAndReconcile();
  const { browser, page } = await launch();
  const found = [];
  try {
    await open(page, '/catalog/default/component/orders-service');
    for (const [title, loaded] of TABS) {
      await openTab(page, title);
      await loaded(page).first().waitFor({ timeout: 60_000 });
      // Let lazy cards, charts and their animations settle.
      await page.waitForLoadState('networkidle').catch(() => {});
      await page.waitForTimeout(1_500);
      await screenshot(page, `a11y-${title.toLowerCase()}`);
      const result = await new AxeBuilder({ page })
        .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
        // The plugin's part of the page: the entity page's content below its header and tabs.
        .include('main article')
        .analyze();
      const bad = result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical');
      if (bad.length) found.push(`${title} tab:\n${describe(bad)}`);
      assert.ok(result.passes.length > 0, `axe checked the ${title} tab`);
    }
  } catch (e) {
    await screenshot(page, 'a11y-failure');
    throw e;
  } finally {
    await browser.close();
  }
  assert.equal(found.length, 0, `accessibility violations:\n${found.join('\n')}`);
});
