// The Timeline tab draws the demo plan's phases with its critical path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, openTab, screenshot } from './browser.mjs';

test('the Timeline tab shows the critical path of the demo migration', async () => {
  const { browser, page } = await launch();
  try {
    await open(page, '/catalog/default/component/orders-service');
    await openTab(page, 'Timeline');
    const path = page.getByTestId('critical-path');
    await path.waitFor({ timeout: 60_000 });
    assert.equal(
      (await path.textContent()).trim(),
      'Data extraction → Tier 1 import (master data) → Tier 2 import (transactions) → Validation and reconciliation → Cutover',
    );
    for (const id of ['extract', 'tier1', 'tier2', 'validate', 'cutover']) {
      assert.equal(
        await page
          .getByTestId(`gantt-phase-${id}`)
          .getAttribute('data-critical'),
        'true',
      );
    }
    assert.equal(
      await page.getByTestId('gantt-dependency-extract-tier1').count(),
      1,
    );
    await page.getByTestId('gantt-milestone-go-live').waitFor();
    // The plan is laid out from the day before the run: today's line falls inside it.
    await page.getByTestId('gantt-today').waitFor();
    await screenshot(page, 'timeline-tab');
  } catch (e) {
    await screenshot(page, 'timeline-failure');
    throw e;
  } finally {
    await browser.close();
  }
});
