import { describe, expect, it } from 'vitest';
import { EMOJI, findEmoji, insertEmoji } from './emoji';

describe('the emoji picker', () => {
  it('finds emoji by the start of their words, every word typed', () => {
    expect(findEmoji('thumb').map((e) => e.char)).toEqual(['👍', '👎']);
    expect(findEmoji('thumbs up').map((e) => e.char)).toEqual(['👍']);
    expect(findEmoji('  ').length).toBe(EMOJI.flatMap((g) => g.emoji).length);
    expect(findEmoji('zebra')).toEqual([]);
  });

  it('has each emoji once, each with words', () => {
    const all = EMOJI.flatMap((g) => g.emoji);
    expect(new Set(all.map((e) => e.char)).size).toBe(all.length);
    expect(all.every((e) => e.words.length > 0)).toBe(true);
  });

  it('puts the emoji where the caret is, replacing a selection', () => {
    expect(insertEmoji('Thanks!', 6, 6, ' 🙏')).toEqual({ text: 'Thanks 🙏!', caret: 9 });
    expect(insertEmoji('I am sad', 5, 8, '😢')).toEqual({ text: 'I am 😢', caret: 7 });
    expect(insertEmoji('', 3, 9, '👍')).toEqual({ text: '👍', caret: 2 });
  });
});
