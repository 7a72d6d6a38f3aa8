// What the relation checks and golden queries share: the dialect, read-only transactions, rows.
import { InputError } from '@backstage/errors';
import type { Knex } from 'knex';

export type Dialect = 'pg' | 'sqlite';

export function dialectOf(knex: Knex): Dialect {
  const driver = (knex.client as { driverName?: string }).driverName;
  const configured = knex.client.config?.client;
  const name = driver ?? (typeof configured === 'string' ? configured : '');
  if (name === 'pg' || name === 'postgres' || name === 'postgresql')
    return 'pg';
  if (name === 'better-sqlite3' || name === 'sqlite3') return 'sqlite';
  throw new InputError(
    `Integrity checks support PostgreSQL and SQLite connections, not '${name}'`,
  );
}

/** Elapsed milliseconds of a monotonic timer (a duration, not a point in time). */
export function stopwatch(): () => number {
  const start = process.hrtime.bigint();
  return () => Number(process.hrtime.bigint() - start) / 1e6;
}

export const lower = (s: string) => s.toLocaleLowerCase('en-US');

/** `schema.table` or `table`, without a default schema, lower case: for matching names. */
export function tableKey(table: string, dialect: Dialect): string {
  const parts = lower(table).split('.');
  if (parts.length === 2 && parts[0] === (dialect === 'pg' ? 'public' : 'main'))
    return parts[1];
  return parts.join('.');
}

/** A plan's table name quoted the way Knex's `??` quotes it, for `to_regclass`. */
export function quotedName(table: string): string {
  return table
    .split('.')
    .map(p => `"${p.replace(/"/g, '""')}"`)
    .join('.');
}

/**
 * Runs work inside a read-only transaction bounded by a statement timeout. PostgreSQL cancels a
 * statement past the timeout; SQLite has none, so a statement that took longer fails afterwards.
 * On SQLite `query_only` refuses writes for the duration.
 */
export async function readOnly<T>(
  knex: Knex,
  timeoutMs: number,
  work: (trx: Knex.Transaction) => Promise<T>,
): Promise<T> {
  const dialect = dialectOf(knex);
  return knex.transaction(async trx => {
    if (dialect === 'pg') {
      await trx.raw('SET TRANSACTION READ ONLY');
      await trx.raw(`SET LOCAL statement_timeout = ${Math.round(timeoutMs)}`);
      return work(trx);
    }
    await trx.raw('PRAGMA query_only = 1');
    try {
      const elapsed = stopwatch();
      const result = await work(trx);
      if (elapsed() > timeoutMs)
        throw new Error(
          `canceling statement due to statement timeout (${timeoutMs} ms; SQLite checks it afterwards)`,
        );
      return result;
    } finally {
      await trx.raw('PRAGMA query_only = 0');
    }
  });
}

export function rowsOf(
  result: unknown,
  dialect: Dialect,
): Record<string, unknown>[] {
  if (dialect === 'pg')
    return (result as { rows: Record<string, unknown>[] }).rows;
  return result as Record<string, unknown>[];
}
