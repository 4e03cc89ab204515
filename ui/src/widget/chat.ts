// The widget's rules that need no browser: merging messages by sequence number so a resume
// never loses or doubles one, and which conversation the visitor is in.
import type { VisitorConversation } from '../lib/api/VisitorConversation';
import type { VisitorMessage } from '../lib/api/VisitorMessage';

/** `shown` plus `arrived`, by seq, each once: what the socket and a fetch after a gap both bring. */
export function mergeBySeq(shown: VisitorMessage[], arrived: VisitorMessage[]): VisitorMessage[] {
  if (arrived.length === 0) return shown;
  const bySeq = new Map(shown.map((m) => [m.seq, m]));
  for (const m of arrived) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** The last seq the visitor holds, to resume after. */
export function lastSeq(messages: VisitorMessage[]): number {
  return messages.reduce((max, m) => Math.max(max, m.seq), 0);
}

export function isFinished(c: VisitorConversation | null): boolean {
  return c !== null && (c.status === 'solved' || c.status === 'closed');
}

/** The conversation the chat shows: the newest one. */
export function current(conversations: VisitorConversation[]): VisitorConversation | null {
  return conversations.reduce<VisitorConversation | null>(
    (best, c) => (best === null || c.created_at > best.created_at ? c : best),
    null,
  );
}

/** Puts a new or changed conversation into the list, newest first. */
export function upsert(list: VisitorConversation[], c: VisitorConversation): VisitorConversation[] {
  return [c, ...list.filter((x) => x.id !== c.id)].sort((a, b) => b.created_at - a.created_at);
}

/** Where the visitor token of one site's widget is kept, in the iframe's own storage. */
export function tokenKey(websiteToken: string): string {
  return `frontdesk.visitor.${websiteToken}`;
}
