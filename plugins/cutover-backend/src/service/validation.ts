import { InputError } from '@backstage/errors';
import { describeZodError } from '@switchyard/plugin-cutover-common';
import { z } from 'zod';

/**
 * Parses `value` with `schema`, or throws an InputError (400) naming the offending fields.
 * Text holding NUL characters is refused too: PostgreSQL can't store them (it would be a 500 there
 * and stored on SQLite).
 */
export function parse<S extends z.ZodTypeAny>(
  schema: S,
  value: unknown,
  what: 'request' | 'query' | 'path',
): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    throw new InputError(describeZodError(result.error, what));
  }
  const nul = nulPath(result.data);
  if (nul) {
    throw new InputError(
      `Invalid ${what}: ${nul.length ? nul.join('.') : what}: must not contain NUL characters (\\u0000)`,
    );
  }
  return result.data;
}

/**
 * Parses the path parameter `name` of a request, so that a refusal names it:
 * "Invalid path: snapshotId: must be a snapshot id".
 */
export function pathParam<S extends z.ZodTypeAny>(
  req: { params: Record<string, string | undefined> },
  name: string,
  schema: S,
): z.output<S> {
  const parsed = parse(z.object({ [name]: schema }), { [name]: req.params[name] }, 'path');
  return parsed[name] as z.output<S>;
}

/** Where the first NUL character is in a parsed value (a key or a string), if anywhere. */
function nulPath(value: unknown, path: Array<string | number> = []): Array<string | number> | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulPath(value[i], [...path, i]);
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key.includes('\u0000')) return [...path, key];
      const found = nulPath(v, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

/** Cursor of list routes: an opaque, URL-safe encoding of a position. */
export function encodeCursor(position: string | number): string {
  return Buffer.from(String(position), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!decoded || encodeCursor(decoded) !== cursor) {
    throw new InputError('Invalid query: cursor: not a cursor this API returned');
  }
  return decoded;
}
