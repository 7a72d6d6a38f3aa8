// One verdict and gradual rollout, in the example portal: the Readiness tab's cutover gate names a
// blocker (an active freeze window that forbids switches) and its link leads to the Cutover tab's
// freeze windows, where it is fixed; on the Cutover tab the owner gives DUAL reads to a share of
// callers from the switch dialog and sees the percentage beside the dataset's source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import path from 'node:path';
import {
  api,
  APP_URL,
  applyExamplePlan,
  launch,
  open,
  openTab,
  screenshot,
} from './browser.mjs';

const M = '/migrations/orders-v2';
const HOUR = 3_600_000;

/** Every dataset imported with good quality, as the demo job would report it. */
async function reportImported() {
  const totals = {
    products: 800,
    customers: 6000,
    orders: 24000,
    order_items: 60000,
  };
  const samples = Object.entries(totals).map(([name, total]) => ({
    dataset: name,
    totalRecords: total,
    importedRecords: total,
    completeness: 99,
    validity: 99,
    consistency: 99,
    accuracy: 99,
    errors: { critical: 0 },
  }));
  assert.equal((await api('POST', `${M}/metrics`, { samples })).status, 200);
}

test("the Readiness tab's cutover gate names a freeze window and its link leads to where it is fixed", async () => {
  await applyExamplePlan();
  await reportImported();
  const now = Date.now();
  const created = await api('POST', `${M}/freeze-windows`, {
    name: 'E2E order freeze',
    datasets: ['orders'],
    startsAt: new Date(now - 60_000).toISOString(),
    endsAt: new Date(now + 2 * HOUR).toISOString(),
    allowReadSourceSwitch: false,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const windowId = created.body.id;
  assert.equal(
    (await api('POST', `${M}/freeze-windows/${windowId}/activate`, {})).status,
    200,
  );
  const readiness = (await api('GET', `${M}/readiness`)).body;
  const blocker = readiness.cutoverGate.datasets
    .find(d => d.dataset === 'orders')
    .blockers.find(b => b.source === 'FREEZE_WINDOW');
  assert.equal(blocker.ref, windowId);

  const { browser, page } = await launch();
  try {
    await open(page, '/catalog/default/component/orders-service');
    await openTab(page, 'Readiness');
    const row = page.getByTestId('gate-orders');
    await row.waitFor({ timeout: 60_000 });
    const line = row.getByTestId('gate-blocker-orders-FREEZE_WINDOW');
    await line
      .getByText(/Freeze window "E2E order freeze" is active on orders/)
      .waitFor();
    // Datasets the window does not cover have no such line.
    assert.equal(
      await page.getByTestId('gate-blocker-customers-FREEZE_WINDOW').count(),
      0,
    );
    await page.getByTestId('cutover-gate').scrollIntoViewIfNeeded();
    await screenshot(page, 'readiness-cutover-gate');

    await line.getByTestId('gate-fix-link').click();
    await page.waitForURL(
      /\/catalog\/default\/component\/orders-service\/cutover#freeze-windows$/,
      { timeout: 30_000 },
    );
    const section = page.locator('#freeze-windows');
    await section
      .getByText('E2E order freeze')
      .first()
      .waitFor({ timeout: 60_000 });
    // The link scrolled the section into view.
    await page.waitForFunction(
      () => {
        const el = document.getElementById('freeze-windows');
        if (!el) return false;
        const box = el.getBoundingClientRect();
        return box.top < window.innerHeight && box.bottom > 0;
      },
      undefined,
      { timeout: 10_000 },
    );
    assert.ok(page.url().startsWith(APP_URL));
  } catch (e) {
    await screenshot(page, 'verdict-gate-failure');
    throw e;
  } finally {
    await browser.close();
    await api('POST', `${M}/freeze-windows/${windowId}/complete`, {});
  }
  const after = (await api('GET', `${M}/readiness`)).body;
  assert.equal(
    after.blockers.filter(b => b.source === 'FREEZE_WINDOW').length,
    0,
  );
});

test('the owner rolls DUAL reads out to 30% of callers on the Cutover tab and sees the share beside the source', async () => {
  await applyExamplePlan();
  // The demo's new database differs from the legacy one on purpose (the job cleans some customers'
  // rows), so reconciliation finds drift and DQ005 fails: no dataset could become READY. The
  // operator repairs the customers on the new side and reconciles them again, as the verdict says.
  const dataset = 'customers';
  const db = new Database(path.resolve('.switchyard/demo/new.db'));
  try {
    db.exec(
      `ATTACH DATABASE '${path.resolve(
        '.switchyard/demo/legacy.db',
      )}' AS legacy`,
    );
    db.exec(`UPDATE customers SET
      name = (SELECT l.name FROM legacy.customers l WHERE l.id = customers.id),
      email = (SELECT l.email FROM legacy.customers l WHERE l.id = customers.id),
      country = (SELECT l.country FROM legacy.customers l WHERE l.id = customers.id),
      created_at = (SELECT l.created_at FROM legacy.customers l WHERE l.id = customers.id)
      WHERE id IN (SELECT id FROM legacy.customers)`);
  } finally {
    db.close();
  }
  const started = await api('POST', `${M}/reconciliations`, {
    datasets: [dataset],
  });
  assert.equal(started.status, 202, JSON.stringify(started.body));
  let run;
  for (let i = 0; i < 240 && !run; i++) {
    const r = (await api('GET', `${M}/reconciliations/${started.body.id}`))
      .body;
    if (['SUCCEEDED', 'FAILED'].includes(r.status)) run = r;
    else await new Promise(res => setTimeout(res, 500));
  }
  assert.equal(run?.status, 'SUCCEEDED', JSON.stringify(run));
  assert.equal(run.datasets[0].level, 'OK', JSON.stringify(run.datasets[0]));
  await reportImported();
  const migration = (await api('GET', M)).body;
  const state = migration.datasets.find(d => d.name === dataset);
  if (state.readSource !== 'LEGACY' || state.rollout)
    await api('PUT', `${M}/datasets/${dataset}/read-source`, {
      source: 'LEGACY',
      reason: 'e2e: start from LEGACY',
    });
  if (state.cutoverState !== 'READY') {
    if (state.cutoverState === 'ROLLED_BACK')
      await api('PUT', `${M}/datasets/${dataset}/cutover-state`, {
        state: 'PENDING',
        reason: 'e2e: again',
      });
    const ready = await api('PUT', `${M}/datasets/${dataset}/cutover-state`, {
      state: 'READY',
      reason: 'e2e: imported and checked',
    });
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
  }

  const { browser, page } = await launch();
  try {
    await open(page, '/catalog/default/component/orders-service');
    await openTab(page, 'Cutover');
    await page
      .getByRole('table', { name: 'Cutover board' })
      .waitFor({ timeout: 60_000 });
    await page
      .getByRole('button', { name: `${dataset} reads DUAL`, exact: true })
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Gradual rollout: only a share of callers').check();
    await dialog.getByLabel('Percent of callers').fill('30');
    await dialog
      .getByLabel(/Reason/)
      .fill('Canary: dual reads for 30% of tenants');
    await dialog
      .getByTestId('switch-summary')
      .filter({ hasText: `${dataset}: reads LEGACY → DUAL for 30% of callers` })
      .waitFor();
    await dialog
      .getByRole('button', { name: 'Switch to DUAL for 30%' })
      .click();
    await dialog.waitFor({ state: 'detached', timeout: 30_000 });
    await page
      .getByTestId(`rollout-${dataset}`)
      .filter({ hasText: 'DUAL 30%' })
      .waitFor({ timeout: 30_000 });
    await page
      .getByText('LEGACY → DUAL for 30% of callers')
      .waitFor({ timeout: 30_000 });
    const sources = (await api('GET', `${M}/read-sources`)).body;
    assert.equal(sources.datasets[dataset], 'LEGACY');
    assert.deepEqual(sources.rollouts, {
      [dataset]: { source: 'DUAL', percent: 30 },
    });
    const history = (await api('GET', `${M}/switch-history?dataset=${dataset}`))
      .body.items;
    assert.equal(history[0].rolloutPercent, 30);
    assert.equal(history[0].actor, 'user:default/guest');
    assert.equal(history[0].reason, 'Canary: dual reads for 30% of tenants');
    await screenshot(page, 'cutover-tab-rollout');
  } catch (e) {
    await screenshot(page, 'verdict-rollout-failure');
    throw e;
  } finally {
    await browser.close();
    // Back to where the demo was: LEGACY for everyone, PENDING.
    await api('PUT', `${M}/datasets/${dataset}/cutover-state`, {
      state: 'PENDING',
      reason: 'e2e: done',
    });
  }
  assert.equal(
    (await api('GET', `${M}/read-sources`)).body.rollouts,
    undefined,
  );
});
