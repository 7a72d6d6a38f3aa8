import { InputError } from '@backstage/errors';
import { describeZodError } from '@switchyard/plugin-cutover-common';
import { z } from 'zod';

/** Parses `value` with `schema`, or throws an InputError (400) naming the offending fields. */
export function parse<S extends z.ZodTypeAny>(
  schema: S,
  value: unknown,
  what: 'request' | 'query' | 'path',
): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    throw new InputError(describeZodError(result.error, what));
  }
  return result.data;
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
