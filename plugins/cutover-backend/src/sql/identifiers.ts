/**
 * Identifier checks. Names a plan gives (tables, key columns) must be plain identifiers; names read
 * from the catalogs are accepted unless they hold characters knex `??` cannot quote faithfully.
 */
import { InputError } from '@backstage/errors';
import { Dialect } from './dialect';

/** Longest identifier (PostgreSQL's NAMEDATALEN - 1). */
export const MAX_IDENTIFIER = 63;
const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `[A-Za-z_][A-Za-z0-9_]*`, at most 63 characters. */
export function isPlainIdentifier(name: unknown): name is string {
  return typeof name === 'string' && PLAIN_IDENTIFIER.test(name) && name.length <= MAX_IDENTIFIER;
}

/** A name read from a catalog: anything knex `??` quotes faithfully, else an InputError. */
export function checkCatalogName(name: string, what: string): string {
  if (
    !name ||
    Buffer.byteLength(name) > 255 ||
    /[.?"`\\]/.test(name) ||
    name.includes(String.fromCharCode(0)) ||
    /\sas\s/i.test(name) ||
    name.trim() !== name
  ) {
    throw new InputError(`${what} '${name}' contains characters that cannot be quoted safely`);
  }
  return name;
}

/**
 * Splits and validates a plan's table name: `table`, or `schema.table` on PostgreSQL. Throws
 * `InputError` for anything but plain identifiers (so `x; drop table y` never reaches SQL).
 */
export function parseTableName(table: string, dialect: Dialect): { schema?: string; name: string } {
  const parts = typeof table === 'string' ? table.split('.') : [];
  const maxParts = dialect === 'pg' ? 2 : 1;
  if (parts.length < 1 || parts.length > maxParts || !parts.every(isPlainIdentifier)) {
    throw new InputError(
      `Table name '${table}' is not valid: use ${
        dialect === 'pg' ? '[schema.]table' : 'table'
      } with letters, digits and _ (at most ${MAX_IDENTIFIER} characters each)`,
    );
  }
  return parts.length === 2 ? { schema: parts[0], name: parts[1] } : { name: parts[0] };
}

/** The plain identifier `key`, or an InputError naming it. */
export function checkKeyName(key: unknown): string {
  if (!isPlainIdentifier(key)) throw new InputError(`Key column '${key}' is not a valid identifier`);
  return key;
}
