// The conversation list draws only the rows in sight (plus a margin), however many are loaded:
// rows have one fixed height, so which ones show follows from the scroll position alone.

/** A conversation row's height in pixels; the list's CSS (`--row-height`) says the same. */
export const ROW_HEIGHT = 76;

export type RowWindow = { first: number; last: number; before: number; after: number };

/**
 * Rows `first..last` (exclusive) to draw for a list of `count` rows of `rowHeight` pixels whose
 * top is `scrolled` pixels above the viewport's top (negative: still below it), in a viewport
 * `viewHeight` tall; `before`/`after` are the pixels of the rows left out above and below.
 */
export function rowWindow(scrolled: number, viewHeight: number, rowHeight: number, count: number, overscan = 8): RowWindow {
  const top = Math.floor(Math.max(0, scrolled) / rowHeight);
  const shown = Math.ceil(Math.max(0, viewHeight) / rowHeight) + 1;
  const first = Math.max(0, Math.min(count, top - overscan));
  const last = Math.max(first, Math.min(count, top + shown + overscan));
  return { first, last, before: first * rowHeight, after: (count - last) * rowHeight };
}

/** The scroll offset that brings row `index` into view, or null when it already is. */
export function scrollToShow(index: number, scrolled: number, viewHeight: number, rowHeight: number): number | null {
  const top = index * rowHeight;
  if (top < scrolled) return top;
  if (top + rowHeight > scrolled + viewHeight) return top + rowHeight - viewHeight;
  return null;
}

/** The most rows one read of the list brings (the desk's limit). */
export const MOST_ROWS_READ = 200;

type Row = { id: string; last_activity_at: number };

/**
 * The list after a refresh that read its top again (`fresh`, with the cursor after it), keeping
 * the rows loaded further down so an agent deep in the list stays where they are. Rows below
 * the fresh ones are kept as they were (a changed one there is read again when the agent picks
 * the view anew); a row the fresh read now holds is never shown twice.
 */
export function keepLoaded<T extends Row>(
  fresh: T[],
  freshNext: string | null,
  old: T[],
  oldNext: string | null,
): { list: T[]; next: string | null } {
  const boundary = fresh.at(-1);
  if (freshNext === null || !boundary) return { list: fresh, next: freshNext };
  const known = new Set(fresh.map((c) => c.id));
  const below = old.filter((c) => !known.has(c.id) && c.last_activity_at <= boundary.last_activity_at);
  return below.length ? { list: [...fresh, ...below], next: oldNext } : { list: fresh, next: freshNext };
}
