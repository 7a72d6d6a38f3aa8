import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  cutoverReconcilersExtensionPoint,
  cutoverSnapshotProvidersExtensionPoint,
} from '@switchyard/plugin-cutover-node';
import type { MigrationPlan } from '@switchyard/plugin-cutover-common';
import { Knex } from 'knex';
import request from 'supertest';
import { KnexReconciler } from '../reconcile/KnexReconciler';
import { CutoverConnections } from '../snapshots/connections';
import { KnexSnapshotProvider } from '../snapshots/KnexSnapshotProvider';
import { as, startCutoverBackend, testPlan } from './backend';

/**
 * Creates each table afresh with `columns` and fills it with `rows` rows (ids 1..rows, in batches
 * of 500); `row(id, table)` gives the other columns of a row.
 */
export async function seedTables(
  knex: Knex,
  tables: string[],
  rows: number,
  columns: (t: Knex.CreateTableBuilder) => void,
  row: (id: number, table: string) => Record<string, unknown>,
) {
  for (const table of tables) {
    await knex.schema.dropTableIfExists(table);
    await knex.schema.createTable(table, t => {
      t.integer('id').primary();
      columns(t);
    });
    for (let i = 0; i < rows; i += 500) {
      await knex(table).insert(
        Array.from({ length: Math.min(500, rows - i) }, (_, k) => ({
          id: i + k + 1,
          ...row(i + k + 1, table),
        })),
      );
    }
  }
}

/** Tables of an `id` and a `label` (`label(id, table)`), as {@link seedTables} makes them. */
export const seedLabels = (
  knex: Knex,
  tables: string[],
  rows: number,
  label: (id: number, table: string) => string,
) =>
  seedTables(
    knex,
    tables,
    rows,
    t => t.string('label', 50).notNullable(),
    (id, table) => ({ label: label(id, table) }),
  );

/**
 * `src_orders` and `dst_orders`, the same `rows` orders on both: an id, a customer (one of
 * `customers`, round robin) and an amount.
 */
export const seedOrders = (knex: Knex, rows: number, customers: number) =>
  seedTables(
    knex,
    ['src_orders', 'dst_orders'],
    rows,
    t => {
      t.string('customer', 50).notNullable();
      t.decimal('amount', 12, 2);
    },
    id => ({
      customer: `c${(id - 1) % customers}`,
      amount: ((id - 1) * 1.25).toFixed(2),
    }),
  );

/**
 * A backend module that adds the real Knex reconciler (and, with `snapshots`, the Knex snapshot
 * provider) over the given connections. A fresh module each call: one per backend.
 */
export function reconcilerModule(
  connections: CutoverConnections,
  options: { snapshots?: boolean } = {},
) {
  return createBackendModule({
    pluginId: 'cutover',
    moduleId: 'test-reconciler',
    register(reg) {
      reg.registerInit({
        deps: {
          reconcilers: cutoverReconcilersExtensionPoint,
          providers: cutoverSnapshotProvidersExtensionPoint,
        },
        async init({ reconcilers, providers }) {
          reconcilers.addReconciler(new KnexReconciler(connections));
          if (options.snapshots)
            providers.addSnapshotProvider(
              new KnexSnapshotProvider(connections),
            );
        },
      });
    },
  });
}

/** Starts a backend whose `src` and `dst` connections are both the test database, with the reconciler. */
export async function startReconcilingBackend(
  knex: Knex,
  options: Omit<Parameters<typeof startCutoverBackend>[0], 'knex'> = {},
) {
  const connections = new CutoverConnections({ src: knex, dst: knex });
  return startCutoverBackend({
    knex,
    ...options,
    extraFeatures: [
      reconcilerModule(connections),
      ...(options.extraFeatures ?? []),
    ],
  });
}

/** A dataset of a plan kept in `src_<name>` and compared with `dst_<name>` by id. */
export function tablePair(
  name: string,
  totalRecords: number,
  options: { tier?: number; prefix?: string } = {},
) {
  const prefix = options.prefix ?? '';
  return {
    name,
    tier: options.tier ?? 1,
    sourceTable: `${prefix}src_${name}`,
    destinationTable: `${prefix}dst_${name}`,
    keyColumns: ['id'],
    totalRecords,
  };
}

/** Applies the test plan (of `m`) reading from `src` and writing to `dst`; expects it created, returns it. */
export async function putPlan(
  api: () => request.Agent,
  m: string,
  datasets: MigrationPlan['datasets'],
) {
  const plan = testPlan({
    source: { connection: 'src' },
    destination: { connection: 'dst' },
    datasets,
  });
  expect(
    (await api().put(m).set('authorization', as.job).send(plan)).status,
  ).toBe(201);
  return plan;
}

/**
 * A reconciling backend (see {@link startReconcilingBackend}) with the plan of `m` over
 * `datasets` applied; `reconcile()` runs a reconciliation of it to its end.
 */
export async function startReconciledMigration(
  knex: Knex,
  m: string,
  datasets: MigrationPlan['datasets'],
) {
  const started = await startReconcilingBackend(knex);
  const plan = await putPlan(started.api, m, datasets);
  return {
    ...started,
    plan,
    reconcile: (options?: { who?: string; attempts?: number }) =>
      reconcile(started.api, m, options),
  };
}

/** Starts a reconciliation of `m` as `who` and waits until it has finished; returns the run. */
export async function reconcile(
  api: () => request.Agent,
  m: string,
  options: { who?: string; attempts?: number } = {},
) {
  const res = await api()
    .post(`${m}/reconciliations`)
    .set('authorization', options.who ?? as.owner)
    .send({});
  expect(res.status).toBe(202);
  for (let i = 0; i < (options.attempts ?? 400); i++) {
    const body = (
      await api()
        .get(`${m}/reconciliations/${res.body.id}`)
        .set('authorization', as.reader)
    ).body;
    if (body.status === 'SUCCEEDED' || body.status === 'FAILED') return body;
    await new Promise(r => setTimeout(r, 50));
  }
  throw new Error('reconciliation did not finish');
}

/**
 * The metrics body of a job reporting `datasets` fully imported (`rows` of `rows`) with good
 * quality: what takes a dataset to READY in the reconciling tests.
 */
export function importedInFull(datasets: string[], rows: number) {
  return {
    samples: datasets.map(dataset => ({
      dataset,
      totalRecords: rows,
      importedRecords: rows,
      completeness: 99,
      validity: 99,
      consistency: 99,
      accuracy: 99,
    })),
  };
}
