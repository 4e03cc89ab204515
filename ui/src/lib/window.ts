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
