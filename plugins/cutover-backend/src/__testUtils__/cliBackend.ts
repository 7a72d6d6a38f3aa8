import { run } from '@switchyard/cutover-cli';
import { Knex } from 'knex';
import { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { CutoverConnections } from '../snapshots/connections';
import { as, startCutoverBackend, testPlan } from './backend';
import { reconcilerModule, seedLabels, tablePair } from './reconciledTables';

/** 200 customers and 200 orders on each side (`src_…`, `dst_…`), the same rows. */
export const seedCliTables = (knex: Knex) =>
  seedLabels(
    knex,
    ['src_customers', 'src_orders', 'dst_customers', 'dst_orders'],
    200,
    (id, table) => `${table.slice(4)} ${id}`,
  );

/** The built-in snapshot provider and reconciler on the seeded tables. */
export const cliEngines = (knex: Knex) =>
  reconcilerModule(new CutoverConnections({ src: knex, dst: knex }), {
    snapshots: true,
  });

/** The plan of orders-v2 over the seeded tables: customers (tier 1) and orders (tier 2). */
export const cliPlan = () =>
  testPlan({
    source: { connection: 'src' },
    destination: { connection: 'dst' },
    datasets: [
      tablePair('customers', 200, { tier: 1 }),
      tablePair('orders', 200, { tier: 2 }),
    ],
  });

/** Samples that make both datasets imported with good quality, so that they may become READY. */
export const importedSamples = {
  samples: ['customers', 'orders'].map(dataset => ({
    dataset,
    totalRecords: 200,
    importedRecords: 200,
    completeness: 99,
    validity: 99,
    consistency: 99,
    accuracy: 99,
  })),
};

/**
 * Runs the CLI in-process with `settings` (its environment, or a client), as a shell would, on
 * an empty stdin: its exit code and the lines it wrote to stdout and stderr.
 */
export function cliWith(
  settings: Omit<
    NonNullable<Parameters<typeof run>[1]>,
    'out' | 'err' | 'stdin'
  >,
) {
  return async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(['node', 'cutover', ...args], {
      out: l => out.push(l),
      err: l => err.push(l),
      stdin: Readable.from(['']),
      ...settings,
    });
    const json = () => JSON.parse(out.join('\n'));
    return { code, out, err, json };
  };
}

/** The CLI against `url` with `token`, waiting for real between polls. */
export const cliFor = (url: string, token: string) =>
  cliWith({
    env: { CUTOVER_URL: url, CUTOVER_TOKEN: token },
    sleep: ms => new Promise(r => setTimeout(r, ms)),
  });

/** The plugin's base URL on a started test server. */
export const baseUrl = (server: { address(): unknown }) =>
  `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/cutover`;

/**
 * A backend with the test policy on a seeded database (`knex`), the engines and the plan applied;
 * `cli` runs the CLI as the job.
 */
export async function startCliBackend(knex: Knex) {
  await seedCliTables(knex);
  const started = await startCutoverBackend({
    knex,
    extraFeatures: [cliEngines(knex)],
  });
  const applied = await started
    .api()
    .put('/api/cutover/migrations/orders-v2')
    .set('authorization', as.job)
    .send(cliPlan());
  expect(applied.status).toBe(201);
  const cli = cliFor(baseUrl(started.server), as.job.replace(/^Bearer /, ''));
  return { knex, cli, ...started };
}
