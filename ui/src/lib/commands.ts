// The command bar (Ctrl+K): the actions it offers, which of them match what was typed, and
// how the arrow keys move through actions and found conversations together.

import type { Availability } from './api/Availability';
import type { SearchHit } from './api/SearchHit';

export type Command =
  | { kind: 'go'; screen: 'home' | 'routing' | 'agents' | 'canned' | 'labels' | 'inboxes' | 'email' | 'backups' | 'network'; label: string; adminOnly: boolean }
  | { kind: 'availability'; availability: Availability; label: string; adminOnly: false };

export const COMMANDS: Command[] = [
  { kind: 'go', screen: 'home', label: 'Go to the inbox', adminOnly: false },
  { kind: 'go', screen: 'routing', label: 'Go to routing', adminOnly: false },
  { kind: 'go', screen: 'agents', label: 'Go to agents', adminOnly: false },
  { kind: 'go', screen: 'canned', label: 'Go to canned responses', adminOnly: false },
  { kind: 'go', screen: 'labels', label: 'Go to labels', adminOnly: true },
  { kind: 'go', screen: 'network', label: 'Go to network (how colleagues join)', adminOnly: false },
  { kind: 'go', screen: 'inboxes', label: 'Go to inboxes', adminOnly: true },
  { kind: 'go', screen: 'email', label: 'Go to email settings', adminOnly: true },
  { kind: 'go', screen: 'backups', label: 'Go to backups', adminOnly: true },
  { kind: 'availability', availability: 'online', label: 'Set me online', adminOnly: false },
  { kind: 'availability', availability: 'away', label: 'Set me away', adminOnly: false },
  { kind: 'availability', availability: 'offline', label: 'Set me offline', adminOnly: false },
];

/** Folded for comparing: lower case, no accents. */
const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** The actions whose label holds every typed word (the start of a word is enough). */
export function matchCommands(typed: string, admin: boolean, commands: Command[] = COMMANDS): Command[] {
  const words = fold(typed).split(/\s+/).filter(Boolean);
  return commands.filter((c) => {
    if (c.adminOnly && !admin) return false;
    const labelWords = fold(c.label).split(/\s+/);
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
