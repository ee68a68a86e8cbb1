/**
 * Cursor paging as the services do it (`{items, nextCursor}`, newest first, keyset
 * cursors): the pages loaded so far are shown as one list. Pages fetched at different
 * moments may overlap when rows moved between them (a refetch of the first page after new
 * orders came in pushes its last rows down), so the list keeps each row once, where it
 * was first seen: no duplicates, and since each cursor continues right after the previous
 * page's last row, no gaps.
 */
export interface CursorPage<T> {
  items: readonly T[];
  nextCursor?: string | null;
}

/** The rows of `pages` in order, each key once (its first, i.e. freshest-page, occurrence). */
export function mergePages<T>(pages: readonly CursorPage<T>[], keyOf: (item: T) => string | number): T[] {
  const seen = new Set<string | number>();
  const rows: T[] = [];
  for (const page of pages) {
    for (const item of page.items) {
      const key = keyOf(item);
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push(item);
    }
  }
  return rows;
}

/** The cursor of the page after `last`, or undefined when there is none (TanStack's "no more"). */
export function nextCursorOf<T>(last: CursorPage<T> | undefined): string | undefined {
  return last?.nextCursor ?? undefined;
}
