// The markdown subset messages are written in (bold, italic, code, links, lists, line breaks),
// parsed once into a tree of plain data. Nothing here makes HTML: `drawMarkdown.ts` draws the
// tree as DOM nodes whose text is text, so a message can never add a tag or an attribute, and a
// link's address is an attribute value checked here to be http(s) or mailto with no quote, `<`,
// space or invisible character. The transcript email follows the same rules in Rust
// (`frontdesk_mail::markdown`), and both are held to the shared corpus in
// `tests/data/markdown.json`; `toHtml` gives the form that corpus is written in.
//
// The rules, on a message's lines ("\r\n" and "\r" read as "\n"):
// - a line `- x` or `* x` (after spaces or tabs; a space or tab after the marker) is a bullet item,
//   `1. x` or `1) x` a numbered one; a line of only white space ends a paragraph or a list;
//   other lines are paragraphs, their lines joined by a line break.
// - inline, left to right: `code` (no formatting inside); [text](address) with a safe address
//   (the text stays plain); a bare http(s) address at the start or after white space or `(`,
//   without trailing .,;:!?); **strong**, *em* and _em_ whose content does not start or end
//   with white space nor hold its own marker; `*`/`_` em does not start or end inside a word.
//   Anything that does not fit a rule is text, as written.

export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'strong'; children: Inline[] }
  | { kind: 'em'; children: Inline[] }
  | { kind: 'link'; href: string; text: string }
  | { kind: 'break' };

export type Block =
  | { kind: 'paragraph'; children: Inline[] }
  | { kind: 'list'; ordered: boolean; items: Inline[][] };

const WHITE_SPACE = /^\p{White_Space}$/u;
const LETTER_OR_DIGIT = /^[\p{Alphabetic}\p{N}]$/u;
const WORD = /^[A-Za-z0-9_]$/;
/** Characters an address may never hold: they could end an attribute or a tag, or hide. */
const URL_FORBIDDEN = new Set(['"', "'", '<', '>', '`', '\\']);
const TRAILING = new Set(['.', ',', ';', ':', '!', '?', ')']);

const isSpace = (c: string | undefined) => c !== undefined && WHITE_SPACE.test(c);
const isWord = (c: string | undefined) => c !== undefined && WORD.test(c);
/** ASCII letters only: no other character may stand in for a scheme's letters. */
const asciiLower = (c: string) => (c >= 'A' && c <= 'Z' ? c.toLowerCase() : c);

/** A character an address may hold: visible ASCII but quotes, brackets and backslash, or a letter or digit. */
function isUrlChar(c: string): boolean {
  const code = c.codePointAt(0) ?? 0;
  if (code >= 0x21 && code <= 0x7e) return !URL_FORBIDDEN.has(c);
  return code > 0x7f && LETTER_OR_DIGIT.test(c);
}

/** Whether `url` may be a link: http(s) or mailto, something after the scheme, only safe characters. */
export function isSafeUrl(url: string): boolean {
  const chars = Array.from(url);
  return safeAddress(chars, 0, chars.length, nextIndex(chars));
}

/** `isSafeUrl` for chars[from, to), in constant time past the scheme. */
function safeAddress(chars: string[], from: number, to: number, next: NextIndex): boolean {
  const scheme = ['https://', 'http://', 'mailto:'].find((s) => startsWithIgnoreCase(chars, from, to, s));
  return scheme !== undefined && to > from + scheme.length && next.unsafe[from] >= to;
}

type Marker = '`' | ']' | ')' | '*' | '_';

/**
 * Where each marker character, and the next character an address may not hold, occurs at or
 * after each position of one line (the line's length where none does): with them every
 * look-ahead is one step, so a line stays linear however it is written.
 */
type NextIndex = Record<Marker | 'unsafe', Int32Array>;

function nextIndex(chars: string[]): NextIndex {
  const at = (is: (c: string) => boolean) => {
    const next = new Int32Array(chars.length + 1).fill(chars.length);
    for (let i = chars.length - 1; i >= 0; i--) next[i] = is(chars[i]) ? i : next[i + 1];
    return next;
  };
  const marker = (m: Marker) => at((c) => c === m);
  return { '`': marker('`'), ']': marker(']'), ')': marker(')'), '*': marker('*'), _: marker('_'), unsafe: at((c) => !isUrlChar(c)) };
}

/** The next `marker` in [from, end), or -1. */
function find(next: NextIndex, marker: Marker, from: number, end: number): number {
  const at = from < end ? next[marker][from] : end;
  return at < end ? at : -1;
}

/** Whether the ASCII `word` stands at `at`, in any case, ending at or before `end`. */
function startsWithIgnoreCase(chars: string[], at: number, end: number, word: string): boolean {
  if (at + word.length > end) return false;
  for (let k = 0; k < word.length; k++) if (asciiLower(chars[at + k]) !== word[k]) return false;
  return true;
}

function inline(chars: string[], start: number, end: number, next: NextIndex): Inline[] {
  const out: Inline[] = [];
  let text = '';
  const push = (node: Inline) => {
    if (text) out.push({ kind: 'text', text });
    text = '';
    out.push(node);
  };
  const slice = (a: number, b: number) => chars.slice(a, b).join('');
  // Content of **x**, *x* or _x_: not empty, no white space at either end.
  const tight = (a: number, b: number) => b > a && !isSpace(chars[a]) && !isSpace(chars[b - 1]);
  let i = start;
  while (i < end) {
    const c = chars[i];
    const before = i > start ? chars[i - 1] : undefined;
    if (c === '`') {
      const close = find(next, '`', i + 1, end);
      if (close > i + 1) {
        push({ kind: 'code', text: slice(i + 1, close) });
        i = close + 1;
        continue;
      }
    } else if (c === '[') {
      const close = find(next, ']', i + 1, end);
      if (close > i + 1 && chars[close + 1] === '(') {
        const paren = find(next, ')', close + 2, end);
        if (paren > close + 2 && safeAddress(chars, close + 2, paren, next)) {
          push({ kind: 'link', href: slice(close + 2, paren), text: slice(i + 1, close) });
          i = paren + 1;
          continue;
        }
      }
    } else if ((c === 'h' || c === 'H') && (before === undefined || isSpace(before) || before === '(')) {
      const scheme = ['https://', 'http://'].find((s) => startsWithIgnoreCase(chars, i, end, s))?.length ?? 0;
      if (scheme) {
        let stop = Math.min(next.unsafe[i + scheme], end);
        while (stop > i + scheme && TRAILING.has(chars[stop - 1])) stop--;
        if (stop > i + scheme) {
          const url = slice(i, stop);
          push({ kind: 'link', href: url, text: url });
          i = stop;
          continue;
        }
      }
    } else if (c === '*' && chars[i + 1] === '*' && i + 1 < end) {
      const close = find(next, '*', i + 2, end);
      if (close !== -1 && chars[close + 1] === '*' && close + 1 < end && tight(i + 2, close)) {
        push({ kind: 'strong', children: inline(chars, i + 2, close, next) });
        i = close + 2;
        continue;
      }
    }
    if ((c === '*' || c === '_') && !isWord(before) && !(c === '*' && before === '*')) {
      const close = find(next, c, i + 1, end);
      const after = close + 1 < end ? chars[close + 1] : undefined;
      if (close !== -1 && tight(i + 1, close) && !isWord(after)) {
        push({ kind: 'em', children: inline(chars, i + 1, close, next) });
        i = close + 1;
        continue;
      }
    }
    text += c;
    i++;
  }
  if (text) out.push({ kind: 'text', text });
  return out;
}

function inlineLine(line: string): Inline[] {
  const chars = Array.from(line);
  return inline(chars, 0, chars.length, nextIndex(chars));
}

const BULLET = /^[ \t]*[-*][ \t]+(.*)$/s;
const NUMBERED = /^[ \t]*[0-9]+[.)][ \t]+(.*)$/s;

/** Parses a message into blocks. */
export function parseMarkdown(source: string): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  let list: { ordered: boolean; items: string[] } | null = null;
  const endParagraph = () => {
    if (paragraph.length) {
      const children: Inline[] = [];
      paragraph.forEach((line, k) => {
        if (k > 0) children.push({ kind: 'break' });
        children.push(...inlineLine(line));
      });
      blocks.push({ kind: 'paragraph', children });
    }
    paragraph = [];
  };
  const endList = () => {
    if (list) blocks.push({ kind: 'list', ordered: list.ordered, items: list.items.map(inlineLine) });
    list = null;
  };
  for (const line of source.replace(/\r\n?/g, '\n').split('\n')) {
    const bullet = BULLET.exec(line);
    const item = bullet ?? NUMBERED.exec(line);
    if (item) {
      endParagraph();
      const ordered = !bullet;
      if (list && list.ordered !== ordered) endList();
      list ??= { ordered, items: [] };
      list.items.push(item[1]);
    } else if (Array.from(line).every((c) => isSpace(c))) {
      endParagraph();
      endList();
    } else {
      endList();
      paragraph.push(line);
    }
  }
  endParagraph();
  endList();
  return blocks;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** What a link carries beside its address, in the app, the widget and the email alike. */
export const LINK_TARGET = '_blank';
export const LINK_REL = 'noopener noreferrer nofollow';

function inlineHtml(nodes: Inline[]): string {
  return nodes
    .map((n) => {
      switch (n.kind) {
        case 'text':
          return escapeHtml(n.text);
        case 'code':
          return `<code>${escapeHtml(n.text)}</code>`;
        case 'strong':
          return `<strong>${inlineHtml(n.children)}</strong>`;
        case 'em':
          return `<em>${inlineHtml(n.children)}</em>`;
        case 'link':
          return `<a href="${escapeHtml(n.href)}" target="${LINK_TARGET}" rel="${LINK_REL}">${escapeHtml(n.text)}</a>`;
        case 'break':
          return '<br>';
      }
    })
    .join('');
}

/** The tree as HTML text: the form of the shared corpus (the app itself draws DOM nodes). */
export function toHtml(blocks: Block[]): string {
  return blocks
    .map((b) => {
      if (b.kind === 'paragraph') return `<p>${inlineHtml(b.children)}</p>`;
      const tag = b.ordered ? 'ol' : 'ul';
      return `<${tag}>${b.items.map((i) => `<li>${inlineHtml(i)}</li>`).join('')}</${tag}>`;
    })
    .join('');
}
