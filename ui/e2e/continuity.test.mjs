// Email continuity in a real browser against the real `frontdesk serve --test-clock`, with a
// real SMTP server on loopback: an admin turns on "email replies" for a widget, a visitor
// chats on the shop's page, leaves their email and closes the tab; two replies from the agent
// come as one email, and its link opens the chat on the desk's own page, where the customer
// reads the replies and answers.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { artifacts, logIn, sendMailThrough, setUpAcme, startSmtp, useDesk } from './desk.mjs';

const env = useDesk(prepare, ['--test-clock']);
let smtp;
let shop;
let admin;

async function prepare() {
  smtp = await startSmtp();
  admin = (await setUpAcme(env.api)).token;
  await sendMailThrough(env.api, admin, smtp);
  await env.api('POST', '/api/v1/inboxes', admin, { name: 'Acme chat', style: 'messaging' });
  const pages = {};
  shop = createServer((req, res) => {
    res.writeHead(pages.html ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(pages.html ?? 'not set up');
  });
  await new Promise((ok) => shop.listen(0, '127.0.0.1', ok));
  shop.origin = `http://127.0.0.1:${shop.address().port}`;
  shop.pages = pages;
}

after(() => {
  smtp?.stop();
  shop?.close();
});

async function waitFor(what, check, ms = 20_000) {
  const start = Date.now();
  for (;;) {
    const got = await check();
    if (got) return got;
    if (Date.now() - start > ms) throw new Error(`gave up waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

test('replies reach a visitor who left by one email, and its link reopens the chat on the desk', async () => {
  // The admin turns it on; the desk's address is filled in from the page they are on.
  const page = await logIn(env.chrome.browser, env.desk.url, 'ana@acme.test', 'correct horse battery');
  await page.getByRole('link', { name: 'Inboxes' }).click();
  const box = page.locator('section[data-inbox="Acme chat"]');
  await box.getByText('Website widget').click();
  await box.getByLabel('Sites allowed to show the chat').fill(shop.origin);
  const desk = env.desk.url.replace(/\/$/, '');
  assert.equal(await box.getByLabel("Address visitors' browsers reach this desk at").inputValue(), desk);
  await box.getByLabel('Email replies to visitors who have left the chat').check();
  await box.getByRole('button', { name: 'Save widget' }).click();
  await box.getByLabel('Widget snippet').waitFor();
  shop.pages.html = `<!doctype html><title>Acme Bikes</title><h1>Acme Bikes</h1>${await box.getByLabel('Widget snippet').innerText()}`;
  await page.context().close();

  // Joe chats, leaves his email, and closes the tab.
  const visit = await env.chrome.browser.newContext({ locale: 'es-ES' });
  const shopPage = await visit.newPage();
  await shopPage.goto(shop.origin);
  await shopPage.getByRole('button', { name: 'Acme chat' }).click();
  const chat = shopPage.frameLocator('iframe[title="Acme chat"]');
  await chat.getByLabel('Escribe un mensaje…').fill('¿Dónde está mi pedido?');
  await chat.getByLabel('Escribe un mensaje…').press('Enter');
  await chat.getByLabel('Tu correo electrónico').fill('joe@example.test');
  await chat.getByRole('button', { name: 'Guardar' }).click();
  await chat.getByText(/joe@example\.test/).waitFor();
  const [c] = (await env.api('GET', '/api/v1/conversations?view=all', admin)).items;
  await visit.close();
  // The desk counts Joe in the chat until his widget's socket has closed: a moment on loopback.
  await new Promise((ok) => setTimeout(ok, 1_000));

  // Two quick replies; the clock passes the 2-minute batch window; one email arrives.
  const reply = (content) => env.api('POST', `/api/v1/conversations/${c.id}/messages`, admin, { content });
  await reply('Sale hoy.');
  await reply('Número de seguimiento: AB123');
  const emails = await env.api('GET', `/api/v1/conversations/${c.id}/emails`, admin);
  assert.equal(emails.length, 1, JSON.stringify(emails));
  assert.equal(emails[0].purpose.kind, 'replies');
  await env.api('POST', '/api/v1/test/clock', admin, { seconds: 121 });
  const [mail] = await waitFor('the replies email', () => smtp.messages().length && smtp.messages());
  assert.equal(mail.headers.subject, 'Nueva respuesta de Acme Bikes (#1)');
  assert.match(mail.parts['text/plain'], /Sale hoy\.[\s\S]*AB123/);
  const link = mail.parts['text/plain'].match(/https?:\/\/\S+continue=\S+/)[0];
  assert.ok(link.startsWith(`${desk}/widget?`), link);

  // Joe follows the link in another browser: the chat opens as a page of the desk's own.
  const later = await env.chrome.browser.newContext({ locale: 'es-ES', viewport: { width: 480, height: 720 } });
  const own = await later.newPage();
  await own.goto(link);
  await own.getByText('Número de seguimiento: AB123').waitFor();
  const bubbles = await own.locator('.log .bubble').allInnerTexts();
  assert.deepEqual(bubbles, ['¿Dónde está mi pedido?', 'Sale hoy.', 'Número de seguimiento: AB123']);
  assert.equal(new URL(own.url()).searchParams.get('continue'), null, 'the link token leaves the address bar');
  await own.getByLabel('Escribe un mensaje…').fill('¡Gracias!');
  await own.getByLabel('Escribe un mensaje…').press('Enter');
  await own.getByText('Entregado').waitFor();
  await own.screenshot({ path: join(artifacts, 'browser-widget-continued.png') });
  const { items: messages } = await env.api('GET', `/api/v1/conversations/${c.id}/messages`, admin);
  assert.equal(messages.at(-1).content, '¡Gracias!');
  assert.equal(messages.at(-1).kind, 'incoming');

  // A link whose signature was changed opens nothing.
  const forged = link.slice(0, -1) + (link.endsWith('0') ? '1' : '0');
  const stranger = await later.newPage();
  await stranger.goto(forged);
  await stranger.getByRole('alert').getByText(/no es válido|not valid/).waitFor();
  await later.close();
});
