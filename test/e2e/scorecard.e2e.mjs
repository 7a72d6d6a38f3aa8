// Scorecards: Tech Insights collects Switchyard's facts (run.sh makes its retriever run every few
// seconds) and the entity's overview shows the example checks, pass or fail, with the facts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyExamplePlan, launch, open, screenshot } from './browser.mjs';

test("an annotated service's overview shows its migration scorecard", async () => {
  await applyExamplePlan();
  const { browser, page } = await launch();
  try {
    await open(page, '/catalog/default/component/orders-service');
    const card = page
      .locator('article, div')
      .filter({ has: page.getByText('Migration scorecard', { exact: true }) })
      .last();
    await page
      .getByText('Migration scorecard', { exact: true })
      .waitFor({ timeout: 60_000 });
    // Facts arrive with the retriever's next run: reload until the checks have judged them.
    const deadline = Date.now() + 90_000;
    while (!(await page.getByText(/\d+ of \d+ checks pass/).isVisible())) {
      assert.ok(Date.now() < deadline, 'no scorecard facts within 90 s');
      await page.waitForTimeout(3_000);
      await page.reload();
      await page
        .getByText('Migration scorecard', { exact: true })
        .waitFor({ timeout: 60_000 });
    }
    await page
      .getByText(/No migration in NO_GO for more than 7 days: (passes|fails)/)
      .waitFor();
    await page
      .getByText(/Drift below warning after cutover: (passes|fails)/)
      .waitFor();
    assert.match(
      await page.getByTestId('scorecard-fact-worstRecommendation').innerText(),
      /GO/,
    );
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, 'scorecard-card');
  } catch (e) {
    await screenshot(page, 'scorecard-failure');
    throw e;
  } finally {
    await browser.close();
  }
});
