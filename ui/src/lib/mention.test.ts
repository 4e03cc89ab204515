import { describe, expect, it } from 'vitest';
import { insertMention, matchAgents, mentionQuery, mentionedIds } from './mention';

const agents = [
  { id: '1', name: 'Ana López' },
  { id: '2', name: 'Ben Carter' },
  { id: '3', name: 'Bianca Rossi' },
];

describe('@mentions in a note', () => {
  it('finds the @word the caret is in, but not an email address', () => {
    expect(mentionQuery('please @Be', 10)).toEqual({ start: 7, query: 'Be' });
    expect(mentionQuery('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionQuery('write to ana@acme.test', 21)).toBeNull();
    expect(mentionQuery('@Ben said hi', 12)).toBeNull();
  });

  it('offers agents by the start of any word of their name', () => {
    expect(matchAgents(agents, 'b').map((a) => a.name)).toEqual(['Ben Carter', 'Bianca Rossi']);
    expect(matchAgents(agents, 'ross').map((a) => a.id)).toEqual(['3']);
    expect(matchAgents(agents, '')).toHaveLength(3);
    expect(matchAgents(agents, 'zed')).toEqual([]);
  });

  it('puts the chosen name in place of what was typed and moves the caret after it', () => {
    expect(insertMention('ask @be now', 4, 7, 'Ben Carter')).toEqual({ text: 'ask @Ben Carter  now', caret: 16 });
  });

  it('mentions only the picked agents still named when the note is sent', () => {
    expect(mentionedIds('@Ben Carter and @Ana López, look', [agents[1], agents[0], agents[1]])).toEqual(['2', '1']);
    expect(mentionedIds('never mind', [agents[1]])).toEqual([]);
  });
});
