import { describe, expect, it } from 'vitest';
import { choices, commandsIn, matchCommands, moveSelection, opensCommandBar } from './commands';
import { WORDS } from './i18n.svelte';
import type { SearchHit } from './api/SearchHit';

describe('matchCommands', () => {
  it('finds actions by the start of their words, in any order, without accents or case', () => {
    expect(matchCommands('rout', true).map((c) => c.label)).toEqual(['Go to routing']);
    expect(matchCommands('AWAY set', true).map((c) => c.label)).toEqual(['Set me away']);
    expect(matchCommands('ínbox', true).map((c) => c.label)).toEqual(['Go to the inbox', 'Go to inboxes']);
    expect(matchCommands('refund', true)).toEqual([]);
  });

  it('never offers an admin screen to an agent', () => {
    expect(matchCommands('go', false).map((c) => c.label)).toEqual([
      'Go to the inbox',
      'Go to routing',
      'Go to agents',
      'Go to canned responses',
      'Go to network (how colleagues join)',
    ]);
    expect(matchCommands('email', false)).toEqual([]);
    expect(matchCommands('backup', false)).toEqual([]);
    expect(matchCommands('backup', true).map((c) => c.label)).toEqual(['Go to backups']);
    expect(matchCommands('email', true).map((c) => c.label)).toEqual(['Go to email settings']);
  });

  it("matches the agent's own language", () => {
    const es = commandsIn(WORDS.es.admin.commandBar.commands);
    expect(matchCommands('etiq', true, es).map((c) => c.label)).toEqual(['Ir a etiquetas']);
    expect(matchCommands('ausente', false, es).map((c) => c.label)).toEqual(['Ponerme ausente']);
    const it = commandsIn(WORDS.it.admin.commandBar.commands);
    expect(matchCommands('assegnazione', false, it).map((c) => c.label)).toEqual(["Vai all'assegnazione"]);
  });

  it('offers everything an agent may do before anything is typed', () => {
    expect(matchCommands('  ', false)).toHaveLength(8);
  });
});

describe('the keys', () => {
  it('opens on Ctrl+K or ⌘K only', () => {
    const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }>) =>
      opensCommandBar({ key: k, ctrlKey: false, metaKey: false, altKey: false, ...mods });
    expect(key('k', { ctrlKey: true })).toBe(true);
    expect(key('K', { metaKey: true })).toBe(true);
    expect(key('k', {})).toBe(false);
    expect(key('k', { ctrlKey: true, altKey: true })).toBe(false);
  });

  it('moves through actions and conversations as one list, wrapping at the ends', () => {
    const hit = { conversation: { id: '7' } } as unknown as SearchHit;
    const rows = choices(matchCommands('set', false), [hit]);
    expect(rows.map((r) => r.kind)).toEqual(['command', 'command', 'command', 'conversation']);
    expect(moveSelection(3, rows.length, 'ArrowDown')).toBe(0);
    expect(moveSelection(0, rows.length, 'ArrowUp')).toBe(3);
    expect(moveSelection(1, rows.length, 'ArrowDown')).toBe(2);
    expect(moveSelection(0, 0, 'ArrowDown')).toBe(0);
  });
});
