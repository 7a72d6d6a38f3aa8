// A job reports progress through the `cutover` CLI; an engineer watching the service's Migration
// tab sees it change without reloading the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, open, openTab, PLAN_START, screenshot } from './browser.mjs';

const run = promisify(execFile);
const cli = path.resolve('packages/cutover-cli/bin/cutover');

async function cutover(...args) {
  const { stdout } = await run(process.execPath, [cli, ...args], {
    env: process.env,
  });
  return stdout;
}

test('progress reported through the CLI shows live on the Migration tab', async () => {
  // The example catalog annotates orders-service with orders-v2; the test plays its job.
  const planFile = path.join(os.tmpdir(), 'e2e-orders-v2.yaml');
  fs.writeFileSync(
    planFile,
    fs.readFileSync('examples/migrations/orders-v2.yaml', 'utf8'),
  );
  assert.match(
    await cutover('apply', '-f', planFile, '--start', PLAN_START.toISOString()),
    /Applied plan "orders-v2"/,
  );
  const totals = {
    products: 800,
    customers: 6000,
    orders: 24000,
    order_items: 60000,
  };
  for (const [dataset, total] of Object.entries(totals)) {
    await cutover(
      'report',
      '-m',
      'orders-v2',
      '-d',
      dataset,
      '--total',
      String(total),
      '--imported',
      '0',
    );
  }

  const { browser, page } = await launch();
  try {
    await open(page, '/catalog/default/component/orders-service');
    await openTab(page, 'Migration');
    const progress = page.getByTestId('overall-progress');
    await progress.waitFor({ timeout: 60_000 });
    assert.equal((await progress.textContent()).trim(), '0.0%');

    // The job reports: half of the tier 1 data, with quality figures.
    await cutover(
      'report',
      '-m',
      'orders-v2',
      '-d',
      'customers',
      '--imported',
      '3000',
      '--completeness',
      '97',
      '--validity',
      '93',
      '--consistency',
      '99',
      '--accuracy',
      '95',
    );
    await cutover(
      'report',
      '-m',
      'orders-v2',
      '-d',
      'products',
      '--imported',
      '800',
    );
    // 3,800 of 90,800 records: 4.2%, without a reload.
    await page.waitForFunction(
      () =>
        document
          .querySelector('[data-testid="overall-progress"]')
          ?.textContent?.trim() === '4.2%',
      undefined,
      { timeout: 30_000 },
    );
    await page
      .getByTestId('quality-score')
      .filter({ hasText: '96.0' })
      .waitFor({ timeout: 30_000 });

    const status = await cutover('status', '-m', 'orders-v2');
    assert.match(status, /customers\s+T1\s+\[#+-+\]\s+50\.0%/);

    // The owner pauses the job from the page; the job sees it.
    await page.getByRole('button', { name: /pause/i }).click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: 'Pause' })
      .click();
    await page
      .getByTestId('migration-status')
      .getByTestId('status-PAUSED')
      .waitFor({ timeout: 30_000 });
    const control = await fetch(
      `${process.env.CUTOVER_URL}/migrations/orders-v2/control`,
      {
        headers: { authorization: `Bearer ${process.env.CUTOVER_TOKEN}` },
      },
    ).then(r => r.json());
    assert.deepEqual(control, { controlState: 'PAUSE', status: 'PAUSED' });
    await page.getByRole('button', { name: /resume/i }).click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: 'Resume' })
      .click();
    await page
      .getByTestId('migration-status')
      .getByTestId('status-IN_PROGRESS')
      .waitFor({ timeout: 30_000 });
    await screenshot(page, 'migration-tab-live');
  } catch (e) {
    await screenshot(page, 'progress-failure');
    throw e;
  } finally {
    await browser.close();
  }
});
