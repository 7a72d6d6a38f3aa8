/**
 * The reconciliation's functions on SQLite connections: the JavaScript ones (registered through the
 * function host) and, where it was built, the native extension (native/cutover_recon.c) that hashes
 * the same rows in C: `cutover_recon_hash_n(spec, col1, ...)` gives the row hash as an INTEGER, or
 * NULL where it leaves the row to `cutover_recon_hash` (asked as `coalesce(native, javascript)`), and
 * the aggregate `cutover_recon_isum(hash)` sums both kinds exactly, as decimal text.
 */
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import fs from 'node:fs';
import { registerSqliteFunctions, SqliteFunctionHost } from '../sql/sqliteFunctions';
import { canonicalRowHash, canonicalRowHashHalves, canonicalValue, CODES, HashSum } from './canonical';

/** `cutover_recon_canon(code, value)`: canonical text of a value. */
export const SQLITE_RECON_CANON = 'cutover_recon_canon';
/** `cutover_recon_hash(spec, col1, ...)`: row hash as decimal text; spec = codes joined by ','. */
export const SQLITE_RECON_HASH = 'cutover_recon_hash';
/** Aggregate `cutover_recon_sum(spec, col1, ...)`: sum of the row hashes, as decimal text. */
export const SQLITE_RECON_SUM = 'cutover_recon_sum';

let extensionPath: string | null | undefined;

/** The built extension's file, or null when it was not built (see native/build.mjs). */
export function sqliteHashingExtension(): string | null {
  if (extensionPath === undefined) {
    let file: string | null = null;
    try {
      file = resolvePackagePath('@switchyard/plugin-cutover-backend', 'native/build/cutover_recon.so');
    } catch {
      file = null;
    }
    extensionPath = file && fs.existsSync(file) ? file : null;
  }
  return extensionPath;
}

const specCache = new Map<string, string[]>();

function parseSpec(spec: unknown): string[] {
  if (typeof spec !== 'string') throw new TypeError('Row hash spec must be text');
  let codes = specCache.get(spec);
  if (!codes) {
    codes = spec.split(',');
    if (codes.some(c => !CODES.has(c))) throw new TypeError(`Bad row hash spec '${spec}'`);
    if (specCache.size > 1000) specCache.clear();
    specCache.set(spec, codes);
  }
  return codes;
}

/** Whether the extension loaded on a connection (asked once per connection). */
const nativeState = new WeakMap<object, boolean>();

/** How a SQLite connection hashes rows for reconciliations. */
export type SqliteHashing = 'native' | 'javascript';

/**
 * Registers the reconciliation functions on one better-sqlite3 connection (idempotent) and, when
 * `native` is not false and the extension was built, loads it there. Returns `native` when the
 * connection has the extension's functions.
 */
export function prepareSqliteReconciliation(connection: unknown, options: { native?: boolean } = {}): SqliteHashing {
  registerSqliteFunctions(connection, 'reconciliation', db => {
    const fnOptions = { deterministic: true, safeIntegers: true };
    db.function(SQLITE_RECON_CANON, fnOptions, (code, value) => canonicalValue(String(code), value));
    db.function(SQLITE_RECON_HASH, { ...fnOptions, varargs: true }, (spec, ...values) =>
      canonicalRowHash(parseSpec(spec), values).toString(),
    );
    db.aggregate(SQLITE_RECON_SUM, {
      start: () => new HashSum(),
      step: (total, spec, ...values) => {
        canonicalRowHashHalves(parseSpec(spec), values);
        (total as HashSum).addHalves();
        return total;
      },
      result: total => (total as HashSum).value.toString(),
      ...fnOptions,
      varargs: true,
    });
  });
  if (options.native === false) return 'javascript';
  const file = sqliteHashingExtension();
  const db = connection as SqliteFunctionHost;
  if (!file || typeof db.loadExtension !== 'function') return 'javascript';
  let state = nativeState.get(db);
  if (state === undefined) {
    try {
      db.loadExtension(file, 'sqlite3_cutoverrecon_init');
      state = true;
    } catch {
      // An extension that does not load (another SQLite build, a foreign platform) leaves the
      // JavaScript functions, which give the same results; the run's stats say which hashed.
      state = false;
    }
    nativeState.set(db, state);
  }
  return state ? 'native' : 'javascript';
}
