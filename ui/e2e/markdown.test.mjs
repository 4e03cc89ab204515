// The hostile corpus (tests/data/markdown.json) written by a widget visitor and shown in the
// agent app, and written by an agent and shown in the visitor's widget, in a real Chromium with
// alert/confirm/prompt and every error hooked. Every link is hovered and focused. The drawn DOM
// must hold only the subset's elements, no event-handler attribute, no link but http(s) and
// mailto, and the same structure the corpus gives.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { artifacts, logIn, setUpAcme, startSite, useDesk } from './desk.mjs';

const corpus = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../tests/data/markdown.json'), 'utf8')).cases;
// The visitor writes all of them: the widget's per-customer limit would stop at 20 a minute.
const env = useDesk(prepare, ['--no-widget-rate-limits']);
let shop;
let admin;
let inbox;

async function prepare() {
  admin = (await setUpAcme(env.api)).token;
  inbox = await env.api('POST', '/api/v1/inboxes', admin, { name: 'Acme chat', style: 'messaging' });
  shop = await startSite({});
  inbox = await env.api('PUT', `/api/v1/inboxes/${inbox.id}/widget`, admin, {
    allowed_origins: [shop.origin],
    colour: '#aa3300',
    position: 'bottom_right',
    // The greeting is written by an admin and drawn in the widget: hostile too.
    greeting: '[hi](https://a/(https://b/"onmouseover="alert(1)"//) <img src=x onerror=alert(1)>',
    pre_chat: { name: 'hidden', email: 'hidden', topic: 'hidden', topics: [] },
  });
  const desk = env.desk.url.replace(/\/$/, '');
  shop.pages['/'] = `<!doctype html><html><body><h1>Acme Bikes</h1>
    <script src="${desk}/widget.js" data-website-token="${inbox.widget.website_token}" async></script></body></html>`;
}

after(() => shop?.close());

/** For `addInitScript`, in every frame: anything a message could run is recorded, not shown. */
const hookScript = () => {
  window.__ran = [];
  for (const name of ['alert', 'confirm', 'prompt', 'print']) window[name] = (...args) => void window.__ran.push(`${name}(${args.join(',')})`);
  window.addEventListener('error', (e) => window.__ran.push(`error: ${e.message ?? e.target?.outerHTML ?? 'a resource'}`), true);
  window.addEventListener('securitypolicyviolation', (e) => window.__ran.push(`csp: ${e.violatedDirective} ${e.blockedURI}`));
};

/**
 * In the page: every container's drawn DOM checked against the rules, and its canonical form
 * (elements, sorted attributes, text; no comments) listed for comparison with the corpus.
 */
const inspect = ({ selector, corpusHtml }) => {
  const ALLOWED = new Set(['P', 'BR', 'STRONG', 'EM', 'CODE', 'UL', 'OL', 'LI', 'A']);
  const problems = [];
  // Adjacent text nodes read as one text (Svelte may draw a text in pieces); comments are skipped;
  // U+0000 is left out, as the HTML parser that reads the corpus's form drops it.
  const children = (node) => {
    let out = '';
    let text = '';
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) text += child.data.replaceAll('\0', '');
      else if (child.nodeType === Node.ELEMENT_NODE) {
        if (text) out += JSON.stringify(text);
        text = '';
        out += canon(child);
      }
    }
    return text ? out + JSON.stringify(text) : out;
  };
  const canon = (el) => {
    const attrs = [...el.attributes].map((a) => `${a.name}=${JSON.stringify(a.value)}`).sort();
    return `<${el.tagName.toLowerCase()} ${attrs.join(' ')}>${children(el)}</>`;
  };
  const check = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (!ALLOWED.has(el.tagName)) problems.push(`element ${el.tagName} in ${root.outerHTML.slice(0, 200)}`);
      for (const a of el.attributes) {
        if (/^on/i.test(a.name)) problems.push(`attribute ${a.name} in ${el.outerHTML.slice(0, 200)}`);
        if (/^\s*(javascript|data|vbscript):/i.test(a.value)) problems.push(`${a.name}=${a.value}`);
      }
      if (el.tagName === 'A') {
        const names = [...el.attributes].map((a) => a.name).sort().join(' ');
        if (names !== 'href rel target') problems.push(`link attributes ${names}`);
        if (!/^(https?:\/\/|mailto:)[^\s"'<>`]+$/i.test(el.getAttribute('href'))) problems.push(`href ${el.getAttribute('href')}`);
        if (!['http:', 'https:', 'mailto:'].includes(el.protocol)) problems.push(`protocol ${el.protocol}`);
      }
    }
  };
  const drawn = [...document.querySelectorAll(selector)].map((root) => {
    check(root);
    return children(root);
  });
  const expected = corpusHtml.map((html) => {
    const t = document.createElement('template');
    t.innerHTML = html;
    return children(t.content);
  });
  return { problems, drawn, expected };
};

async function hoverAndFocusLinks(scope, selector) {
  const links = scope.locator(`${selector} a`);
  const n = await links.count();
  for (let i = 0; i < n; i++) {
    await links.nth(i).scrollIntoViewIfNeeded();
    await links.nth(i).hover();
    await links.nth(i).focus();
  }
  return n;
}

function assertDrawnAsCorpus(result, where) {
  assert.deepEqual(result.problems, [], `nothing unsafe is drawn in the ${where}`);
  // Each corpus message is drawn exactly as the corpus says (other messages may be around it).
  const left = [...result.drawn];
  for (const [k, want] of result.expected.entries()) {
    const at = left.indexOf(want);
    assert.notEqual(at, -1, `the ${where} draws "${corpus[k].name}" as the corpus gives it:\n${want}`);
    left.splice(at, 1);
  }
}

test('hostile messages from a visitor are inert in the agent app, and hostile replies in the widget', async () => {
  // The visitor starts the chat in the widget on the shop's page.
  const context = await env.chrome.browser.newContext({ viewport: { width: 1100, height: 900 } });
  await context.addInitScript(hookScript);
  const page = await context.newPage();
  await page.goto(shop.origin);
  await page.getByRole('button', { name: 'Acme chat' }).click();
  const chat = page.frameLocator('iframe[title="Acme chat"]');
  await chat.getByLabel('Write a message…').fill('hello');
  await chat.getByLabel('Write a message…').press('Enter');
  await chat.getByText('Delivered').waitFor();

  // Then writes every corpus message through the widget's own endpoint, with its own session.
  const frame = page.frames().find((f) => f.url().includes('/widget'));
  const posted = await frame.evaluate(async ({ messages, websiteToken, parent }) => {
    const token = localStorage.getItem(`frontdesk.visitor.${websiteToken}`);
    const q = new URLSearchParams({ website_token: websiteToken, parent });
    let ok = 0;
    for (const content of messages) {
      const res = await fetch(`/api/widget/v1/messages?${q}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ content }),
      });
      if (res.status === 201) ok++;
    }
    return ok;
  }, { messages: corpus.map((c) => c.input), websiteToken: inbox.widget.website_token, parent: shop.origin });
  assert.equal(posted, corpus.length, 'the desk takes every corpus message from the visitor');

  // The agent answers with the whole corpus too.
  const list = await env.api('GET', '/api/v1/conversations?view=all', admin);
  assert.equal(list.items.length, 1);
  const conversation = list.items[0];
  for (const c of corpus) await env.api('POST', `/api/v1/conversations/${conversation.id}/messages`, admin, { content: c.input });

  // The agent app: the visitor's messages, hovered and focused one link at a time.
  const agentPage = await logIn(env.chrome.browser, env.desk.url, 'ana@acme.test', 'correct horse battery', undefined, (ctx) =>
    ctx.addInitScript(hookScript),
  );
  await agentPage.locator(`[data-conversation="${conversation.number}"]`).click();
  const log = agentPage.getByLabel('Messages');
  await log.locator('.msg.outgoing').nth(corpus.length - 1).waitFor({ state: 'attached' });
  // The newest 100 are drawn first: the earlier ones come as the agent scrolls up.
  while ((await log.locator('.msg.incoming').count()) < corpus.length + 1) {
    await log.evaluate((el) => (el.scrollTop = 0));
    await agentPage.waitForTimeout(100);
  }
  const agentLinks = await hoverAndFocusLinks(agentPage, '.log .content');
  assert.ok(agentLinks >= 2 * 30, `the agent app draws the corpus' links (${agentLinks})`);
  const inApp = await agentPage.evaluate(inspect, { selector: '.log .content', corpusHtml: corpus.map((c) => c.html) });
  assertDrawnAsCorpus(inApp, 'agent app');
  await agentPage.screenshot({ path: join(artifacts, 'browser-markdown-agent.png') });
  assert.deepEqual(await agentPage.evaluate(() => window.__ran), [], 'nothing ran in the agent app');

  // The widget: the agent's replies (and the admin's greeting) arrive live in the visitor's chat.
  const bubbles = chat.locator('.log .bubble[data-seq]');
  await bubbles.nth(2 * corpus.length + 1).waitFor({ state: 'attached', timeout: 20_000 });
  const widgetLinks = await hoverAndFocusLinks(chat, '.log .bubble[data-seq] > .text');
  assert.ok(widgetLinks >= 2 * 30, `the widget draws the corpus' links (${widgetLinks})`);
  const inWidget = await frame.evaluate(inspect, { selector: '.log .bubble[data-seq] > .text', corpusHtml: corpus.map((c) => c.html) });
  assertDrawnAsCorpus(inWidget, 'widget');
  assert.ok((await bubbles.count()) >= 2 * corpus.length + 2);
  await page.screenshot({ path: join(artifacts, 'browser-markdown-widget.png') });
  for (const f of page.frames()) assert.deepEqual(await f.evaluate(() => window.__ran), [], `nothing ran in ${f.url()}`);
  await context.close();
  await agentPage.context().close();
});

test('the agent app sends its security policy and no other site can frame it', async () => {
  const context = await env.chrome.browser.newContext();
  await context.addInitScript(hookScript);
  const page = await context.newPage();
  const res = await page.goto(env.desk.url);
  const h = res.headers();
  for (const directive of ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"]) {
    assert.ok(h['content-security-policy']?.split(';').map((d) => d.trim()).includes(directive), `the policy has ${directive}: ${h['content-security-policy']}`);
  }
  assert.equal(h['x-content-type-options'], 'nosniff');
  assert.equal(h['referrer-policy'], 'no-referrer');
  // The app works under its own policy: the setup-or-login screen draws, and nothing is refused.
  await page.getByRole('button', { name: 'Log in' }).waitFor();
  assert.deepEqual(await page.evaluate(() => window.__ran), []);

  // A page of another site framing the desk gets an empty frame, not the app.
  const framer = await startSite({});
  framer.pages['/'] = `<!doctype html><iframe src="${env.desk.url}" width="800" height="600"></iframe>`;
  const attacker = await context.newPage();
  const refused = new Promise((ok) => attacker.on('console', (m) => /frame-ancestors/.test(m.text()) && ok(m.text())));
  await attacker.goto(framer.origin);
  await refused;
  const child = attacker.frames().find((f) => f !== attacker.mainFrame());
  assert.equal(await child?.locator('#app').count().catch(() => 0) ?? 0, 0, 'the framed desk shows nothing');
  framer.close();
  await context.close();
});
