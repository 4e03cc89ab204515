import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Debounced, SEARCH_DELAY_MS, searchQuery } from './search';

describe('searchQuery', () => {
  it('keeps the typed text as is and leaves out the "any" status', () => {
    expect(searchQuery('refund "order 10" ', 'any')).toBe('q=refund+%22order+10%22+');
    expect(searchQuery('#1042', 'open', '20')).toBe('q=%231042&status=open&cursor=20');
  });
});

describe('Debounced', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('searches once the agent pauses, for the last text only', async () => {
    const search = vi.fn(async (t: string) => t.toUpperCase());
    const results: string[] = [];
    const d = new Debounced(search, (_t, r) => results.push(r), () => {});
    d.type('r');
    d.type('re');
    d.type('ref');
    await vi.advanceTimersByTimeAsync(SEARCH_DELAY_MS - 1);
    expect(search).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(search).toHaveBeenCalledTimes(1);
    expect(results).toEqual(['REF']);
  });

  it('drops a slow answer to an older text', async () => {
    const pending: Record<string, (v: string) => void> = {};
    const search = (t: string) => new Promise<string>((resolve) => (pending[t] = resolve));
    const results: string[] = [];
    const d = new Debounced(search, (t) => results.push(t), () => {});
    d.type('old');
    await vi.advanceTimersByTimeAsync(SEARCH_DELAY_MS);
    d.type('new');
    await vi.advanceTimersByTimeAsync(SEARCH_DELAY_MS);
    pending['new']('x');
    pending['old']('x');
    await vi.runAllTimersAsync();
    expect(results).toEqual(['new']);
    d.type('later');
    d.cancel();
    await vi.advanceTimersByTimeAsync(SEARCH_DELAY_MS);
    expect(pending['later']).toBeUndefined();
  });
});
