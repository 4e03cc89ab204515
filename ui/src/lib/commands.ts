// The command bar (Ctrl+K): the actions it offers, which of them match what was typed, and
// how the arrow keys move through actions and found conversations together.

import type { Availability } from './api/Availability';
import type { SearchHit } from './api/SearchHit';
import { WORDS, type Words } from './i18n.svelte';

export type Command =
  | { kind: 'go'; screen: 'home' | 'routing' | 'agents' | 'canned' | 'labels' | 'inboxes' | 'email' | 'backups' | 'network'; label: string; adminOnly: boolean }
  | { kind: 'availability'; availability: Availability; label: string; adminOnly: false };

type Labels = Words['admin']['commandBar']['commands'];

/** Every action, labelled in the agent's language (matching reads those labels). */
export function commandsIn(labels: Labels): Command[] {
  const go = (screen: Extract<Command, { kind: 'go' }>['screen'], adminOnly: boolean): Command => ({
    kind: 'go',
    screen,
    label: labels[screen],
    adminOnly,
  });
  const set = (availability: Availability): Command => ({
    kind: 'availability',
    availability,
    label: labels[availability],
    adminOnly: false,
  });
  return [
    go('home', false),
    go('routing', false),
    go('agents', false),
    go('canned', false),
    go('labels', true),
    go('network', false),
    go('inboxes', true),
    go('email', true),
    go('backups', true),
    set('online'),
    set('away'),
    set('offline'),
  ];
}

export const COMMANDS: Command[] = commandsIn(WORDS.en.admin.commandBar.commands);

/** Folded for comparing: lower case, no accents. */
const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** The actions whose label holds every typed word (the start of a word is enough). */
export function matchCommands(typed: string, admin: boolean, commands: Command[] = COMMANDS): Command[] {
  const words = fold(typed).split(/\s+/).filter(Boolean);
  return commands.filter((c) => {
    if (c.adminOnly && !admin) return false;
    // Italian elides (all'assegnazione): a word also starts after an apostrophe.
    const labelWords = fold(c.label).split(/[\s'’()]+/);
    return words.every((w) => labelWords.some((l) => l.startsWith(w)));
  });
}

/** Whether a key press opens the command bar: Ctrl+K, or ⌘K on a Mac. */
export function opensCommandBar(e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean }): boolean {
  return (e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k';
}

/** One row of the bar: an action, or a conversation found by search. */
export type Choice = { kind: 'command'; command: Command } | { kind: 'conversation'; hit: SearchHit };

export function choices(commands: Command[], hits: SearchHit[]): Choice[] {
  return [
    ...commands.map((command): Choice => ({ kind: 'command', command })),
    ...hits.map((hit): Choice => ({ kind: 'conversation', hit })),
  ];
}

/** The highlighted row after an arrow key; it wraps around at either end. */
export function moveSelection(at: number, count: number, key: 'ArrowDown' | 'ArrowUp'): number {
  if (count === 0) return 0;
  return key === 'ArrowDown' ? (at + 1) % count : (at - 1 + count) % count;
}
