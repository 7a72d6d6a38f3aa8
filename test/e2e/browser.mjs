// Shared helpers of the end-to-end tests: a headless Debian Chromium driven by playwright-core.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import common from '@switchyard/plugin-cutover-common';

export const APP_URL = 'http://localhost:3000';
export const API_URL = 'http://localhost:7007/api/cutover';
export const RESULTS = path.resolve(process.cwd(), 'test-results');

export async function launch() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const context = await browser.newContext({
    viewport: { width: 1440, height: 1000 },
  });
  const page = await context.newPage();
  return { browser, page };
}

/**
 * Opens a page of the portal, signing in with the guest provider when the sign-in page shows,
 * and waits until the app's sidebar is there.
 */
export async function open(page, pathname) {
  await page.goto(`${APP_URL}${pathname}`);
  const enter = page.getByRole('button', { name: /^enter$/i });
  const sidebar = page.locator('nav[aria-label="sidebar nav"]');
  await Promise.race([
    enter.waitFor({ timeout: 60_000 }),
    sidebar.waitFor({ state: 'attached', timeout: 60_000 }),
  ]);
  if (await enter.isVisible()) {
    await enter.click();
    await sidebar.waitFor({ state: 'attached', timeout: 60_000 });
  }
}

/** The entity page group that holds the five Switchyard tabs in the new frontend system. */
export const TAB_GROUP = 'Operation';

/**
 * Opens an entity tab by its title: a top-level tab, or an item of the Switchyard tab group's menu
 * (the new frontend system groups the five tabs under one).
 */
export async function openTab(page, title) {
  const direct = page
    .getByRole('tab', { name: title, exact: true })
    .or(page.getByRole('link', { name: title, exact: true }))
    .first();
  const groupName = new RegExp(`^${TAB_GROUP}`);
  const group = page
    .getByRole('tab', { name: groupName })
    .or(page.getByRole('button', { name: groupName }))
    .first();
  await direct.or(group).first().waitFor({ timeout: 60_000 });
  if (await direct.isVisible()) {
    await direct.click();
    return;
  }
  await group.click();
  const item = page
    .getByRole('menuitem', { name: title, exact: true })
    .or(page.getByRole('menuitemradio', { name: title, exact: true }))
    .or(page.getByRole('link', { name: title, exact: true }))
    .first();
  await item.waitFor({ timeout: 10_000 });
  await item.click();
}

export async function screenshot(page, name) {
  fs.mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Calls the cutover API as a job, with CUTOVER_TOKEN. A GET that fails on the network is tried again
 * (twice, after a short wait): while a reconciliation of the demo's SQLite databases runs, the
 * backend's event loop can stall long enough for the server to close a keep-alive socket the client
 * is about to reuse ("fetch failed"). Writes are never retried.
 */
export async function api(method, pathname, body) {
  for (let attempt = 0; ; attempt++) {
    let res;
    try {
      res = await fetch(`${API_URL}${pathname}`, {
        method,
        headers: {
          authorization: `Bearer ${process.env.CUTOVER_TOKEN}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
    } catch (e) {
      if (method !== 'GET' || attempt >= 2) throw e;
      await new Promise(r => setTimeout(r, 500));
      continue;
    }
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
}

/**
 * When the example plan starts in this run: run.sh sets it once (a day before the run began), so
 * that every test applies the same plan and the demo migration is on schedule whatever the date.
 */
export const PLAN_START = new Date(
  Number(process.env.SWITCHYARD_E2E_PLAN_START) || Date.now() - 86_400_000,
);

/** The example plan, laid out from PLAN_START. */
export function examplePlan() {
  return common.layOutPlan(
    YAML.parse(fs.readFileSync('examples/migrations/orders-v2.yaml', 'utf8')),
    PLAN_START,
  );
}

/** Applies the example plan (idempotent), so a test does not depend on the order tests run in. */
export async function applyExamplePlan() {
  const plan = examplePlan();
  const totals = {
    products: 800,
    customers: 6000,
    orders: 24000,
    order_items: 60000,
  };
  plan.datasets.forEach(d => (d.totalRecords = totals[d.name]));
  // Right after the portal starts, the catalog may not have read the example org yet: the plan's
  // owner and approvers are then refused as unknown (governance checks them against the catalog).
  // Wait for the catalog (up to two minutes), but fail on any other refusal at once.
  const deadline = Date.now() + 120_000;
  for (;;) {
    const res = await api('PUT', '/migrations/orders-v2', plan);
    if (res.status === 200 || res.status === 201) return;
    const message = res.body?.error?.message ?? '';
    if (res.status !== 400 || !/in the catalog/.test(message) || Date.now() > deadline)
      throw new Error(`applying the plan: ${JSON.stringify(res.body)}`);
    await new Promise(r => setTimeout(r, 1000));
  }
}
