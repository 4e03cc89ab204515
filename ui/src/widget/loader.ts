// The one script a site owner pastes into their pages:
//   <script src="https://desk.example/widget.js" data-website-token="…" async></script>
// It adds the launcher and the chat iframe inside a shadow root, so the page's styles
// cannot reach them and theirs cannot leak out; it defines no global but a guard flag.
// Optional: data-identifier, data-identifier-hash (HMAC-SHA256 of the identifier under the
// inbox's identity secret), data-name, data-email and data-email-hash (HMAC-SHA256 of the email
// under the same secret; an email without it is ignored) for a logged-in user.
import type { WidgetConfig } from '../lib/api/WidgetConfig';

interface FrontdeskMessage {
  frontdesk?: boolean;
  type?: string;
  count?: number;
}

const FLAG = '__frontdeskWidgetLoaded';

function launch(script: HTMLScriptElement) {
  const w = window as unknown as Record<string, unknown>;
  if (w[FLAG]) return;
  w[FLAG] = true;
  const token = script.dataset.websiteToken ?? '';
  const desk = new URL(script.src, location.href).origin;
  const query = new URLSearchParams({ website_token: token, parent: location.origin });
  // The page's address tells the desk which campaigns are for this page.
  fetch(`${desk}/api/widget/v1/inbox?${query}&${new URLSearchParams({ page: location.href })}`)
    .then(async (res) => {
      const body = await res.json();
      if (!res.ok) throw new Error(body?.error?.message ?? `the desk answered ${res.status}`);
      mount(script, desk, query, body as WidgetConfig);
    })
    .catch((e: unknown) => console.warn(`Frontdesk chat is not shown: ${e instanceof Error ? e.message : e}`));
}

function mount(script: HTMLScriptElement, desk: string, query: URLSearchParams, config: WidgetConfig) {
  const host = document.createElement('div');
  host.setAttribute('data-frontdesk-widget', '');
  const root = host.attachShadow({ mode: 'open' });
  const side = config.position === 'bottom_left' ? 'left' : 'right';
  const style = document.createElement('style');
  style.textContent = `
    :host { all: initial; }
    .launcher { position: fixed; bottom: 20px; ${side}: 20px; width: 56px; height: 56px; border-radius: 50%;
      border: 0; background: ${config.colour}; color: #fff; cursor: pointer; z-index: 2147483646;
      box-shadow: 0 4px 14px rgba(0,0,0,.25); display: flex; align-items: center; justify-content: center; }
    .launcher svg { width: 26px; height: 26px; fill: currentColor; }
    .badge { position: absolute; top: -4px; ${side === 'left' ? 'right' : 'left'}: -4px; min-width: 20px; height: 20px;
      border-radius: 10px; background: #cf222e; color: #fff; font: 600 12px/20px system-ui, sans-serif; padding: 0 5px; }
    .badge[hidden] { display: none; }
    .frame { position: fixed; bottom: 88px; ${side}: 20px; width: 370px; height: min(600px, calc(100vh - 108px));
      border: 0; border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.25); z-index: 2147483647; background: #fff; }
    .frame[hidden] { display: none; }
    .campaign { position: fixed; bottom: 88px; ${side}: 20px; max-width: 280px; z-index: 2147483646; display: flex;
      gap: 6px; align-items: flex-start; background: #fff; color: #1f2328; border-radius: 12px; padding: 10px 12px;
      box-shadow: 0 4px 18px rgba(0,0,0,.2); font: 14px/1.4 system-ui, sans-serif; }
    .campaign[hidden] { display: none; }
    .campaign button { all: unset; cursor: pointer; }
    .campaign .text { flex: 1; white-space: pre-wrap; overflow-wrap: anywhere; }
    .campaign .dismiss { color: #656d76; font-size: 16px; line-height: 1; }
    @media (max-width: 480px) { .frame { inset: 0; width: 100%; height: 100%; border-radius: 0; } }`;
  const button = document.createElement('button');
  button.className = 'launcher';
  button.setAttribute('aria-label', config.inbox_name);
  button.setAttribute('aria-expanded', 'false');
  button.innerHTML =
    '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>';
  const badge = document.createElement('span');
  badge.className = 'badge';
  badge.hidden = true;
  button.append(badge);
  const frame = document.createElement('iframe');
  frame.className = 'frame';
  frame.hidden = true;
  frame.title = config.inbox_name;
  frame.allow = 'clipboard-write';
  query.set('lang', document.documentElement.lang || navigator.language);
  frame.src = `${desk}/widget?${query}`;
  const bubble = document.createElement('div');
  bubble.className = 'campaign';
  bubble.hidden = true;
  bubble.setAttribute('role', 'status');
  const text = document.createElement('button');
  text.className = 'text';
  const dismiss = document.createElement('button');
  dismiss.className = 'dismiss';
  dismiss.textContent = '×';
  dismiss.setAttribute('aria-label', 'Dismiss');
  bubble.append(text, dismiss);
  root.append(style, bubble, button, frame);
  document.body.append(host);

  const post = (message: Record<string, unknown>) => frame.contentWindow?.postMessage({ frontdesk: true, ...message }, desk);
  const show = (open: boolean) => {
    frame.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    post({ type: 'visibility', open });
  };
  button.addEventListener('click', () => {
    bubble.hidden = true;
    show(frame.hidden === true);
  });

  // Campaigns: each shows once per visitor (remembered in this site's storage), after its
  // delay, while the chat is closed. Clicking it opens the chat with its message on top.
  let answering: { id: string; message: string } | null = null;
  const shownKey = `frontdesk.campaigns.${query.get('website_token')}`;
  const seen = (): string[] => {
    try {
      return JSON.parse(localStorage.getItem(shownKey) ?? '[]') as string[];
    } catch {
      return [];
    }
  };
  for (const c of config.campaigns) {
    setTimeout(() => {
      if (!frame.hidden || !bubble.hidden || seen().includes(c.id)) return;
      try {
        localStorage.setItem(shownKey, JSON.stringify([...seen(), c.id]));
      } catch {
        // Storage refused (private mode): it may show again on the next page.
      }
      text.textContent = c.message;
      text.onclick = () => {
        bubble.hidden = true;
        answering = { id: c.id, message: c.message };
        post({ type: 'campaign', campaign: answering });
        show(true);
      };
      bubble.hidden = false;
    }, c.delay_secs * 1000);
  }
  dismiss.addEventListener('click', () => (bubble.hidden = true));
  window.addEventListener('message', (e: MessageEvent<FrontdeskMessage>) => {
    if (e.origin !== desk || e.source !== frame.contentWindow || !e.data?.frontdesk) return;
    if (e.data.type === 'close') show(false);
    if (e.data.type === 'unread') {
      badge.hidden = !e.data.count;
      badge.textContent = String(e.data.count ?? '');
    }
    if (e.data.type === 'ready') {
      // A campaign clicked before the chat had loaded.
      if (answering) post({ type: 'campaign', campaign: answering });
      const d = script.dataset;
      if (d.identifier && d.identifierHash) {
        post({
          type: 'identity',
          identity: {
            identifier: d.identifier,
            identifier_hash: d.identifierHash,
            name: d.name,
            email: d.email,
            email_hash: d.emailHash,
          },
        });
      }
    }
  });
}

const self = document.currentScript;
if (self instanceof HTMLScriptElement) {
  if (document.body) launch(self);
  else document.addEventListener('DOMContentLoaded', () => launch(self));
}
