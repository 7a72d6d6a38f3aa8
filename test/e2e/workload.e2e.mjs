// What a job's workload looks like to the people watching it: the Migration tab with bytes/s and
// cost, a dataset's detail drawer (trends, errors by type, alerts, reconciliations, switches), and
// the Timeline tab with each phase's sub-tasks under it, foldable, and a phase paused on its own.
// (Named to run after the other end-to-end tests: it moves phases and datasets of the demo plan.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  api,
  applyExamplePlan,
  launch,
  open,
  openTab,
  RESULTS,
  screenshot,
} from './browser.mjs';

const MINUTE = 60_000;

async function must(method, path, body) {
  const res = await api(method, path, body);
  assert.ok(
    res.status >= 200 && res.status < 300,
    `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`,
  );
  return res.body;
}

/** Two samples of customers four minutes apart (the example's rate window is five), with resources and errors by type. */
async function reportCustomers() {
  const now = Date.now();
  const sample = (ago, imported, bytes, cost, errorsByType) => ({
    dataset: 'customers',
    at: new Date(now - ago).toISOString(),
    totalRecords: 6000,
    importedRecords: imported,
    skippedRecords: 12,
    completeness: 97,
    validity: 93,
    consistency: 99,
    accuracy: 95,
    errors: { critical: 0, high: 2, medium: 9, low: 4 },
    bytesMoved: bytes,
    cpuSeconds: imported / 100,
    memoryPeakBytes: 256 * 1024 * 1024,
    cost,
    errorsByType,
  });
  await must('POST', '/migrations/orders-v2/metrics', {
    samples: [
      sample(4 * MINUTE, 1000, 20 * 1024 * 1024, 4, { invalid_email: 5 }),
      sample(0, 3000, 80 * 1024 * 1024, 12, {
        invalid_email: 9,
        missing_email: 4,
      }),
    ],
  });
}

test('a dataset row opens its detail drawer with trends, errors by type, alerts, reconciliations and switches', async () => {
  await applyExamplePlan();
  await reportCustomers();
  const title = `Customers with an unknown country ${Date.now()}`;
  await must('POST', '/migrations/orders-v2/alerts', {
    alertType: 'WARNING',
    severity: 'MEDIUM',
    title,
    dataset: 'customers',
  });
  // Reads of customers go to both sides and back: two switches in its history.
  const dual = await api('PUT', '/migrations/orders-v2/datasets/customers/read-source', {
    source: 'DUAL',
    reason: 'e2e: compare both sides',
  });
  const switched = dual.status === 200;
  if (switched) {
    await must('PUT', '/migrations/orders-v2/datasets/customers/read-source', {
      source: 'LEGACY',
      reason: 'e2e: back to the legacy side',
    });
  }

  const { browser, page } = await launch();
  try {
    await open(page, '/catalog/default/component/orders-service');
    await openTab(page, 'Migration');
    await page.getByTestId('overall-progress').waitFor({ timeout: 60_000 });
    // Throughput beside the rate; cost to date and projected cost (EUR in the example app-config).
    await page.getByText('Throughput', { exact: true }).first().waitFor({ timeout: 30_000 });
    await page.getByText('Cost to date', { exact: true }).waitFor();
    await page.getByText('€12.00', { exact: true }).first().waitFor();
    await page.getByRole('tab', { name: 'Throughput' }).waitFor();
    await page.getByRole('tab', { name: 'Cost' }).waitFor();
    await screenshot(page, 'migration-tab');

    // Skipped records and the ETA in the table; a click opens the drawer.
    const row = page.locator('tr', { has: page.getByText('customers', { exact: true }) }).first();
    assert.equal(
      (await page.getByTestId('failed-skipped-customers').textContent()).trim(),
      '0 / 12',
    );
    // A rate and a throughput (exact figures depend on what other tests reported on customers
    // within the rate window; service/subtasksAndResources.test.ts checks the arithmetic).
    await row.getByText(/^[\d,.]+ \/ min$/).first().waitFor();
    await row.getByText(/^[\d,.]+ (B|KB|MB|GB)\/s$/).first().waitFor();
    assert.notEqual((await page.getByTestId('eta-customers').textContent()).trim(), '');
    await row.click();
    const drawer = page.getByTestId('dataset-drawer');
    await drawer.waitFor({ timeout: 30_000 });
    assert.equal(
      (await drawer.getByRole('heading', { level: 2 }).textContent()).trim(),
      'customers',
    );
    const errors = drawer.getByTestId('drawer-errors');
    const types = await errors.getByRole('row').allTextContents();
    assert.deepEqual(types, ['invalid_email9', 'missing_email4']);
    await drawer.getByText('Trends of customers').waitFor();
    const alerts = drawer.getByTestId('drawer-alerts');
    await alerts.getByText(title).waitFor({ timeout: 30_000 });
    await drawer.getByTestId('drawer-reconciliations').waitFor();
    const switches = drawer.getByTestId('drawer-switches');
    if (switched) {
      await switches.getByText('Reads: LEGACY → DUAL').waitFor();
      await switches.getByText('Reads: DUAL → LEGACY').waitFor();
    }
    // The drawer is fixed to the window: a tall window shows all of it.
    await page.setViewportSize({ width: 1440, height: 2000 });
    await switches.waitFor();
    await page.screenshot({ path: `${RESULTS}/dataset-drawer.png` });
    await drawer.getByRole('button', { name: 'Close dataset details' }).click();
    await drawer.waitFor({ state: 'detached' });
  } catch (e) {
    await screenshot(page, 'workload-drawer-failure');
    throw e;
  } finally {
    await browser.close();
  }
});

test("the Timeline tab draws each phase's sub-tasks under it, folds them, and shows a paused phase", async () => {
  await applyExamplePlan();
  // The job's sub-task of the extraction moves; the phase rolls up from it.
  const extract = await must(
    'PATCH',
    '/migrations/orders-v2/phases/extract/subtasks/dump',
    { progressPercent: 60 },
  );
  assert.equal(extract.progressPercent, 60);
  const added = await must('POST', '/migrations/orders-v2/phases/extract/subtasks', {
    id: `checksums-${Date.now()}`,
    name: 'Checksum the dumps',
  });
  const extra = added.subTasks.at(-1).id;
  await must('POST', '/migrations/orders-v2/phases/tier1/pause', {
    reason: 'e2e: legacy database under load',
  });
  const control = await must('GET', '/migrations/orders-v2/control?dataset=customers');
  assert.equal(control.controlState, 'PAUSE');

  const { browser, page } = await launch();
  try {
    await open(page, '/catalog/default/component/orders-service');
    await openTab(page, 'Timeline');
    await page.getByTestId('gantt-chart').waitFor({ timeout: 60_000 });
    for (const id of [
      'extract-dump',
      `extract-${extra}`,
      'tier1-copy-master',
      'tier2-copy-transactions',
      'validate-reconcile',
      'cutover-switch-reads',
    ]) {
      await page.getByTestId(`gantt-subtask-${id}`).waitFor({ timeout: 30_000 });
    }
    await page.getByTestId('gantt-subtask-progress-extract-dump').waitFor();
    await page.getByTestId('gantt-paused-tier1').waitFor();

    // The extraction's two sub-tasks fold away and come back.
    const fold = page.getByRole('button', { name: 'Fold the 2 sub-tasks of Data extraction' });
    await fold.click();
    await page.getByTestId('gantt-subtask-extract-dump').waitFor({ state: 'detached' });
    await page.getByTestId('gantt-subtask-tier1-copy-master').waitFor();
    await page.getByRole('button', { name: 'Unfold the 2 sub-tasks of Data extraction' }).click();
    await page.getByTestId('gantt-subtask-extract-dump').waitFor();
    await page.evaluate(() => document.activeElement?.blur());
    await screenshot(page, 'timeline-tab');
  } catch (e) {
    await screenshot(page, 'workload-timeline-failure');
    throw e;
  } finally {
    await browser.close();
    await api('POST', '/migrations/orders-v2/phases/tier1/resume', { reason: 'e2e: done' });
  }
});
