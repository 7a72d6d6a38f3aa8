import { ConfigReader } from '@backstage/config';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { TestDatabaseId } from '@backstage/backend-test-utils';
import { cutoverTestDatabases } from '../__testUtils__/databases';
import { CutoverConnections } from './connections';

jest.setTimeout(60_000);

const databases = cutoverTestDatabases();

/** One connection named `target` with short timeouts. */
function bounded(connection: Record<string, unknown>) {
  return CutoverConnections.fromConfig(
    new ConfigReader({
      cutover: {
        connections: {
          target: {
            ...connection,
            statementTimeout: { milliseconds: 300 },
            lockTimeout: { milliseconds: 250 },
          },
        },
      },
    }),
  );
}

describe('connections to migration databases on SQLite', () => {
  it("bound the wait for the database's lock by the lock timeout (SQLite has no statement timeout)", async () => {
    const file = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), 'conn-')),
      'db.sqlite',
    );
    const connections = bounded({
      client: 'better-sqlite3',
      connection: { filename: file },
    });
    try {
      expect(
        await connections.get('target').raw('PRAGMA busy_timeout'),
      ).toEqual([{ timeout: 250 }]);
    } finally {
      await connections.destroy();
    }
  });
});

const postgres = databases
  .eachSupportedId()
  .filter(([id]) => String(id).startsWith('POSTGRES'));
const eachPostgres = postgres.length
  ? describe.each(postgres)
  : describe.skip.each([['POSTGRES (not configured)' as TestDatabaseId]]);

eachPostgres('connections to migration databases on %s', databaseId => {
  it('bound every statement and every wait for a lock by the configured timeouts', async () => {
    const knex = await databases.init(databaseId);
    const connections = bounded({
      client: 'pg',
      connection: knex.client.config.connection,
    });
    try {
      const db = connections.get('target');
      expect((await db.raw('SHOW lock_timeout')).rows).toEqual([
        { lock_timeout: '250ms' },
      ]);
      await expect(db.raw('SELECT pg_sleep(2)')).rejects.toThrow(
        /canceling statement due to statement timeout/,
      );
    } finally {
      await connections.destroy();
    }
  });
});
