import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import fs from 'node:fs';

/**
 * The databases every database-touching test runs on: SQLite always, PostgreSQL when
 * `scripts/test` found a server (SWITCHYARD_TEST_DATABASES). If PostgreSQL is listed but can't be
 * reached, `init` throws and the tests fail loudly rather than skip.
 */
export function cutoverTestDatabases() {
  const ids = (process.env.SWITCHYARD_TEST_DATABASES ?? 'SQLITE_3')
    .split(',')
    .map(s => s.trim())
    .filter(Boolean) as TestDatabaseId[];
  const databases = TestDatabases.create({ ids, disableDocker: true });
  for (const id of ids) {
    if (!databases.supports(id)) {
      throw new Error(
        `Test database ${id} was requested but is not configured (set its connection string)`,
      );
    }
  }
  const init = databases.init.bind(databases);
  databases.init = async (id: TestDatabaseId) => {
    const knex = await init(id);
    const log = process.env.SWITCHYARD_TEST_DATABASES_LOG;
    if (log) fs.appendFileSync(log, `${id}\n`);
    return knex;
  };
  return databases;
}
