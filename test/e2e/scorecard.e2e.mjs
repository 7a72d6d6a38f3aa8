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
    // Facts arrive with the retriever's next run: reload until the checks have judged them. Each
    // load shows either the checks or "No facts ... yet" once its requests have answered.
    const judged = page.getByText(/\d+ of \d+ checks pass/);
    const answered = judged.or(
      page.getByText(/No facts about this entity's migrations yet/),
    );
    const deadline = Date.now() + 120_000;
    for (;;) {
      await answered.first().waitFor({ timeout: 60_000 });
      if (await judged.isVisible()) break;
      assert.ok(Date.now() < deadline, 'no scorecard facts within 120 s');
      await page.waitForTimeout(5_000);
      await page.reload();
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
    await page.getByText('Migration scorecard', { exact: true }).scrollIntoViewIfNeeded();
    await screenshot(page, 'scorecard-card');
  } catch (e) {
    await screenshot(page, 'scorecard-failure');
    throw e;
  } finally {
    await browser.close();
  }
});
