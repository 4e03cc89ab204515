// The inbox's rules of display, kept free of Svelte so they are unit-tested: what an event
// makes stale, how messages merge without doubles, wait times, and the reply box's keys.
import type { Conversation } from './api/Conversation';
import type { Event } from './api/Event';
import type { Message } from './api/Message';
import type { Status } from './api/Status';
import type { StatusOffers } from './api/StatusOffers';
import { WORDS, type Words } from './i18n.svelte';

/** A capacity typed by an admin, or what is wrong with it. */
export function parseCapacity(text: string, w: Words = WORDS.en): number | string {
  const capacity = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(capacity) || capacity < 0) {
    return w.admin.notCapacity.replace('{text}', text);
  }
  return capacity;
}

/** What the desk offers from `status`; reopening a solved conversation reads "Reopen". */
export function offersFor(
  lifecycle: StatusOffers[],
  status: Status,
  words: Pick<Words, 'action' | 'reopen'> = WORDS.en,
): { to: Status; label: string }[] {
  const offers = lifecycle.find((o) => o.status === status)?.offers ?? [];
  return offers.map((to) => ({
    to,
    label: to === 'open' && (status === 'solved' || status === 'snoozed') ? words.reopen : words.action[to],
  }));
}

/** What an event makes stale on screen. */
export interface Stale {
  counts: boolean;
  list: boolean;
  /** The open conversation's record and messages. */
  conversation: boolean;
  emails: boolean;
  agents: boolean;
}

export const NOTHING_STALE: Stale = { counts: false, list: false, conversation: false, emails: false, agents: false };

/** Everything either makes stale: what one refresh after a burst of events must reload. */
export function mergeStale(a: Stale, b: Stale): Stale {
  return {
    counts: a.counts || b.counts,
    list: a.list || b.list,
    conversation: a.conversation || b.conversation,
    emails: a.emails || b.emails,
    agents: a.agents || b.agents,
  };
}

export function staleAfter(event: Event, openConversation: string | null): Stale {
  const none = NOTHING_STALE;
  const mine = (id: string | null) => openConversation !== null && id === openConversation;
  switch (event.type) {
    case 'conversation.created':
      return { ...none, counts: true, list: true };
    case 'message.created':
    case 'message.deleted':
      return { ...none, list: true, conversation: mine(event.data.conversation) };
    case 'conversation.status_changed':
    case 'assignee.changed':
    case 'conversation.updated':
      return { ...none, counts: true, list: true, conversation: mine(event.data.conversation) };
    case 'routing.open_conversations_left':
      return { ...none, counts: true, list: true, conversation: event.data.conversations.some(mine) };
    case 'email.updated':
      return { ...none, emails: mine(event.data.conversation) };
    case 'conversation.seen':
      return { ...none, conversation: mine(event.data.conversation) };
    case 'agent.invited':
    case 'agent.activated':
    case 'agent.deactivated':
    case 'agent.reactivated':
    case 'agent.role_changed':
    case 'agent.routing_changed':
      return { ...none, agents: true };
    case 'inbox.created':
    case 'inbox.updated':
    case 'team.created':
    case 'labels.changed':
      return { ...none, counts: true };
    default:
      return none;
  }
}

/** Adds newly read messages to those shown: by sequence, each once, oldest first. */
export function mergeMessages(shown: Message[], read: Message[]): Message[] {
  if (read.length === 0) return shown;
  const bySeq = new Map(shown.map((m) => [m.seq, m]));
  for (const m of read) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** How long ago, as the list shows it: "now", "4m", "3h", "2d". */
export function ago(since: number, now: number, nowWord = 'now'): string {
  const secs = Math.max(0, Math.floor((now - since) / 1000));
  if (secs < 60) return nowWord;
  if (secs < 3600) return `${Math.floor(secs / 60)}m`;
  if (secs < 86400) return `${Math.floor(secs / 3600)}h`;
  return `${Math.floor(secs / 86400)}d`;
}

/** A conversation has news for me when its last message is newer than the one I last saw. */
export function isUnread(c: Conversation, seenSeq: number | undefined): boolean {
  return c.last_seq > (seenSeq ?? 0);
}

/** Labels as typed ("Shipping, vip") to the list the desk stores (it validates each). */
export function parseLabels(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[,\s]+/)
        .map((l) => l.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
}

/**
 * Of two reads of a conversation, the later one. Reads can cross on the wire (an event's
 * refresh started before my own change answers), and every change adds a message, so the
 * read with the higher last sequence is the newer.
 */
export function newer(shown: Conversation | null, read: Conversation): Conversation {
  return shown && shown.id === read.id && shown.last_seq > read.last_seq ? shown : read;
}

export type Shortcut = 'next' | 'previous' | 'reply' | 'note' | 'solve' | 'help';

/** The keys, and what each does (its words are in `i18n`'s `shortcuts`). */
export const SHORTCUTS: { keys: string; does: Shortcut | 'jump' | 'leave' }[] = [
  { keys: 'j / ↓', does: 'next' },
  { keys: 'k / ↑', does: 'previous' },
  { keys: 'r', does: 'reply' },
  { keys: 'n', does: 'note' },
  { keys: 's', does: 'solve' },
  { keys: '?', does: 'help' },
  { keys: 'Ctrl K', does: 'jump' },
  { keys: 'Esc', does: 'leave' },
];

/** The inbox's single-key shortcuts; none while typing or with a modifier held. */
export function shortcutFor(e: {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  typing: boolean;
}): Shortcut | null {
  if (e.typing || e.ctrlKey || e.metaKey || e.altKey) return null;
  const map: Record<string, Shortcut> = {
    j: 'next',
    ArrowDown: 'next',
    k: 'previous',
    ArrowUp: 'previous',
    r: 'reply',
    n: 'note',
    s: 'solve',
    '?': 'help',
  };
  return map[e.key] ?? null;
}
