import { describe, expect, it } from 'vitest';
import type { VisitorConversation } from '../lib/api/VisitorConversation';
import type { VisitorMessage } from '../lib/api/VisitorMessage';
import { current, isFinished, lastSeq, mergeBySeq, upsert } from './chat';
import { WORDS, fill, pickLanguage, teamStatus } from './i18n';

const msg = (seq: number, content = `m${seq}`): VisitorMessage => ({
  conversation: '1',
  seq,
  kind: 'incoming',
  content,
  created_at: seq,
  author_name: null,
});
const conv = (id: string, created_at: number, status: VisitorConversation['status'] = 'open'): VisitorConversation => ({
  id,
  number: Number(id),
  status,
  created_at,
  last_activity_at: created_at,
  preview: '',
  csat: null,
  previous: null,
  agent_last_seen_seq: 0,
});

describe('the widget resumes by sequence number', () => {
  it('shows a message the socket and a catch-up fetch both bring once, in order', () => {
    const shown = [msg(1), msg(2)];
    const merged = mergeBySeq(shown, [msg(4), msg(2), msg(3)]);
    expect(merged.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(lastSeq(merged)).toBe(4);
    expect(lastSeq([])).toBe(0);
  });

  it('keeps the newer copy of a message that arrives again', () => {
    expect(mergeBySeq([msg(1, 'old')], [msg(1, 'new')])[0].content).toBe('new');
  });
});

describe('the conversation shown', () => {
  it('is the newest, and the list stays newest first without repeats', () => {
    const list = upsert(upsert([conv('1', 10, 'closed')], conv('2', 20)), conv('1', 10, 'closed'));
    expect(list.map((c) => c.id)).toEqual(['2', '1']);
    expect(current(list)?.id).toBe('2');
    expect(current([])).toBeNull();
    expect(isFinished(conv('3', 1, 'solved'))).toBe(true);
    expect(isFinished(conv('3', 1, 'pending'))).toBe(false);
  });
});

describe('the widget language', () => {
  it("follows the inbox's setting, then the browser, then English", () => {
    expect(pickLanguage('it', ['es-ES'])).toBe('it');
    expect(pickLanguage(null, ['de-DE', 'es-MX', 'en'])).toBe('es');
    expect(pickLanguage(null, ['de'])).toBe('en');
    expect(fill(WORDS.es.thanksRating, { rating: 4 })).toBe('Gracias por tu valoración: 4/5.');
  });
});

describe('what the header says about the team', () => {
  const at = Date.UTC(2027, 0, 18, 8, 0); // a Monday
  it('promises the inbox reply time while the team is at work', () => {
    const open = { open_now: { open: true, opens_at: null }, reply_time: 'hours' as const };
    expect(teamStatus(open, WORDS.en, 'en')).toBe('Typically replies in a few hours');
    expect(teamStatus(open, WORDS.it, 'it')).toBe('Di solito risponde in poche ore');
  });
  it('says when the team is back while it is away, and nothing when it never opens', () => {
    const away = { open_now: { open: false, opens_at: at }, reply_time: 'minutes' as const };
    expect(teamStatus(away, WORDS.en, 'en')).toMatch(/^Back Monday/);
    expect(teamStatus(away, WORDS.es, 'es')).toMatch(/^De vuelta: lunes/);
    expect(teamStatus({ ...away, open_now: { open: false, opens_at: null } }, WORDS.en, 'en')).toBe('');
  });
});
