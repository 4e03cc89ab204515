// Draws a message's markdown subset (see markdown.ts) into an element, as a Svelte action: every
// node is made with createElement from the subset's fixed tags or as a text node, and a link's
// address is set as an attribute value, so nothing in a message can become markup. The one
// renderer of message text in the agent app, its previews and the widget. It builds the nodes
// itself rather than through a component per node: a 1,000-message conversation draws as fast as
// it did with the old HTML string.
import { LINK_REL, LINK_TARGET, parseMarkdown, type Inline } from './markdown';

function inline(parent: Node, nodes: Inline[]): void {
  for (const n of nodes) {
    switch (n.kind) {
      case 'text':
        parent.appendChild(document.createTextNode(n.text));
        break;
      case 'code':
        parent.appendChild(document.createElement('code')).textContent = n.text;
        break;
      case 'strong':
      case 'em':
        inline(parent.appendChild(document.createElement(n.kind)), n.children);
        break;
      case 'link': {
        const a = parent.appendChild(document.createElement('a'));
        a.setAttribute('href', n.href);
        a.setAttribute('target', LINK_TARGET);
        a.setAttribute('rel', LINK_REL);
        a.textContent = n.text;
        break;
      }
      case 'break':
        parent.appendChild(document.createElement('br'));
        break;
    }
  }
}

/** `source` drawn as the element's only content. */
export function draw(element: HTMLElement, source: string): void {
  const out = document.createDocumentFragment();
  for (const b of parseMarkdown(source)) {
    if (b.kind === 'paragraph') inline(out.appendChild(document.createElement('p')), b.children);
    else {
      const list = out.appendChild(document.createElement(b.ordered ? 'ol' : 'ul'));
      for (const item of b.items) inline(list.appendChild(document.createElement('li')), item);
    }
  }
  element.replaceChildren(out);
}

/** `use:markdown={source}`: the element shows `source`, drawn again when it changes. */
export function markdown(element: HTMLElement, source: string) {
  draw(element, source);
  return { update: (next: string) => draw(element, next) };
}
