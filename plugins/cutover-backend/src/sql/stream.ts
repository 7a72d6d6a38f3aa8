/**
 * Statements read in batches instead of whole: a PostgreSQL cursor (DECLARE / FETCH / CLOSE inside
 * the caller's transaction) or a better-sqlite3 statement iterator on the transaction's connection.
 */
import { Knex } from 'knex';
import { Fragment, ident, rawArgs, sql } from './fragment';
import { sqliteTransactionConnection } from './sqliteFunctions';

/** Batches of rows, in the statement's order; `next` gives an empty batch at the end. */
export interface RowStream<T> {
  next(): Promise<T[]>;
  /** Releases the cursor; safe to call more than once. */
  close(): Promise<void>;
}

/** A cursor named `name` over `fragment`, read `batchRows` rows at a time. */
export function pgCursor<T>(trx: Knex.Transaction, name: string, fragment: Fragment, batchRows: number): RowStream<T> {
  if (!Number.isSafeInteger(batchRows) || batchRows < 1) throw new Error(`Bad batch size ${batchRows}`);
  let state: 'new' | 'open' | 'closed' = 'new';
  const close = async () => {
    const open = state === 'open';
    // Closed before CLOSE is sent: a FETCH in flight (read ahead) that ends the cursor, or a
    // second close, must not send it twice.
    state = 'closed';
    if (open) await trx.raw(...rawArgs(sql`CLOSE ${ident(name)}`));
  };
  return {
    next: async () => {
      if (state === 'closed') return [];
      if (state === 'new') {
        await trx.raw(...rawArgs(sql`DECLARE ${ident(name)} NO SCROLL CURSOR FOR ${fragment}`));
        if ((state as string) === 'closed') {
          // Closed while it was being declared (the merge failed on the other side).
          await trx.raw(...rawArgs(sql`CLOSE ${ident(name)}`));
          return [];
        }
        state = 'open';
      }
      // FETCH takes no parameter: the count is an integer of this module, checked above.
      const result = await trx.raw(`FETCH ${batchRows} FROM ??`, [name]);
      const batch = result.rows as T[];
      if (batch.length < batchRows) await close();
      return batch;
    },
    close,
  };
}

interface SqliteStatement {
  iterate(...bindings: unknown[]): IterableIterator<unknown>;
}

/** The rows of `fragment` on the SQLite transaction's connection, `batchRows` at a time. */
export function sqliteIterator<T>(trx: Knex.Transaction, fragment: Fragment, batchRows: number): RowStream<T> {
  let iterator: IterableIterator<unknown> | undefined;
  let done = false;
  const close = async () => {
    if (iterator && !done) iterator.return?.();
    done = true;
  };
  return {
    next: async () => {
      if (done) return [];
      if (!iterator) {
        // knex resolves `??` identifiers; better-sqlite3 binds the values.
        const native = trx.raw(...rawArgs(fragment)).toSQL().toNative();
        const connection = (await sqliteTransactionConnection(trx)) as {
          prepare(text: string): SqliteStatement;
        };
        iterator = connection.prepare(native.sql).iterate(...(native.bindings as unknown[]));
      }
      const batch: T[] = [];
      while (batch.length < batchRows) {
        const step = iterator.next();
        if (step.done) {
          done = true;
          break;
        }
        batch.push(step.value as T);
      }
      return batch;
    },
    close,
  };
}
