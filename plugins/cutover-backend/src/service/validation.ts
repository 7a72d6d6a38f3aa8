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
      `Invalid ${what}: ${
        nul.length ? nul.join('.') : what
      }: must not contain NUL characters (\\u0000)`,
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
  const parsed = parse(
    z.object({ [name]: schema }),
    { [name]: req.params[name] },
    'path',
  );
  return parsed[name] as z.output<S>;
}

/** Where the first NUL character is in a parsed value (a key or a string), if anywhere. */
function nulPath(
  value: unknown,
  path: Array<string | number> = [],
): Array<string | number> | undefined {
  if (typeof value === 'string')
    return value.includes('\u0000') ? path : undefined;
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
    throw new InputError(
      'Invalid query: cursor: not a cursor this API returned',
    );
  }
  return decoded;
}

/** A page of a list: the `{ items, totalCount, nextCursor }` every list route answers. */
export interface Page<T> {
  items: T[];
  totalCount: number;
  nextCursor: string | null;
}

/**
 * Pages a list already in its final order (for the lists that are small enough to read whole:
 * snapshots, rollbacks, runs, ...). The cursor holds the position and id of the last item
 * served, so that a page after an insertion or deletion continues after that item where it
 * still is, or at its old position if it is gone.
 */
export function pageOf<T extends { id: string | number }>(
  all: T[],
  query: { limit?: number; cursor?: string },
  defaultLimit = 100,
): Page<T> {
  let start = 0;
  const after = decodeCursor(query.cursor);
  if (after !== undefined) {
    const match = /^(\d{1,9}):(.+)$/s.exec(after);
    if (!match)
      throw new InputError(
        'Invalid query: cursor: not a cursor this API returned',
      );
    const index = Number(match[1]);
    const id = match[2];
    if (String(all[index]?.id) === id) start = index + 1;
    else {
      const found = all.findIndex(item => String(item.id) === id);
      start = found >= 0 ? found + 1 : Math.min(index + 1, all.length);
    }
  }
  const limit = query.limit ?? defaultLimit;
  const items = all.slice(start, start + limit);
  const last = start + items.length - 1;
  return {
    items,
    totalCount: all.length,
    nextCursor:
      last + 1 < all.length && items.length
        ? encodeCursor(`${last}:${all[last].id}`)
        : null,
  };
}
