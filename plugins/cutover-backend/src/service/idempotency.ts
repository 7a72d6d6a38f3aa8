import { createHash } from 'node:crypto';

/**
 * The stored form of a client's `idempotencyKey`: scoped by what it was sent to (a metrics batch
 * and an alert may carry the same key), hashed when it would not fit the 255-character column.
 */
export function idempotencyKeyFor(scope: 'metrics' | 'alert', key: string): string {
  const scoped = `${scope}:${key}`;
  return scoped.length <= 255 ? scoped : `${scope}:sha256:${createHash('sha256').update(key).digest('hex')}`;
}
