import { describe, expect, test } from 'vitest';
import { renderMarkdown } from './markdown';

describe('the markdown subset', () => {
  test('bold, italic, code and links', () => {
    expect(renderMarkdown('**Free** shipping, _today_ only: use `SHIP-0`')).toBe(
      '<p><strong>Free</strong> shipping, <em>today</em> only: use <code>SHIP-0</code></p>',
    );
    expect(renderMarkdown('see [the guide](https://acme.test/guide) or https://acme.test/faq.')).toBe(
      '<p>see <a href="https://acme.test/guide" target="_blank" rel="noopener noreferrer nofollow">the guide</a> or ' +
        '<a href="https://acme.test/faq" target="_blank" rel="noopener noreferrer nofollow">https://acme.test/faq</a>.</p>',
    );
  });
  test('lists, paragraphs and line breaks', () => {
    expect(renderMarkdown('Steps:\n- unplug it\n- wait *10* s\n\n1. one\n2. two\nthanks\nAna')).toBe(
      '<p>Steps:</p><ul><li>unplug it</li><li>wait <em>10</em> s</li></ul><ol><li>one</li><li>two</li></ol><p>thanks<br>Ana</p>',
    );
  });
  test('nothing inside code is formatted', () => {
    expect(renderMarkdown('`**not bold**`')).toBe('<p><code>**not bold**</code></p>');
  });
  test('arithmetic and snake_case stay as written', () => {
    expect(renderMarkdown('2 * 3 * 4 and my_order_id')).toBe('<p>2 * 3 * 4 and my_order_id</p>');
  });
});

describe('nothing a customer writes can run script', () => {
  const cases = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '[click](javascript:alert(1))',
    '[click](https://x.test/"onmouseover="alert(1))',
    'https://x.test/"><script>alert(1)</script>',
    '**<b onclick=alert(1)>x</b>**',
  ];
  // Every tag in the output must be one the subset makes, with only the attributes it sets.
  const ALLOWED = /^<(\/?(p|br|strong|em|code|ul|ol|li|a)|a href="(https?:\/\/|mailto:)[^"<>]*" target="_blank" rel="noopener noreferrer nofollow")>$/;
  for (const c of cases) {
    test(c, () => {
      const html = renderMarkdown(c);
      for (const tag of html.match(/<[^>]*>/g) ?? []) expect(tag).toMatch(ALLOWED);
      expect(html).not.toMatch(/javascript:/i.test(c) ? /href="javascript/i : /<script|<img|<b\b/i);
    });
  }
});
