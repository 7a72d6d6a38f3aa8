/*
 * POST /plans/draft: a plan drafted from the databases behind two configured connections, read
 * through the plugin's own connections (config, as in production), with the governance of applying
 * a plan. SQLite: two database files; PostgreSQL: two test databases.
 */
import type { TestDatabaseId } from '@backstage/backend-test-utils';
import { migrationPlanSchema } from '@switchyard/plugin-cutover-common';
import knexFactory, { Knex } from 'knex';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { AddressInfo } from 'node:net';
import { CutoverClient } from '@switchyard/plugin-cutover-common';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import {
  createCutoverPlanApplyAction,
  createCutoverPlanDraftAction,
} from '@switchyard/plugin-scaffolder-backend-module-cutover';
import { as, startCutoverBackend } from '../__testUtils__/backend';
import { cliWith } from '../__testUtils__/cliBackend';
import { cutoverTestDatabases } from '../__testUtils__/databases';

jest.setTimeout(120_000);

const databases = cutoverTestDatabases();
const OWNER = 'group:default/orders-team';

/** The legacy and new schemas of a small shop: renamed and dropped columns, a keyless log. */
async function createSchemas(legacy: Knex, next: Knex) {
  for (const db of [legacy, next]) {
    await db.schema.createTable('customers', t => {
      t.integer('id').primary();
      t.string('name');
      if (db === legacy) t.string('legacy_code');
      else t.string('email');
    });
    await db.schema.createTable('orders', t => {
      t.integer('id').primary();
      t.integer('customer_id').references('id').inTable('customers');
      t.decimal('total', 12, 2);
    });
    await db.schema.createTable('order_items', t => {
      t.integer('order_id').references('id').inTable('orders');
      t.integer('line');
      t.integer('qty');
      t.primary(['order_id', 'line']);
    });
    await db.schema.createTable('audit_log', t => {
      t.string('message');
    });
    await db('customers').insert([
      { id: 1, name: 'Ada' },
      { id: 2, name: 'Bo' },
      { id: 3, name: 'Cy' },
    ]);
    await db('orders').insert([
      { id: 10, customer_id: 1, total: 5 },
      { id: 11, customer_id: 2, total: 7 },
    ]);
  }
  await legacy.schema.createTable('fax_numbers', t =>
    t.integer('id').primary(),
  );
  await next.schema.createTable('preferences', t => t.integer('id').primary());
  await next.schema.createTable('salaries', t => t.integer('id').primary());
}

async function twoDatabases(id: TestDatabaseId) {
  if (id.startsWith('POSTGRES')) {
    const legacy = await databases.init(id);
    const next = await databases.init(id);
    const settings = (k: Knex) => ({
      client: 'pg',
      connection: k.client.config.connection,
    });
    return {
      legacy,
      next,
      legacyConfig: settings(legacy),
      nextConfig: settings(next),
      done: async () => {},
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-draft-'));
  const open = (file: string) =>
    knexFactory({
      client: 'better-sqlite3',
      connection: { filename: path.join(dir, file) },
      useNullAsDefault: true,
    });
  const legacy = open('legacy.db');
  const next = open('next.db');
  return {
    legacy,
    next,
    legacyConfig: {
      client: 'better-sqlite3',
      connection: { filename: path.join(dir, 'legacy.db') },
    },
    nextConfig: {
      client: 'better-sqlite3',
      connection: { filename: path.join(dir, 'next.db') },
    },
    done: async () => {
      await legacy.destroy();
      await next.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe.each(databases.eachSupportedId())('plan drafts on %s', databaseId => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  async function setup() {
    const knex = await databases.init(databaseId);
    const dbs = await twoDatabases(databaseId);
    cleanups.push(dbs.done);
    await createSchemas(dbs.legacy, dbs.next);
    const started = await startCutoverBackend({
      knex,
      config: {
        cutover: {
          connections: {
            'shop-legacy': {
              ...dbs.legacyConfig,
              owners: [OWNER],
              readOnly: true,
            },
            // The new database exposes every table but the payroll's.
            'shop-new': {
              ...dbs.nextConfig,
              owners: [OWNER],
              tables: [
                'customers',
                'orders',
                'order_items',
                'audit_log',
                'preferences',
                'fax_numbers',
              ],
            },
            'billing-db': {
              ...dbs.nextConfig,
              owners: ['group:default/billing-team'],
            },
          },
        },
      },
    });
    const draft = (who: string, body: object) =>
      started
        .api()
        .post('/api/cutover/plans/draft')
        .set('Authorization', who)
        .send(body);
    return { ...started, draft };
  }

  it('drafts datasets keyed by primary keys, in tiers by foreign keys, with counts, relations and what a person must decide', async () => {
    const { draft, api } = await setup();
    const res = await draft(as.owner, {
      source: 'shop-legacy',
      destination: 'shop-new',
      owner: OWNER,
      approvers: 'group:default/cutover-approvers',
      entityRefs: ['component:default/orders-service'],
      id: 'shop-v2',
      title: 'Shop onto the new database',
    });
    expect(res.status).toBe(200);
    const body = res.body;
    expect(body.plan).toMatchObject({
      id: 'shop-v2',
      title: 'Shop onto the new database',
      owner: OWNER,
      approvers: 'group:default/cutover-approvers',
      source: { connection: 'shop-legacy' },
      destination: { connection: 'shop-new' },
    });
    expect(body.plan.datasets).toEqual([
      {
        name: 'customers',
        tier: 1,
        table: 'customers',
        keyColumns: ['id'],
        totalRecords: 3,
        ignoreColumns: ['legacy_code', 'email'],
      },
      {
        name: 'orders',
        tier: 2,
        table: 'orders',
        keyColumns: ['id'],
        totalRecords: 2,
      },
      {
        name: 'order_items',
        tier: 3,
        table: 'order_items',
        keyColumns: ['order_id', 'line'],
        totalRecords: 0,
      },
    ]);
    expect(body.relations).toEqual(
      expect.arrayContaining([
        {
          dataset: 'orders',
          columns: ['customer_id'],
          references: 'customers',
          referencedColumns: ['id'],
        },
        {
          dataset: 'order_items',
          columns: ['order_id'],
          references: 'orders',
          referencedColumns: ['id'],
        },
      ]),
    );
    // ... and are the plan's integrity relations, checked after each reconciliation.
    expect(body.plan.integrity.relations).toEqual(
      expect.arrayContaining([
        {
          dataset: 'orders',
          columns: ['customer_id'],
          references: { dataset: 'customers', columns: ['id'] },
        },
        {
          dataset: 'order_items',
          columns: ['order_id'],
          references: { dataset: 'orders', columns: ['id'] },
        },
      ]),
    );
    expect(body.unkeyed).toEqual([
      { table: 'audit_log', reason: expect.stringMatching(/no primary key/) },
    ]);
    expect(body.onlyInSource).toEqual(['fax_numbers']);
    expect(body.onlyInDestination).toEqual(['preferences']);
    expect(body.excluded).toEqual([
      {
        side: 'destination',
        table: 'salaries',
        reason: expect.stringMatching(/does not expose it/),
      },
    ]);
    // The YAML is the same plan, with the reviewer's notes as comments; the API accepts it as it stands.
    expect(YAML.parse(body.yaml)).toEqual(body.plan);
    expect(body.yaml).toMatch(
      /# only in source: legacy_code; only in destination: email/,
    );
    expect(body.yaml).toMatch(/# Left out, no key to reconcile by: audit_log/);
    expect(migrationPlanSchema.safeParse(body.plan).success).toBe(true);
    // Drafting never applies anything.
    await api()
      .get('/api/cutover/migrations/shop-v2')
      .set('Authorization', as.owner)
      .expect(404);
    const applied = await api()
      .put('/api/cutover/migrations/shop-v2')
      .set('Authorization', as.owner)
      .send(YAML.parse(body.yaml));
    expect(applied.status).toBe(201);
  });

  it('applies the governance of plans: owner, connections, writable destination, input', async () => {
    const { draft } = await setup();
    const base = {
      source: 'shop-legacy',
      destination: 'shop-new',
      owner: OWNER,
    };
    // Another team's member may not draft for the orders team.
    const foreign = await draft(as.otherTeam, base);
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.message).toMatch(
      /may not make group:default\/orders-team the owner/,
    );
    // A connection the owner may not use, and one nobody declared.
    const billing = await draft(as.owner, {
      ...base,
      destination: 'billing-db',
    });
    expect(billing.status).toBe(403);
    expect(billing.body.error.message).toMatch(
      /destination\.connection "billing-db" may not be used by group:default\/orders-team/,
    );
    const unknown = await draft(as.owner, { ...base, source: 'warehouse' });
    expect(unknown.status).toBe(403);
    expect(unknown.body.error.message).toMatch(/"warehouse" is not declared/);
    // A read-only source cannot be the destination.
    const readOnly = await draft(as.owner, {
      ...base,
      destination: 'shop-legacy',
    });
    expect(readOnly.status).toBe(403);
    expect(readOnly.body.error.message).toMatch(/read-only/);
    // Bad input names the field.
    const bad = await draft(as.owner, {
      ...base,
      schema: 'public; drop table x',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/schema/);
    const extra = await draft(as.owner, { ...base, apply: true });
    expect(extra.status).toBe(400);
    // A reader (no migration.create under the test policy? everyone may create) is still judged by the owner rule.
    const reader = await draft(as.reader, base);
    expect(reader.status).toBe(403);
  });

  it('drafts from the CLI: YAML on stdout (to redirect into a file), what to decide on stderr, or one JSON document', async () => {
    const { server } = await setup();
    const base = `http://127.0.0.1:${
      (server.address() as AddressInfo).port
    }/api/cutover`;
    const client = new CutoverClient({
      discoveryApi: { getBaseUrl: async () => base },
      fetchApi: {
        fetch: (input, init) => {
          const headers = new Headers(init?.headers);
          headers.set('authorization', as.owner);
          return fetch(input, { ...init, headers });
        },
      },
    });
    const cli = async (...args: string[]) => {
      const r = await cliWith({ env: {}, client })(...args);
      return { code: r.code, out: r.out.join('\n'), err: r.err.join('\n') };
    };
    const args = [
      'plan',
      'draft',
      '--source',
      'shop-legacy',
      '--destination',
      'shop-new',
      '--owner',
      OWNER,
      '--id',
      'shop-v2',
    ];
    const yaml = await cli(...args);
    expect(yaml.code).toBe(0);
    const plan = YAML.parse(yaml.out);
    expect(plan.id).toBe('shop-v2');
    expect(plan.datasets.map((d: { name: string }) => d.name)).toEqual([
      'customers',
      'orders',
      'order_items',
    ]);
    expect(yaml.err).toMatch(/left out audit_log: no primary key/);
    expect(yaml.err).toMatch(/left out destination table salaries/);
    const json = await cli('--json', ...args);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({
      plan: { id: 'shop-v2' },
      unkeyed: [{ table: 'audit_log' }],
    });
    const refused = await cli(
      '--json',
      'plan',
      'draft',
      '--source',
      'shop-legacy',
      '--destination',
      'billing-db',
      '--owner',
      OWNER,
    );
    expect(refused.code).not.toBe(0);
    expect(JSON.parse(refused.out).error.message).toMatch(/billing-db/);
  });

  it('drafts from a software template (cutover:plan:draft) as its user, with the review as markdown, and the draft applies', async () => {
    const { server, api } = await setup();
    const base = `http://127.0.0.1:${
      (server.address() as AddressInfo).port
    }/api/cutover`;
    const discovery = {
      getBaseUrl: async () => base,
      getExternalBaseUrl: async () => base,
    };
    const auth = mockServices.auth({ pluginId: 'scaffolder' });
    const runAs = async (action: any, user: string, input: object) => {
      const ctx = createMockActionContext({ input } as any);
      ctx.getInitiatorCredentials = async () => mockCredentials.user(user);
      await action.handler(ctx as any);
      return ctx;
    };
    const drafted = await runAs(
      createCutoverPlanDraftAction({ discovery, auth }),
      'user:default/olivia-owner',
      {
        source: 'shop-legacy',
        destination: 'shop-new',
        owner: OWNER,
        id: 'shop-v2',
        title: 'Shop onto the new database',
        entityRefs: ['component:default/orders-service'],
      },
    );
    const outputs = Object.fromEntries(
      (drafted.output as jest.Mock).mock.calls,
    );
    expect(outputs.datasetCount).toBe(3);
    expect(outputs.review).toMatch(
      /\*\*3 datasets\*\* drafted from `shop-legacy` to `shop-new`/,
    );
    expect(outputs.review).toMatch(/- `audit_log`: no primary key/);
    expect(outputs.review).toMatch(
      /```yaml\n# Drafted from connections[^]*\nid: shop-v2\n/,
    );
    // The reviewed plan goes on to cutover:plan:apply, as the template does.
    const applied = await runAs(
      createCutoverPlanApplyAction({ discovery, auth }),
      'user:default/olivia-owner',
      {
        plan: outputs.yaml,
      },
    );
    expect(applied.output).toHaveBeenCalledWith(
      'migrationPath',
      '/catalog/default/component/orders-service/migration',
    );
    const migration = await api()
      .get('/api/cutover/migrations/shop-v2')
      .set('Authorization', as.owner)
      .expect(200);
    expect(
      migration.body.datasets.map((d: { name: string }) => d.name),
    ).toEqual(['customers', 'orders', 'order_items']);
    // Another team's member cannot draft with the orders team's connections.
    await expect(
      runAs(
        createCutoverPlanDraftAction({ discovery, auth }),
        'user:default/bob-billing',
        {
          source: 'shop-legacy',
          destination: 'shop-new',
          owner: OWNER,
        },
      ),
    ).rejects.toThrow(/may not make group:default\/orders-team the owner/);
  });

  it('says which schema does not exist', async () => {
    const { draft } = await setup();
    const res = await draft(as.owner, {
      source: 'shop-legacy',
      destination: 'shop-new',
      owner: OWNER,
      schema: 'nowhere',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/schema: .*nowhere/);
  });
});
