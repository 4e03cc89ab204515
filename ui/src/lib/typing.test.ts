import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SHOWN_FOR_MS, TypingSender, VIEWING_SHOWN_FOR_MS, noteTyping, typingNow } from './typing';

describe('who is typing', () => {
  it('shows a typist until a few seconds after their last signal, or until they stop', () => {
    let t = noteTyping({}, 'contact', true, 1_000);
    t = noteTyping(t, 'agent-2', true, 2_000);
    expect(typingNow(t, 2_500)).toEqual(['agent-2', 'contact']);
    expect(typingNow(t, 1_000 + SHOWN_FOR_MS)).toEqual(['agent-2']);
    t = noteTyping(t, 'agent-2', false, 3_000);
    expect(typingNow(t, 3_000)).toEqual(['contact']);
  });
});

describe('who is viewing', () => {
  it('shows a viewer for longer than a typist, until they close the conversation', () => {
    let v = noteTyping({}, 'agent-2', true, 1_000, VIEWING_SHOWN_FOR_MS);
    expect(typingNow(v, 1_000 + SHOWN_FOR_MS)).toEqual(['agent-2']);
    expect(typingNow(v, 1_000 + VIEWING_SHOWN_FOR_MS)).toEqual([]);
    v = noteTyping(v, 'agent-2', false, 2_000, VIEWING_SHOWN_FOR_MS);
    expect(typingNow(v, 2_000)).toEqual([]);
  });
});

describe('TypingSender', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('says typing at most every 3 s while typing goes on, and stopped once', () => {
    const sent: boolean[] = [];
    const s = new TypingSender((t) => sent.push(t), () => Date.now());
    s.input(false);
    vi.advanceTimersByTime(1_000);
    s.input(false);
    expect(sent).toEqual([true]);
    vi.advanceTimersByTime(2_500);
    s.input(false);
    expect(sent).toEqual([true, true]);
    s.stop();
    s.stop();
    expect(sent).toEqual([true, true, false]);
  });

  it('counts an emptied box and 5 s without a keystroke as stopped', () => {
    const sent: boolean[] = [];
    const s = new TypingSender((t) => sent.push(t), () => Date.now());
    s.input(false);
    s.input(true);
    expect(sent).toEqual([true, false]);
    s.input(false);
    vi.advanceTimersByTime(5_000);
    expect(sent).toEqual([true, false, true, false]);
  });
});
