/**
 * The SQLite function host: JavaScript functions registered on better-sqlite3 connections (the
 * snapshot checksum, the reconciliation's canonical values and row hashes), once per connection and
 * function set.
 */
import { Knex } from 'knex';

/**
 * The part of a better-sqlite3 `Database` the function registration needs. Declared here so this
 * package does not import the driver, which is only a development dependency of it.
 */
export interface SqliteFunctionHost {
  function(
    name: string,
    options: {
      deterministic?: boolean;
      varargs?: boolean;
      safeIntegers?: boolean;
    },
    fn: (...args: unknown[]) => unknown,
  ): unknown;
  aggregate(
    name: string,
    options: {
      start: () => unknown;
      step: (total: unknown, ...args: unknown[]) => unknown;
      result: (total: unknown) => unknown;
      deterministic?: boolean;
      varargs?: boolean;
      safeIntegers?: boolean;
    },
  ): unknown;
  /** Loads a SQLite extension (better-sqlite3's `loadExtension(file, entryPoint)`). */
  loadExtension?(file: string, entryPoint?: string): unknown;
}

const registered = new WeakMap<object, Set<string>>();

/**
 * Calls `register` with the connection the first time the function set `set` is registered on it;
 * later calls do nothing. Throws a TypeError for anything but a better-sqlite3 connection.
 */
export function registerSqliteFunctions(
  connection: unknown,
  set: string,
  register: (db: SqliteFunctionHost) => void,
): void {
  const db = connection as SqliteFunctionHost;
  if (!db || typeof db.function !== 'function' || typeof db.aggregate !== 'function') {
    throw new TypeError('Not a better-sqlite3 connection');
  }
  let sets = registered.get(db);
  if (!sets) {
    sets = new Set();
    registered.set(db, sets);
  }
  if (sets.has(set)) return;
  register(db);
  sets.add(set);
}

/** The connection a SQLite transaction runs on (inside a transaction, knex hands back its own). */
export async function sqliteTransactionConnection(trx: Knex.Transaction): Promise<unknown> {
  return (trx.client as { acquireConnection(): Promise<unknown> }).acquireConnection();
}
