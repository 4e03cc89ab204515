// The markdown subset messages are written in (bold, italic, code, links, lists), rendered to
// HTML that can hold nothing but those: every character of the text is escaped first, and only
// http(s) and mailto links are made, so a message can never run script in the agent UI.

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const SAFE_URL = /^(https?:\/\/|mailto:)/i;

function link(url: string, text: string): string {
  return `<a href="${url}" target="_blank" rel="noopener noreferrer nofollow">${text}</a>`;
}

/** Inline rules on text that is already escaped (so `&quot;` cannot close an attribute). */
function inline(escaped: string): string {
  // Code spans first, kept apart so nothing inside them is formatted.
  return escaped
    .split(/(`[^`\n]+`)/)
    .map((part, i) => {
      if (i % 2 === 1) return `<code>${part.slice(1, -1)}</code>`;
      return part
        .replace(/\[([^\]\n]+)\]\(([^)\s]+)\)/g, (whole, text: string, url: string) =>
          SAFE_URL.test(url) ? link(url, text) : whole,
        )
        .replace(/(^|[\s(])((?:https?:\/\/)[^\s<]+[^\s<.,;:!?)])/g, (_, lead: string, url: string) => lead + link(url, url))
        .replace(/\*\*(\S(?:[^*]*\S)?)\*\*/g, '<strong>$1</strong>')
        .replace(/(^|[^\w*])\*(\S(?:[^*]*\S)?)\*(?!\w)/g, '$1<em>$2</em>')
        .replace(/(^|[^\w])_(\S(?:[^_]*\S)?)_(?!\w)/g, '$1<em>$2</em>');
    })
    .join('');
}

/** Renders a message to safe HTML. */
export function renderMarkdown(source: string): string {
  const lines = escapeHtml(source.replace(/\r\n?/g, '\n')).split('\n');
  const out: string[] = [];
  let paragraph: string[] = [];
  let list: { tag: 'ul' | 'ol'; items: string[] } | null = null;
  const endParagraph = () => {
    if (paragraph.length) out.push(`<p>${paragraph.map(inline).join('<br>')}</p>`);
    paragraph = [];
  };
  const endList = () => {
    if (list) out.push(`<${list.tag}>${list.items.map((i) => `<li>${inline(i)}</li>`).join('')}</${list.tag}>`);
    list = null;
  };
  for (const line of lines) {
    const bullet = line.match(/^\s*[-*]\s+(.*)$/);
    const numbered = line.match(/^\s*\d+[.)]\s+(.*)$/);
    const item = bullet ?? numbered;
    if (item) {
      endParagraph();
      const tag = bullet ? 'ul' : 'ol';
      if (list && list.tag !== tag) endList();
      list ??= { tag, items: [] };
      list.items.push(item[1]);
    } else if (line.trim() === '') {
      endParagraph();
      endList();
    } else {
      endList();
      paragraph.push(line);
    }
  }
  endParagraph();
  endList();
  return out.join('');
}
