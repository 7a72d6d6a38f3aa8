/** Conversions of stored column values, shared by the stores. */

/** Epoch milliseconds (number, or a string from PostgreSQL's bigint) as ISO time, or null. */
export function iso(v: unknown): string | null {
  return v === null || v === undefined ? null : new Date(Number(v)).toISOString();
}

/** A stored JSON text, or the fallback when it is empty or unreadable. */
export function json<T>(v: unknown, fallback: T): T {
  if (v === null || v === undefined || v === '') return fallback;
  try {
    return JSON.parse(String(v)) as T;
  } catch {
    return fallback;
  }
}

/** A nullable numeric column. */
export function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}
