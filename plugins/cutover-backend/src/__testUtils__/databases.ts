import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import fs from 'node:fs';

/**
 * What the running test opened (its databases, then its backends), closed in reverse order when
 * the test ends. TestDatabases and startTestBackend close what they opened only after the file's
 * last test, and every test database keeps a pool of up to five connections: a file of many
 * tests held five PostgreSQL connections per test until its end, and a few such files in
 * parallel Jest workers took all of the server's. Closed per test, a file holds the connections
 * of one test (and of what its `beforeAll`s opened, which stays open for the file as before).
 */
const closeWhenTestEnds: Array<() => Promise<void>> = [];
let testRunning = false;
let hooksRegistered = false;

function registerTestHooks() {
  if (hooksRegistered) return;
  hooksRegistered = true;
  beforeEach(() => {
    testRunning = true;
  });
  afterEach(async () => {
    testRunning = false;
    const errors: unknown[] = [];
    while (closeWhenTestEnds.length) {
      try {
        await closeWhenTestEnds.pop()!();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length) throw errors[0];
  });
}

/**
 * Closes `close` when the running test ends, after what the test opened later (a backend stops
 * before its database closes). Outside a test (a `beforeAll`) it does nothing: what a `beforeAll`
 * opens is shared by the tests after it, and closed after the file's last test.
 */
export function closeWhenTheTestEnds(close: () => Promise<void>) {
  if (testRunning) closeWhenTestEnds.push(close);
}

/** `setTimeout` as loaded, should a test leave Jest's fake timers in place. */
const realSetTimeout = setTimeout;

/**
 * Waits until no query runs on `knex`, or waits for a connection, for `timeoutMs` at most: work a
 * stopped backend left going (a debounced portfolio refresh, a detached job) ends as it did when
 * the database stayed open until the file's end, instead of failing on a closed pool.
 */
async function quiet(knex: Knex, timeoutMs = 5_000) {
  const pool = knex.client.pool as
    | {
        numUsed(): number;
        numPendingAcquires(): number;
        numPendingCreates(): number;
      }
    | undefined;
  const step = 10;
  for (let idle = 0, waited = 0; pool && idle < 2 && waited < timeoutMs; ) {
    const busy =
      pool.numUsed() + pool.numPendingAcquires() + pool.numPendingCreates();
    idle = busy ? 0 : idle + 1;
    await new Promise(resolve => realSetTimeout(resolve, step));
    waited += step;
  }
}

/**
 * The databases every database-touching test runs on: SQLite always, PostgreSQL when
 * `scripts/test` found a server (SWITCHYARD_TEST_DATABASES). If PostgreSQL is listed but can't be
 * reached, `init` throws and the tests fail loudly rather than skip. A database a test (or its
 * `beforeEach`) gets is closed when the test ends; call this at the top of a test file.
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
  registerTestHooks();
  const init = databases.init.bind(databases);
  databases.init = async (id: TestDatabaseId) => {
    const knex = await init(id);
    closeWhenTheTestEnds(async () => {
      await quiet(knex);
      await knex.destroy();
    });
    const log = process.env.SWITCHYARD_TEST_DATABASES_LOG;
    if (log) fs.appendFileSync(log, `${id}\n`);
    return knex;
  };
  return databases;
}
