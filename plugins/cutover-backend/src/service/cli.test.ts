/*
 * The `cutover` CLI's runbook commands against a real backend over real HTTP: a runbook takes a
 * snapshot, finds drift, rolls back, reconciles clean and reads its read sources, acting on the
 * exit codes.
 */
import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  cutoverReconcilersExtensionPoint,
  cutoverSnapshotProvidersExtensionPoint,
} from '@switchyard/plugin-cutover-node';
import { EXIT, run } from '@switchyard/cutover-cli';
import { Knex } from 'knex';
import { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { cutoverTestDatabases } from '../__testUtils__/databases';
import { approveCutover, as, startCutoverBackend, testPlan } from '../__testUtils__/backend';
import { CutoverConnections } from '../snapshots/connections';
import { KnexSnapshotProvider } from '../snapshots/KnexSnapshotProvider';
import { KnexReconciler } from '../reconcile/KnexReconciler';

jest.setTimeout(120_000);

const databases = cutoverTestDatabases();

async function seed(knex: Knex) {
  for (const prefix of ['src', 'dst']) {
    for (const name of ['customers', 'orders']) {
      const table = `${prefix}_${name}`;
      await knex.schema.dropTableIfExists(table);
      await knex.schema.createTable(table, t => {
        t.integer('id').primary();
        t.string('label', 50).notNullable();
      });
      await knex(table).insert(Array.from({ length: 200 }, (_, i) => ({ id: i + 1, label: `${name} ${i + 1}` })));
    }
  }
}

describe.each(databases.eachSupportedId())('the cutover CLI runbook commands on %s', databaseId => {
  it('snapshots, reports drift with exit 5, rolls back and reconciles clean', async () => {
    const knex = await databases.init(databaseId);
    await seed(knex);
    const connections = new CutoverConnections({ src: knex, dst: knex });
    const engines = createBackendModule({
      pluginId: 'cutover',
      moduleId: 'test-engines',
      register(reg) {
        reg.registerInit({
          deps: { providers: cutoverSnapshotProvidersExtensionPoint, reconcilers: cutoverReconcilersExtensionPoint },
          async init({ providers, reconcilers }) {
            providers.addSnapshotProvider(new KnexSnapshotProvider(connections));
            reconcilers.addReconciler(new KnexReconciler(connections));
          },
        });
      },
    });
    const { api, server } = await startCutoverBackend({ knex, extraFeatures: [engines] });
    const plan = testPlan({
      source: { connection: 'src' },
      destination: { connection: 'dst' },
      datasets: [
        { name: 'customers', tier: 1, sourceTable: 'src_customers', destinationTable: 'dst_customers', keyColumns: ['id'], totalRecords: 200 },
        { name: 'orders', tier: 2, sourceTable: 'src_orders', destinationTable: 'dst_orders', keyColumns: ['id'], totalRecords: 200 },
      ],
    });
    expect((await api().put('/api/cutover/migrations/orders-v2').set('authorization', as.job).send(plan)).status).toBe(201);

    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/cutover`;
    const cli = async (...args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await run(['node', 'cutover', ...args], {
        out: l => out.push(l),
        err: l => err.push(l),
        stdin: Readable.from(['']),
        env: { CUTOVER_URL: url, CUTOVER_TOKEN: as.job.replace(/^Bearer /, '') },
        sleep: ms => new Promise(r => setTimeout(r, ms)),
      });
      return { code, out, err };
    };

    const snap = await cli('snapshot', '-m', 'orders-v2', '-n', 'before cutover', '--interval', '50ms');
    expect(snap).toMatchObject({ code: EXIT.ok, err: [] });
    const snapshotId = /^Snapshot (\S+) \(before cutover\) started for customers, orders$/.exec(snap.out[0])?.[1];
    expect(snapshotId).toBeDefined();
    expect(snap.out.at(-1)).toMatch(new RegExp(`^Snapshot ${snapshotId} taken: 2 dataset\\(s\\), 400 records, kept until \\d{4}-`));

    // A bad load: 3 of 200 orders changed, one customer deleted.
    await knex('dst_orders').whereIn('id', [1, 100, 200]).update({ label: 'broken' });
    await knex('dst_customers').where({ id: 7 }).delete();
    const drift = await cli('reconcile', '-m', 'orders-v2', '--fail-on', 'CRITICAL', '--interval', '50ms');
    expect(drift.code).toBe(EXIT.drift);
    const table = drift.out.slice(-3);
    expect(table[0]).toMatch(/^dataset\s+source\s+destination\s+missing in dest\s+missing in source\s+mismatched\s+drift\s+level$/);
    expect(table[1]).toMatch(/^customers\s+200\s+199\s+1\s+0\s+0\s+0\.500%\s+ROLLBACK$/);
    expect(table[2]).toMatch(/^orders\s+200\s+200\s+0\s+0\s+3\s+1\.500%\s+ROLLBACK$/);
    expect(drift.err).toEqual(['Drift at or above CRITICAL on customers (0.500%), orders (1.500%)']);

    const rollback = await cli('rollback', '-m', 'orders-v2', '-s', snapshotId!, '--no-backup', '--reason', 'bad load', '--interval', '50ms');
    expect(rollback).toMatchObject({ code: EXIT.ok, err: [] });
    expect(rollback.out).toEqual(expect.arrayContaining([
      '  customers: RESTORED, 1 restored, 0 deleted, verified',
      '  orders: RESTORED, 3 restored, 0 deleted, verified',
    ]));
    expect(rollback.out.at(-1)).toMatch(/^Rollback \S+ done in \d+\.\d s$/);

    const clean = await cli('reconcile', '-m', 'orders-v2', '-d', 'orders', '--fail-on', 'WARNING', '--interval', '50ms');
    expect(clean).toMatchObject({ code: EXIT.ok, err: [] });
    expect(clean.out.at(-1)).toMatch(/^orders\s+200\s+200\s+0\s+0\s+0\s+0\.000%\s+OK$/);

    expect((await cli('read-source', '-m', 'orders-v2')).out).toEqual(['customers  LEGACY', 'orders     LEGACY']);
    // PENDING datasets may not read from NEW: the backend's 409 is passed on.
    const refused = await cli('read-source', '-m', 'orders-v2', '-d', 'orders', '--to', 'NEW', '--reason', 'go');
    expect(refused.code).toBe(EXIT.error);
    expect(refused.err[0]).toMatch(/^cutover: 409 .*orders/);
    expect((await cli('read-source', '-m', 'orders-v2', '--to', 'NEW')).err).toEqual(['cutover: --to needs --dataset and --reason']);

    // The way to NEW. The rollback left the datasets ROLLED_BACK: they start again from PENDING; READY
    // needs the dataset imported with good quality; then CUTOVER.
    const rolledBack = await cli('state', '-m', 'orders-v2', '-d', 'orders', '--to', 'READY', '--reason', 'again');
    expect(rolledBack.err).toEqual(['cutover: 409 Dataset "orders" can\'t go from ROLLED_BACK to READY; from ROLLED_BACK it can go to PENDING']);
    expect((await cli('state', '-m', 'orders-v2', '-d', 'orders', '--to', 'PENDING', '--reason', 'reload')).out)
      .toEqual(['orders is PENDING (was ROLLED_BACK), moved by service:external:cutover-jobs']);
    const early = await cli('state', '-m', 'orders-v2', '-d', 'orders', '--to', 'READY', '--reason', 'looks done');
    expect(early.code).toBe(EXIT.error);
    expect(early.err[0]).toMatch(/^cutover: 409 Dataset "orders" is not ready/);
    await api().post('/api/cutover/migrations/orders-v2/metrics').set('authorization', as.job).send({
      samples: ['customers', 'orders'].map(dataset => ({
        dataset, totalRecords: 200, importedRecords: 200, completeness: 99, validity: 99, consistency: 99, accuracy: 99,
      })),
    });
    const ready = await cli('state', '-m', 'orders-v2', '-d', 'orders', '--to', 'READY', '--reason', 'imported');
    expect(ready.err).toEqual([]);
    expect(ready.out).toEqual(['orders is READY (was PENDING), moved by service:external:cutover-jobs']);
    // CUTOVER and NEW reads need a current approval (given by people, not by the job's token).
    await approveCutover(api, 'orders-v2');
    expect((await cli('state', '-m', 'orders-v2', '-d', 'orders', '--to', 'CUTOVER', '--reason', 'go')).code).toBe(EXIT.ok);
    expect((await cli('read-source', '-m', 'orders-v2', '-d', 'orders', '--to', 'NEW', '--reason', 'go')).out)
      .toEqual(['orders reads from NEW (was LEGACY), switched by service:external:cutover-jobs']);
    expect((await cli('read-source', '-m', 'orders-v2')).out).toEqual(['customers  LEGACY', 'orders     NEW']);
    expect((await cli('state', '-m', 'orders-v2', '-d', 'orders', '--to', 'LIVE', '--reason', 'x')).code).toBe(EXIT.usage);

    // Refusals name the problem and never start anything.
    const unknown = await cli('rollback', '-m', 'orders-v2', '-s', 'nope', '--interval', '50ms');
    expect(unknown.code).toBe(EXIT.error);
    expect(unknown.err[0]).toMatch(/^cutover: 400 .*snapshotId/);
    expect((await cli('reconcile', '-m', 'orders-v2', '--fail-on', 'SOMETIMES')).code).toBe(EXIT.usage);
  });
});
