/**
 * The two database engines the toolkit speaks, and running fragments on them.
 */
import { Knex } from 'knex';
import { Fragment, rawArgs } from './fragment';

/** `pg` (PostgreSQL) or `sqlite` (better-sqlite3). */
export type Dialect = 'pg' | 'sqlite';

/** A Knex instance or a transaction. */
export type Db = Knex | Knex.Transaction;

/** The dialect of a connection's knex client name (`pg`, `better-sqlite3`). */
export function dialectOfClient(client: string): Dialect {
  return client === 'pg' ? 'pg' : 'sqlite';
}

/** Runs one statement and returns its rows. */
export async function rows<T>(db: Db, dialect: Dialect, fragment: Fragment): Promise<T[]> {
  const result = await db.raw(...rawArgs(fragment));
  return (dialect === 'pg' ? result.rows : result) as T[];
}

/** Runs one statement and returns the number of rows it changed. */
export async function exec(db: Db, dialect: Dialect, fragment: Fragment): Promise<number> {
  const result = await db.raw(...rawArgs(fragment));
  return Number((dialect === 'pg' ? result?.rowCount : result?.changes) ?? 0);
}

/** Runs one statement, returning its rows. */
export type Run = <T>(fragment: Fragment) => Promise<T[]>;

/**
 * PostgreSQL settings the text output of values depends on (dates, times, intervals, floats,
 * bytea), pinned by whatever hashes values as text so that every session gets the same result.
 */
export const PG_TEXT_OUTPUT_SETTINGS: ReadonlyArray<readonly [string, string]> = [
  ['TimeZone', 'UTC'],
  ['DateStyle', 'ISO, YMD'],
  ['IntervalStyle', 'postgres'],
  ['extra_float_digits', '1'],
  ['bytea_output', 'hex'],
];
