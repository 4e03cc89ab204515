// Canned responses in the reply box: `/` and a short code offers them, and the chosen one's
// text replaces what was typed.

import type { CannedResponse } from './api/CannedResponse';

/** The `/code` the caret is at the end of, if any: where it starts and what follows the `/`. */
export function cannedQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const m = /(^|\s)\/([\p{L}\p{N}_-]*)$/u.exec(before);
  if (!m) return null;
  return { start: caret - m[2].length - 1, query: m[2] };
}

/** Canned responses whose short code starts with the query, then those holding it anywhere
 *  (in the code or the text), at most `max`. */
export function matchCanned(all: CannedResponse[], query: string, max = 8): CannedResponse[] {
  const q = query.toLocaleLowerCase();
  const starts = all.filter((c) => c.short_code.startsWith(q));
  const holds = all.filter(
    (c) => !c.short_code.startsWith(q) && (c.short_code.includes(q) || c.content.toLocaleLowerCase().includes(q)),
  );
  return [...starts, ...holds].slice(0, max);
}

/** Replaces the `/query` at `start` with the canned text; returns the text and the caret. */
export function insertCanned(text: string, start: number, caret: number, content: string): { text: string; caret: number } {
  return { text: text.slice(0, start) + content + text.slice(caret), caret: start + content.length };
}
