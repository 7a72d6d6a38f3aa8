import { resolvePackagePath } from '@backstage/backend-plugin-api';
import fs from 'node:fs';
import { Knex } from 'knex';
import { cutoverTestDatabases } from '../__testUtils__/databases';

jest.setTimeout(120_000);

const databases = cutoverTestDatabases();
const directory = resolvePackagePath('@switchyard/plugin-cutover-backend', 'migrations');
const config = { directory, tableName: 'cutover_knex_migrations' };
const FILES = fs.readdirSync(directory).filter(f => f.endsWith('.js')).sort();

async function tables(knex: Knex): Promise<string[]> {
  const client = knex.client.config.client as string;
  const rows =
    client === 'pg'
      ? (await knex.raw(`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()`)).rows
      : await knex.raw(`SELECT name FROM sqlite_master WHERE type = 'table'`);
  return (rows as Array<{ name: string }>)
    .map(r => r.name)
    .filter(n => n.startsWith('cutover_') && !n.startsWith('cutover_knex_migrations'))
    .sort();
}

describe.each(databases.eachSupportedId())('the Knex migrations on %s', databaseId => {
  it('step up one by one keeping data, step all the way down, and up again', async () => {
    const knex = await databases.init(databaseId);
    expect(FILES.length).toBeGreaterThanOrEqual(9);

    // Up to the first migration, with a migration and a dataset as a user of that version had them.
    await knex.migrate.up(config);
    await knex('cutover_migrations').insert({
      id: 'orders-v2', title: 'Orders', owner: 'group:default/orders-team', plan: '{}', created_at: 1, updated_at: 1,
    });
    await knex('cutover_datasets').insert({ migration_id: 'orders-v2', name: 'orders', key_columns: '["id"]' });
    const seen: string[][] = [await tables(knex)];
    for (let i = 1; i < FILES.length; i++) {
      await knex.migrate.up(config);
      const now = await tables(knex);
      // Each step adds tables or columns; none goes missing on the way up.
      expect(now).toEqual(expect.arrayContaining(seen[seen.length - 1]));
      seen.push(now);
    }
    const [completed, pending] = await knex.migrate.list(config);
    expect(completed).toHaveLength(FILES.length);
    expect(pending).toHaveLength(0);

    // The data of the first version is still there, with the later columns' defaults.
    const dataset = await knex('cutover_datasets').where({ migration_id: 'orders-v2', name: 'orders' }).first();
    expect(dataset).toMatchObject({ key_columns: '["id"]', cutover_state: 'PENDING', read_source: 'LEGACY', compared_columns: '{}', rollout_source: null, rollout_percent: null });
    // Resources (20261207120000): absent until a job reports them; the dataset's newest sample not paused.
    expect(dataset).toMatchObject({ bytes_moved: null, cost: null, errors_by_type: null });
    expect(Boolean(dataset.last_sample_paused)).toBe(false);
    expect(await knex('cutover_migrations').where({ id: 'orders-v2' }).first()).toMatchObject({ title: 'Orders' });

    // Every migration can be undone, in order, back to nothing.
    for (let i = FILES.length - 1; i >= 0; i--) {
      await knex.migrate.down(config);
      expect(await tables(knex)).toEqual(seen[i - 1] ?? []);
    }
    expect(await tables(knex)).toEqual([]);

    // And the whole chain applies again on a database that had it before.
    await knex.migrate.latest(config);
    expect(await tables(knex)).toEqual(seen[seen.length - 1]);
  });
});
