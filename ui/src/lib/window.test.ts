import { describe, expect, it } from 'vitest';
import { keepLoaded, rowWindow, scrollToShow } from './window';

describe('the conversation list draws only what is in sight', () => {
  it('draws the first screenful and a margin at the top of a long list', () => {
    // 600 px of 75 px rows: 8 in sight, 1 partly, 8 more below.
    expect(rowWindow(0, 600, 75, 100_000)).toEqual({ first: 0, last: 17, before: 0, after: (100_000 - 17) * 75 });
  });

  it('keeps the drawn rows where they belong deep in the list', () => {
    const w = rowWindow(75 * 50_000 + 30, 600, 75, 100_000);
    expect([w.first, w.last]).toEqual([49_992, 50_017]);
    // Left-out rows are space, so the scroll bar and positions stay true.
    expect(w.before + (w.last - w.first) * 75 + w.after).toBe(100_000 * 75);
  });

  it('never goes past either end', () => {
    expect(rowWindow(-200, 600, 75, 3)).toEqual({ first: 0, last: 3, before: 0, after: 0 });
    expect(rowWindow(1e9, 600, 75, 10)).toEqual({ first: 10, last: 10, before: 750, after: 0 });
    expect(rowWindow(0, 600, 75, 0)).toEqual({ first: 0, last: 0, before: 0, after: 0 });
  });

  it('scrolls just enough to show a row picked by keyboard', () => {
    expect(scrollToShow(3, 0, 600, 75)).toBeNull();
    expect(scrollToShow(10, 0, 600, 75)).toBe(11 * 75 - 600);
    expect(scrollToShow(2, 500, 600, 75)).toBe(150);
  });
});

describe('keepLoaded', () => {
  const row = (id: string, at: number) => ({ id, last_activity_at: at });
  it('keeps the rows loaded below the fresh top, without doubles, and their cursor', () => {
    const old = [row('a', 9), row('b', 8), row('c', 7), row('d', 6), row('e', 5)];
    // 'd' got a new message and moved to the top; the fresh read covers down to 'b'.
    const fresh = [row('d', 10), row('a', 9), row('b', 8)];
    expect(keepLoaded(fresh, 'after-b', old, 'after-e')).toEqual({
      list: [row('d', 10), row('a', 9), row('b', 8), row('c', 7), row('e', 5)],
      next: 'after-e',
    });
  });

  it('takes the fresh read alone when it holds the whole view, or nothing was loaded below it', () => {
    const old = [row('a', 9), row('b', 8), row('c', 7)];
    expect(keepLoaded([row('a', 9)], null, old, 'x')).toEqual({ list: [row('a', 9)], next: null });
    expect(keepLoaded([row('a', 9), row('b', 8), row('c', 7)], 'after-c', old, 'after-c2')).toEqual({
      list: [row('a', 9), row('b', 8), row('c', 7)],
      next: 'after-c',
    });
  });
});
