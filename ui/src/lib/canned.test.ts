import { describe, expect, it } from 'vitest';
import { cannedQuery, insertCanned, matchCanned } from './canned';
import type { CannedResponse } from './api/CannedResponse';

const canned = (short_code: string, content: string): CannedResponse => ({
  id: short_code,
  short_code,
  content,
  created_at: 0,
  updated_at: 0,
});
const all = [canned('hello', 'Hi! How can I help?'), canned('refund', 'We refunded you.'), canned('ship', 'Your parcel ships today.')];

describe('cannedQuery', () => {
  it('finds a /code at the start or after a space, up to the caret', () => {
    expect(cannedQuery('/ref', 4)).toEqual({ start: 0, query: 'ref' });
    expect(cannedQuery('Thanks! /', 9)).toEqual({ start: 8, query: '' });
    expect(cannedQuery('see https://x.test/ref', 22)).toBeNull();
    expect(cannedQuery('and/or', 6)).toBeNull();
    expect(cannedQuery('/ref then', 9)).toBeNull();
  });
});

describe('matchCanned', () => {
  it('puts codes that start with the query first, then codes or texts that hold it', () => {
    expect(matchCanned(all, '').map((c) => c.short_code)).toEqual(['hello', 'refund', 'ship']);
    expect(matchCanned(all, 'REF').map((c) => c.short_code)).toEqual(['refund']);
    expect(matchCanned(all, 'parcel').map((c) => c.short_code)).toEqual(['ship']);
    expect(matchCanned(all, 'h').map((c) => c.short_code)).toEqual(['hello', 'ship']);
    expect(matchCanned(all, '', 2)).toHaveLength(2);
  });
});

describe('insertCanned', () => {
  it('replaces the typed /code with the text and puts the caret after it', () => {
    expect(insertCanned('Thanks! /ref', 8, 12, 'We refunded you.')).toEqual({ text: 'Thanks! We refunded you.', caret: 24 });
    expect(insertCanned('/re and more', 0, 3, 'X')).toEqual({ text: 'X and more', caret: 1 });
  });
});
