// @mentions in a private note: the picker's query, the agents it offers, putting the chosen
// name in the text, and which picked agents the note still names when it is sent.

export type Mentionable = { id: string; name: string };

/** The `@word` the caret is in, if any: where it starts and what follows the `@`. */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const m = /(^|\s)@([\p{L}\p{N}._-]*)$/u.exec(before);
  if (!m) return null;
  return { start: caret - m[2].length - 1, query: m[2] };
}

/** Agents with a word of their name starting with the query (which has no spaces), at most `max`, names in order. */
export function matchAgents<A extends Mentionable>(agents: A[], query: string, max = 6): A[] {
  const q = query.toLocaleLowerCase();
  return agents
    .filter((a) => a.name.toLocaleLowerCase().split(/\s+/).some((w) => w.startsWith(q)))
    .sort((a, b) => a.name.localeCompare(b.name))
    .slice(0, max);
}

/** Replaces the `@query` at `start` with `@Name `; returns the text and where the caret goes. */
export function insertMention(text: string, start: number, caret: number, name: string): { text: string; caret: number } {
  const inserted = `@${name} `;
  return { text: text.slice(0, start) + inserted + text.slice(caret), caret: start + inserted.length };
}

/** The picked agents whose `@Name` is still in the text (a name deleted is a mention undone). */
export function mentionedIds(text: string, picked: Mentionable[]): string[] {
  const ids: string[] = [];
  for (const a of picked) {
    if (text.includes(`@${a.name}`) && !ids.includes(a.id)) ids.push(a.id);
  }
  return ids;
}
