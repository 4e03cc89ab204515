import { describe, expect, test } from 'vitest';
import type { Event } from './api/Event';
import type { Message } from './api/Message';
import type { StatusOffers } from './api/StatusOffers';
import { ago, mergeMessages, offersFor, parseCapacity, parseLabels, staleAfter } from './inbox';
import { sendsOnKey } from './keys';
import { WORDS } from './i18n.svelte';

const msg = (seq: number, content = `m${seq}`): Message => ({
  conversation: 'c1',
  seq,
  kind: 'incoming',
  author: null,
  content,
  created_at: 0,
});

const event = (kind: Record<string, unknown>): Event => ({ id: 'e1', at: 0, actor: null, ...kind }) as Event;

describe('messages merge by sequence', () => {
  test('a catch-up that repeats messages shows each once, in order', () => {
    const shown = [msg(1), msg(2), msg(3)];
    const merged = mergeMessages(shown, [msg(3), msg(2), msg(5), msg(4)]);
    expect(merged.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
  });
  test('a message read again replaces the shown copy (a deletion or an edit)', () => {
    expect(mergeMessages([msg(1, 'old')], [msg(1, 'new')])[0].content).toBe('new');
  });
});

describe('what an event makes stale', () => {
  test('a customer message in the open conversation refreshes it; in another only the list', () => {
    const e = event({ type: 'message.created', data: { conversation: 'c1', seq: 4, private: false } });
    expect(staleAfter(e, 'c1')).toMatchObject({ conversation: true, list: true, counts: false });
    expect(staleAfter(e, 'c2')).toMatchObject({ conversation: false, list: true });
  });
  test('a status change moves the sidebar counts', () => {
    const e = event({ type: 'conversation.status_changed', data: { conversation: 'c9', from: 'open', to: 'solved' } });
    expect(staleAfter(e, null)).toMatchObject({ counts: true, list: true, conversation: false });
  });
  test('an email update refreshes only the emails of the conversation it belongs to', () => {
    const e = event({ type: 'email.updated', data: { email: 'm', conversation: 'c1', state: 'sent' } });
    expect(staleAfter(e, 'c1')).toEqual({ counts: false, list: false, conversation: false, emails: true, agents: false });
    expect(staleAfter(e, 'c2').emails).toBe(false);
  });
  test('an agent going offline with my open conversation refreshes it', () => {
    const e = event({ type: 'routing.open_conversations_left', data: { agent: 'a', conversations: ['c1'] } });
    expect(staleAfter(e, 'c1').conversation).toBe(true);
  });
});

describe('status buttons', () => {
  const lifecycle: StatusOffers[] = [
    { status: 'solved', offers: ['open', 'pending'] },
    { status: 'closed', offers: [] },
  ];
  test('read from the desk, and reopening reads Reopen', () => {
    expect(offersFor(lifecycle, 'solved')).toEqual([
      { to: 'open', label: 'Reopen' },
      { to: 'pending', label: 'Set pending' },
    ]);
    expect(offersFor(lifecycle, 'closed')).toEqual([]);
  });
});

test('wait times read as the list shows them', () => {
  const now = 10 * 86_400_000;
  expect(ago(now - 5_000, now)).toBe('now');
  expect(ago(now - 4 * 60_000, now)).toBe('4m');
  expect(ago(now - 3 * 3_600_000, now)).toBe('3h');
  expect(ago(now - 2 * 86_400_000, now)).toBe('2d');
  expect(ago(now + 60_000, now)).toBe('now');
});

test('Enter sends, Shift+Enter and composing do not', () => {
  expect(sendsOnKey({ key: 'Enter', shiftKey: false })).toBe(true);
  expect(sendsOnKey({ key: 'Enter', shiftKey: true })).toBe(false);
  expect(sendsOnKey({ key: 'Enter', shiftKey: false, isComposing: true })).toBe(false);
  expect(sendsOnKey({ key: 'a', shiftKey: false })).toBe(false);
});

test('labels as typed become the set the desk stores', () => {
  expect(parseLabels(' Shipping, vip  vip,\nRefund ')).toEqual(['shipping', 'vip', 'refund']);
  expect(parseLabels(' , ')).toEqual([]);
});

test('a capacity is a whole number of conversations, anything else says so', () => {
  expect(parseCapacity(' 4 ')).toBe(4);
  expect(parseCapacity('0')).toBe(0);
  expect(parseCapacity('2.5')).toContain("'2.5' is not a capacity");
  expect(parseCapacity('')).toContain('whole number');
  expect(parseCapacity('-1')).toContain('whole number');
  expect(parseCapacity('mucho', WORDS.es)).toBe("'mucho' no es una capacidad: usa un número entero de conversaciones, como 3");
});

test('a read that crossed my own change on the wire does not undo it', async () => {
  const { newer } = await import('./inbox');
  const base = { id: 'c1', status: 'open', last_seq: 4 } as unknown as import('./api/Conversation').Conversation;
  const solved = { ...base, status: 'solved' as const, last_seq: 5 };
  expect(newer(solved, base)).toBe(solved);
  expect(newer(base, solved)).toBe(solved);
  expect(newer(null, base)).toBe(base);
  const other = { ...base, id: 'c2', last_seq: 1 };
  expect(newer(solved, other)).toBe(other);
});

test('single-key shortcuts work only when not typing and without modifiers', async () => {
  const { shortcutFor } = await import('./inbox');
  const key = (k: string, more: Partial<{ ctrlKey: boolean; typing: boolean }> = {}) =>
    shortcutFor({ key: k, ctrlKey: false, metaKey: false, altKey: false, typing: false, ...more });
  expect(key('j')).toBe('next');
  expect(key('ArrowUp')).toBe('previous');
  expect(key('s')).toBe('solve');
  expect(key('s', { typing: true })).toBe(null);
  expect(key('r', { ctrlKey: true })).toBe(null);
  expect(key('x')).toBe(null);
});

test('a burst of events reloads everything any of them made stale', async () => {
  const { NOTHING_STALE, mergeStale } = await import('./inbox');
  const merged = mergeStale({ ...NOTHING_STALE, list: true }, { ...NOTHING_STALE, emails: true });
  expect(merged).toEqual({ counts: false, list: true, conversation: false, emails: true, agents: false });
  expect(mergeStale(NOTHING_STALE, NOTHING_STALE)).toEqual(NOTHING_STALE);
});
