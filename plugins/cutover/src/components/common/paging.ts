import type { Page } from '@switchyard/plugin-cutover-common';

/** Pages followed at most for one list (the backend's default page is 100 items). */
export const MAX_PAGES = 20;

/** A list loaded by following `nextCursor`. */
export interface AllPages<T> {
  items: T[];
  /** How many the backend has in all. */
  totalCount: number;
  /** Whether every item was loaded (false when more than `maxPages` pages exist). */
  complete: boolean;
}

/**
 * Loads a list page by page, following `nextCursor` until the last page (or `maxPages` pages), so
 * that a list longer than one page shows whole.
 */
export async function loadAllPages<T>(
  loadPage: (cursor: string | undefined) => Promise<Page<T>>,
  maxPages = MAX_PAGES,
): Promise<AllPages<T>> {
  const items: T[] = [];
  let cursor: string | undefined;
  let totalCount = 0;
  for (let page = 0; page < maxPages; page++) {
    const res = await loadPage(cursor);
    items.push(...res.items);
    totalCount = res.totalCount ?? items.length;
    if (!res.nextCursor) return { items, totalCount, complete: true };
    cursor = res.nextCursor;
  }
  return { items, totalCount: Math.max(totalCount, items.length), complete: false };
}
