import { describe, expect, test } from 'vitest';
import corpusText from '../../../tests/data/markdown.json?raw';
import { isSafeUrl, parseMarkdown, toHtml, type Block, type Inline } from './markdown';

// The corpus the Rust transcript renderer is held to as well.
const corpus: { cases: { name: string; hostile: boolean; input: string; html: string }[] } = JSON.parse(corpusText);

const render = (source: string) => toHtml(parseMarkdown(source));

// Every tag in the output must be one the subset makes, with only the attributes it sets.
const ALLOWED_TAG =
  /^<(\/?(p|br|strong|em|code|ul|ol|li|a)|a href="(https?:\/\/|mailto:)[^"'<>`\s]+" target="_blank" rel="noopener noreferrer nofollow")>$/i;
const SAFE_HREF = /^(https?:\/\/|mailto:)[!#-&(-;=?-[\]-_a-~\u0080-\u{10ffff}]+$/iu;

function links(blocks: Block[]): string[] {
  const walk = (nodes: Inline[]): string[] =>
    nodes.flatMap((n) => (n.kind === 'link' ? [n.href] : n.kind === 'strong' || n.kind === 'em' ? walk(n.children) : []));
  return blocks.flatMap((b) => (b.kind === 'paragraph' ? walk(b.children) : b.items.flatMap(walk)));
}

function expectSafe(source: string) {
  const blocks = parseMarkdown(source);
  for (const tag of toHtml(blocks).match(/<[^>]*>/g) ?? []) expect(tag, source).toMatch(ALLOWED_TAG);
  for (const href of links(blocks)) {
    expect(href, source).toMatch(SAFE_HREF);
    expect(href, source).not.toMatch(/^(javascript|data|vbscript|file):/i);
  }
}

describe('the markdown subset', () => {
  test('bold, italic, code and links', () => {
    expect(render('**Free** shipping, _today_ only: use `SHIP-0`')).toBe(
      '<p><strong>Free</strong> shipping, <em>today</em> only: use <code>SHIP-0</code></p>',
    );
    expect(render('see [the guide](https://acme.test/guide) or https://acme.test/faq.')).toBe(
      '<p>see <a href="https://acme.test/guide" target="_blank" rel="noopener noreferrer nofollow">the guide</a> or ' +
        '<a href="https://acme.test/faq" target="_blank" rel="noopener noreferrer nofollow">https://acme.test/faq</a>.</p>',
    );
  });
  test('lists, paragraphs and line breaks', () => {
    expect(render('Steps:\n- unplug it\n- wait *10* s\n\n1. one\n2. two\nthanks\nAna')).toBe(
      '<p>Steps:</p><ul><li>unplug it</li><li>wait <em>10</em> s</li></ul><ol><li>one</li><li>two</li></ol><p>thanks<br>Ana</p>',
    );
  });
  test('nothing inside code is formatted', () => {
    expect(render('`**not bold**`')).toBe('<p><code>**not bold**</code></p>');
  });
  test('arithmetic and snake_case stay as written', () => {
    expect(render('2 * 3 * 4 and my_order_id')).toBe('<p>2 * 3 * 4 and my_order_id</p>');
  });
  test('a link keeps its text plain: an address inside it is not linked again', () => {
    expect(parseMarkdown('[https://a.test/x](https://b.test/)')).toEqual([
      { kind: 'paragraph', children: [{ kind: 'link', href: 'https://b.test/', text: 'https://a.test/x' }] },
    ]);
  });
});

describe('only http(s) and mailto addresses with nothing that could leave an attribute become links', () => {
  test.each(['https://a.test/', 'HTTP://A.TEST', 'mailto:ana@acme.test', 'https://acme.test/café'])('%s is a link', (u) =>
    expect(isSafeUrl(u)).toBe(true),
  );
  test.each([
    'javascript:alert(1)',
    'JAVASCRIPT:alert(1)',
    'data:text/html,x',
    '//evil.test',
    'https://',
    'https://a.test/"x',
    "https://a.test/'x",
    'https://a.test/<x',
    'https://a.test/ x',
    'https://a.test/\u200bx',
    'https://a.test/\u202ex',
    '\uff48ttps://a.test/',
  ])('%s is not', (u) => expect(isSafeUrl(u)).toBe(false));
});

describe('the hostile corpus', () => {
  test('holds at least 50 hostile messages', () => expect(corpus.cases.filter((c) => c.hostile).length).toBeGreaterThanOrEqual(50));
  for (const c of corpus.cases) {
    test(c.name, () => {
      expect(render(c.input)).toBe(c.html);
      expectSafe(c.input);
    });
  }
});

describe('nothing made of markdown characters can run script', () => {
  // A fixed-seed generator over the characters the rules look at, so every run tries the same messages.
  const pieces = ['[', ']', '(', ')', '*', '_', '`', '"', "'", '<', '>', ' ', '\n', '-', '1.', 'https://', 'javascript:', 'mailto:', 'on', '=', 'a', '\u202e', '\u00a0', '&#'];
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
  test('2,000 generated messages give only allowed tags and safe links', () => {
    for (let n = 0; n < 2000; n++) {
      let s = '';
      for (let k = next() % 40; k > 0; k--) s += pieces[next() % pieces.length];
      expectSafe(s);
    }
  });
  test('a message of 20,000 opening brackets stays text', () => {
    const blocks = parseMarkdown('['.repeat(20_000));
    expect(toHtml(blocks)).toBe(`<p>${'['.repeat(20_000)}</p>`);
  });
  // Each `[` once read the same long address again: 36 s for a 40,000-character message.
  test('10,000 brackets before one long unsafe address are read once, not once a bracket', () => {
    const source = `${'['.repeat(10_000)}](https://${'a'.repeat(9_980)}")`;
    const html = toHtml(parseMarkdown(source));
    expect(html).toContain(`<a href="https://${'a'.repeat(9_980)}"`);
    expect(html.startsWith(`<p>${'['.repeat(10_000)}](<a `)).toBe(true);
  });
});
