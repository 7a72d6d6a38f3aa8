/** The reconciliation's functions on SQLite connections (registered through the function host). */
import { registerSqliteFunctions } from '../sql/sqliteFunctions';
import { canonicalRowHash, canonicalRowHashHalves, canonicalValue, CODES, HashSum } from './canonical';

/** `cutover_recon_canon(code, value)`: canonical text of a value. */
export const SQLITE_RECON_CANON = 'cutover_recon_canon';
/** `cutover_recon_hash(spec, col1, ...)`: row hash as decimal text; spec = codes joined by ','. */
export const SQLITE_RECON_HASH = 'cutover_recon_hash';
/** Aggregate `cutover_recon_sum(spec, col1, ...)`: sum of the row hashes, as decimal text. */
export const SQLITE_RECON_SUM = 'cutover_recon_sum';

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

/** Registers the reconciliation functions on one better-sqlite3 connection; idempotent. */
export function prepareSqliteReconciliation(connection: unknown): void {
  registerSqliteFunctions(connection, 'reconciliation', db => {
    const options = { deterministic: true, safeIntegers: true };
    db.function(SQLITE_RECON_CANON, options, (code, value) => canonicalValue(String(code), value));
    db.function(SQLITE_RECON_HASH, { ...options, varargs: true }, (spec, ...values) =>
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
      ...options,
      varargs: true,
    });
  });
}
