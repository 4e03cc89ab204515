// The website widget embedded in plain pages served from other origins than the host desk: a
// visitor chats with an agent (who answers through the API), reloads without losing or
// doubling anything, rates the chat and asks for its transcript (a real SMTP server on
// loopback receives it); a page of a site that is not allowed gets nothing; a forged identity
// is refused. Screenshots of the open widget in English, Spanish and Italian.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { artifacts, logIn, sendMailThrough, setUpAcme, startSite, startSmtp, useDesk } from './desk.mjs';

const env = useDesk(prepare);
let smtp;
let shop; // the allowed site
let other; // a site the inbox does not list
let admin;
let inbox;

/** A shop page with its own styles and script, and the snippet an admin pastes. */
function shopPage(snippet) {
  return `<!doctype html><html><head><title>Acme Bikes</title>
    <style>body { font: 20px Georgia, serif; color: rgb(120, 0, 0); } button { background: rgb(0, 128, 0) !important; }</style>
    </head><body><h1>Acme Bikes</h1><button id="buy">Buy</button>
    <script>window.shopReady = true;</script>${snippet}</body></html>`;
}

/** The shop's inbox, its widget and email, on the running desk. */
async function prepare() {
  smtp = await startSmtp();
  admin = (await setUpAcme(env.api)).token;
  await sendMailThrough(env.api, admin, smtp);
  inbox = await env.api('POST', '/api/v1/inboxes', admin, { name: 'Acme chat', style: 'messaging' });
  shop = await startSite({});
  other = await startSite({});
  inbox = await env.api('PUT', `/api/v1/inboxes/${inbox.id}/widget`, admin, {
    allowed_origins: [shop.origin],
    colour: '#aa3300',
    position: 'bottom_right',
    greeting: 'Hi! We usually answer within minutes.',
    pre_chat: { name: 'optional', email: 'required', topic: 'hidden', topics: [] },
  });
  const desk = env.desk.url.replace(/\/$/, '');
  const snippet = `<script src="${desk}/widget.js" data-website-token="${inbox.widget.website_token}" async></script>`;
  const token = inbox.widget.website_token;
  shop.pages['/'] = shopPage(snippet);
  other.pages['/'] = shopPage(snippet);
  // Another site framing the chat page itself, claiming to be the shop.
  other.pages['/frame'] = `<!doctype html><iframe onload="window.frameLoaded = true"
    src="${desk}/widget?website_token=${token}&parent=${encodeURIComponent(shop.origin)}"></iframe>`;
}

after(() => {
  smtp?.stop();
  shop?.close();
  other?.close();
});

async function openShop(locale = 'en-US') {
  const context = await env.chrome.browser.newContext({ locale, viewport: { width: 1100, height: 800 } });
  const page = await context.newPage();
  const warnings = [];
  page.on('console', (m) => warnings.push(m.text()));
  await page.goto(shop.origin);
  return { context, page, warnings, chat: page.frameLocator('iframe[title="Acme chat"]') };
}

async function conversationOf(email) {
  const list = await env.api('GET', '/api/v1/conversations?view=all', admin);
  for (const c of list.items) {
    const contact = await env.api('GET', `/api/v1/contacts/${c.contact}`, admin);
    if (contact.email === email) return c;
  }
  throw new Error(`no conversation of ${email}`);
}

test('a visitor chats with an agent, reloads, rates the chat and gets its transcript by email', async () => {
  const { context, page, chat } = await openShop();
  const launcher = page.getByRole('button', { name: 'Acme chat' });
  await launcher.waitFor();
  // The shop's own styles and script are untouched, and they do not reach the launcher.
  assert.equal(await page.evaluate(() => window.shopReady), true);
  assert.equal(await page.locator('#buy').evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(0, 128, 0)');
  assert.equal(await launcher.evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(170, 51, 0)');

  await launcher.click();
  await chat.getByText('Hi! We usually answer within minutes.').waitFor();
  await chat.getByLabel('Write a message…').fill('Where is my order #1042?');
  await chat.getByLabel('Write a message…').press('Enter');
  // The inbox requires an email first: the form stops the message before it is sent.
  assert.equal(await chat.getByLabel('Your email').evaluate((i) => i.validity.valueMissing), true);
  assert.equal(await chat.locator('.pending').count(), 0);
  assert.equal(await chat.getByLabel('Write a message…').inputValue(), 'Where is my order #1042?');
  await chat.getByLabel('Your name').fill('Joe');
  await chat.getByLabel('Your email').fill('joe@example.test');
  await chat.getByRole('button', { name: 'Start the chat' }).click();
  await chat.getByText('Delivered').waitFor();

  const c = await conversationOf('joe@example.test');
  assert.equal(c.preview, 'Where is my order #1042?');
  await env.api('POST', `/api/v1/conversations/${c.id}/messages`, admin, { content: 'It ships **today**.' });
  await env.api('POST', `/api/v1/conversations/${c.id}/messages`, admin, { content: 'VIP customer', private: true });
  await chat.locator('.log strong').getByText('today').waitFor();
  assert.equal(await chat.locator('.log .who').filter({ hasText: 'Ana Admin' }).count(), 1);

  // While the chat is closed, a reply shows on the launcher's badge.
  await chat.getByRole('button', { name: 'Close the chat' }).click();
  await env.api('POST', `/api/v1/conversations/${c.id}/messages`, admin, { content: 'Anything else?' });
  await launcher.getByText('1').waitFor();

  // A reload keeps the history, each message once, and never the note.
  await page.reload();
  await page.getByRole('button', { name: 'Acme chat' }).click();
  await chat.getByText('Anything else?').waitFor();
  const bubbles = await chat.locator('.log .bubble').allInnerTexts();
  assert.deepEqual(bubbles, [
    'Where is my order #1042?',
    'Hi! We usually answer within minutes.',
    'It ships today.',
    'Anything else?',
  ]);
  await chat.getByLabel('Write a message…').fill('No, thanks!');
  await chat.getByLabel('Write a message…').press('Enter');
  await chat.getByText('Delivered').waitFor();
  assert.equal(await chat.locator('.log .bubble').count(), 5);

  await env.api('POST', `/api/v1/conversations/${c.id}/status`, admin, { status: 'solved' });
  await chat.getByText('This conversation is solved.').waitFor();
  await chat.getByRole('button', { name: '5/5' }).click();
  await chat.getByLabel('Anything to add? (optional)').fill('Fast and kind');
  await chat.getByRole('button', { name: 'Send rating' }).click();
  await chat.getByText('Thanks for your rating: 5/5.').waitFor();
  assert.equal(await chat.getByLabel('Email address for the transcript').inputValue(), 'joe@example.test');
  await chat.getByRole('button', { name: 'Email me the transcript' }).click();
  await chat.getByText('The transcript is on its way to joe@example.test.').waitFor();
  await page.screenshot({ path: join(artifacts, 'browser-widget-solved.png') });

  const rated = await env.api('GET', `/api/v1/conversations/${c.id}`, admin);
  assert.deepEqual([rated.csat.rating, rated.csat.comment], [5, 'Fast and kind']);
  let mail;
  for (let i = 0; i < 100 && !mail; i++) {
    mail = smtp.messages().find((m) => m.rcpt_tos.includes('joe@example.test'));
    if (!mail) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(mail, 'the transcript reached the SMTP server within 10 s');
  assert.match(mail.parts['text/plain'], /Where is my order #1042\?/);
  assert.doesNotMatch(mail.parts['text/plain'], /VIP customer/);
  await context.close();
});

test('visitor and agent see each other typing and what the other has seen; a note being typed stays private', async () => {
  const { context, page, chat } = await openShop();
  await page.getByRole('button', { name: 'Acme chat' }).click();
  await chat.getByLabel('Write a message…').fill('Do you have 29er tyres?');
  await chat.getByLabel('Your name').fill('Zoe');
  await chat.getByLabel('Your email').fill('zoe@example.test');
  await chat.getByRole('button', { name: 'Start the chat' }).click();
  await chat.getByText('Delivered').waitFor();
  const c = await conversationOf('zoe@example.test');

  // The agent opens it in the agent UI: the visitor's message turns "Seen".
  const ana = await logIn(env.chrome.browser, env.desk.url, 'ana@acme.test', 'correct horse battery');
  await ana.locator('[data-view="all"]').click();
  await ana.locator(`[data-conversation="${c.number}"]`).click();
  await ana.locator('.log').getByText('Do you have 29er tyres?').waitFor();
  await chat.getByText('Seen', { exact: true }).waitFor();

  // Each sees the other typing.
  await chat.getByLabel('Write a message…').pressSequentially('And tubes');
  await ana.getByText('Zoe is typing…').waitFor();
  const reply = ana.getByLabel('Reply', { exact: true });
  await reply.pressSequentially('Yes, both');
  await chat.getByText('Ana Admin is typing…').waitFor();

  // The reply ends the indicator; the open widget reads it, and the agent sees that.
  await reply.press('Enter');
  await chat.locator('.log').getByText('Yes, both').waitFor();
  await chat.getByText('Ana Admin is typing…').waitFor({ state: 'detached' });
  await ana.getByText('Seen by the customer').waitFor();

  // A private note being written is for agents only.
  await ana.getByRole('tab', { name: 'Private note' }).click();
  await ana.getByLabel('Private note').pressSequentially('She asked about tubes before');
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await chat.locator('.typing').count(), 0, 'no typing indicator for a note');
  await ana.context().close();
  await context.close();
});

test('the open widget speaks English, Spanish and Italian', async () => {
  for (const [locale, placeholder] of [
    ['en-US', 'Write a message…'],
    ['es-ES', 'Escribe un mensaje…'],
    ['it-IT', 'Scrivi un messaggio…'],
  ]) {
    const { context, page, chat } = await openShop(locale);
    await page.getByRole('button', { name: 'Acme chat' }).click();
    await chat.getByLabel(placeholder).waitFor();
    await page.screenshot({ path: join(artifacts, `browser-widget-${locale.slice(0, 2)}.png`) });
    await context.close();
  }
});

test('a site the inbox does not list gets no chat, even when it frames the chat page itself', async () => {
  const context = await env.chrome.browser.newContext();
  const page = await context.newPage();
  const warnings = [];
  page.on('console', (m) => warnings.push(m.text()));
  await page.goto(other.origin);
  await page.waitForFunction(() => window.shopReady);
  for (let i = 0; i < 100 && !warnings.some((w) => w.startsWith('Frontdesk chat is not shown')); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const warning = warnings.find((w) => w.startsWith('Frontdesk chat is not shown'));
  assert.match(warning ?? '', /may not use the chat of the inbox 'Acme chat'/);
  assert.equal(await page.locator('[data-frontdesk-widget]').count(), 0, 'no launcher');

  await page.goto(`${other.origin}/frame`);
  await page.waitForFunction(() => window.frameLoaded);
  const framed = page.frames().find((f) => f !== page.mainFrame());
  assert.equal(await framed.locator('main.widget').count(), 0, 'the browser refuses to show the chat page');
  await context.close();
});

test("a forged identity is refused, the site's real HMAC signs the user in", async () => {
  const desk = env.desk.url.replace(/\/$/, '');
  const token = inbox.widget.website_token;
  const sign = (text) => createHmac('sha256', inbox.widget.identity_secret).update(text).digest('hex');
  // The site signs the email too: an unsigned one would be ignored.
  const snippet = (hash) =>
    `<script src="${desk}/widget.js" data-website-token="${token}" data-identifier="user-42" data-identifier-hash="${hash}" data-name="Ida" data-email="ida@example.test" data-email-hash="${sign('ida@example.test')}" async></script>`;
  const good = sign('user-42');
  const forged = createHmac('sha256', 'a guess').update('user-42').digest('hex');
  shop.pages['/forged'] = shopPage(snippet(forged));
  shop.pages['/account'] = shopPage(snippet(good));

  const context = await env.chrome.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${shop.origin}/forged`);
  await page.getByRole('button', { name: 'Acme chat' }).click();
  const chat = page.frameLocator('iframe[title="Acme chat"]');
  // The visitor reads a line of their own; the desk's words for the site's developer stay in the console.
  await chat.getByRole('alert').getByText('We could not sign you in to the chat. Reload the page to try again.').waitFor();
  assert.equal(await chat.getByText('the identity hash does not match the identifier').count(), 0);

  await page.goto(`${shop.origin}/account`);
  await page.getByRole('button', { name: 'Acme chat' }).click();
  // Signed in, the visitor writes without the pre-chat form: the desk knows who they are.
  await chat.getByRole('button', { name: 'Send' }).waitFor();
  await chat.getByLabel('Write a message…').fill('Hello from my account');
  await chat.getByLabel('Write a message…').press('Enter');
  await chat.getByText('Delivered').waitFor();
  const c = await conversationOf('ida@example.test');
  const contact = await env.api('GET', `/api/v1/contacts/${c.contact}`, admin);
  assert.deepEqual([contact.identifier, contact.name], ['user-42', 'Ida']);
  await context.close();
});

test('an admin sets up a widget on the Inboxes screen and its snippet works on the site', async () => {
  const support = await env.api('POST', '/api/v1/inboxes', admin, { name: 'Support', style: 'live_chat' });
  const page = await logIn(env.chrome.browser, env.desk.url, 'ana@acme.test', 'correct horse battery');
  await page.getByRole('link', { name: 'Inboxes' }).click();
  const box = page.locator('section[data-inbox="Support"]');
  await box.getByText('Website widget').click();
  await box.getByLabel('Sites allowed to show the chat').fill('shop.example.com');
  await box.getByRole('button', { name: 'Save widget' }).click();
  await box.getByRole('alert').getByText(/'shop.example.com' is not an origin like https:\/\/shop.example.com/).waitFor();
  await box.getByLabel('Sites allowed to show the chat').fill(shop.origin);
  await box.getByLabel('Greeting').fill('¡Hola! Te leemos.');
  await box.getByLabel('Language').selectOption('es');
  await box.getByLabel('Launcher').selectOption('bottom_left');
  await box.getByRole('button', { name: 'Save widget' }).click();
  await box.getByRole('button', { name: 'Save widget' }).waitFor();
  const snippet = await box.getByLabel('Widget snippet').innerText();
  assert.match(snippet, new RegExp(`data-website-token="${support.widget.website_token}"`));
  await page.screenshot({ path: join(artifacts, 'browser-widget-settings.png'), fullPage: true });
  await page.context().close();

  shop.pages['/support'] = shopPage(snippet);
  const context = await env.chrome.browser.newContext({ locale: 'en-US' });
  const visitor = await context.newPage();
  await visitor.goto(`${shop.origin}/support`);
  const launcher = visitor.getByRole('button', { name: 'Support' });
  await launcher.click();
  const chat = visitor.frameLocator('iframe[title="Support"]');
  await chat.getByText('¡Hola! Te leemos.').waitFor();
  await chat.getByLabel('Escribe un mensaje…').waitFor();
  const box2 = await launcher.boundingBox();
  assert.ok(box2.x < 100, 'the launcher sits bottom left');
  await context.close();
});

// A 1×1 red PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
);

test('a visitor sends a photo, the agent sees it and answers with a PDF; a file over 10 MB is refused at once', async () => {
  const { context, page, chat } = await openShop();
  await page.getByRole('button', { name: 'Acme chat' }).click();
  await chat.getByLabel('Write a message…').fill('My bike arrived with a broken frame');
  await chat.getByLabel('Your email').fill('ivo@example.test');
  await chat.getByRole('button', { name: 'Start the chat' }).click();
  await chat.getByText('Delivered').waitFor();

  const picker = chat.locator('input[type=file]');
  await picker.setInputFiles({ name: 'huge.zip', mimeType: 'application/zip', buffer: Buffer.alloc(10 * 1024 * 1024 + 1) });
  await chat.getByRole('alert').getByText('huge.zip is larger than 10 MB: send a smaller file').waitFor();
  await chat.getByRole('button', { name: 'Remove huge.zip' }).click();
  await picker.setInputFiles({ name: 'frame.png', mimeType: 'image/png', buffer: PNG });
  await chat.getByRole('button', { name: 'Send' }).and(chat.locator(':not([disabled])')).waitFor();
  await chat.getByRole('button', { name: 'Send' }).click();
  const shown = chat.locator('.log img[alt="frame.png"]');
  await shown.waitFor();
  assert.equal(await shown.evaluate((img) => img.complete && img.naturalWidth), 1, 'the photo loads from the desk');

  // The agent sees the photo in the conversation and replies with a PDF.
  const c = await conversationOf('ivo@example.test');
  assert.equal(c.preview, '📎 frame.png');
  const ana = await logIn(env.chrome.browser, env.desk.url, 'ana@acme.test', 'correct horse battery');
  await ana.locator('[data-view="all"]').click();
  await ana.locator(`[data-conversation="${c.number}"]`).click();
  const photo = ana.locator('.log img[alt="frame.png"]');
  await photo.waitFor();
  assert.equal(await photo.evaluate((img) => img.complete && img.naturalWidth), 1);
  await ana.locator('.reply input[type=file]').setInputFiles({
    name: 'repair-form.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'),
  });
  await ana.getByLabel('Reply', { exact: true }).fill('Sorry! Fill in this form and we send a new frame.');
  await ana.getByRole('button', { name: 'Send', exact: true }).and(ana.locator(':not([disabled])')).click();
  await ana.locator('.log').getByRole('link', { name: 'repair-form.pdf' }).waitFor();
  const link = chat.getByRole('link', { name: 'repair-form.pdf' });
  await link.waitFor();
  const href = await link.getAttribute('href');
  const res = await fetch(new URL(href, env.desk.url));
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  assert.match(res.headers.get('content-disposition'), /^attachment; filename="repair-form.pdf"/);
  await page.screenshot({ path: join(artifacts, 'browser-widget-attachments.png') });
  await ana.context().close();
  await context.close();
});

test('outside the business hours set on the Inboxes screen, the widget says when the team is back and takes a message', async () => {
  let night = await env.api('POST', '/api/v1/inboxes', admin, { name: 'Night desk', style: 'messaging' });
  night = await env.api('PUT', `/api/v1/inboxes/${night.id}/widget`, admin, {
    allowed_origins: [shop.origin],
    colour: '#224488',
    position: 'bottom_right',
    greeting: 'Hello! How can we help?',
    pre_chat: { name: 'hidden', email: 'hidden', topic: 'hidden', topics: [] },
  });
  // Only tomorrow has hours, so the team is away whatever the time is now.
  const days = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
  const tomorrow = days[(new Date().getUTCDay() + 6 + 1) % 7];
  const page = await logIn(env.chrome.browser, env.desk.url, 'ana@acme.test', 'correct horse battery');
  await page.getByRole('link', { name: 'Inboxes' }).click();
  const box = page.locator('section[data-inbox="Night desk"]');
  await box.getByText('Style, time zone and business hours').click();
  await box.getByLabel('Time zone').fill('UTC');
  await box.getByLabel('Outside these hours').check();
  for (const day of days) {
    const open = box.getByRole('checkbox', { name: day, exact: true });
    if (day === tomorrow) await open.check();
    else await open.uncheck();
  }
  await box.getByLabel(`${tomorrow} opens`).fill('18:00');
  await box.getByLabel(`${tomorrow} closes`).fill('08:00');
  await box.getByRole('button', { name: 'Save inbox' }).click();
  await box.getByRole('alert').getByText(`${tomorrow} closes at 08:00 before it opens at 18:00`).waitFor();
  await box.getByLabel(`${tomorrow} opens`).fill('09:00');
  await box.getByLabel(`${tomorrow} closes`).fill('17:00');
  await box.getByLabel('Away message').fill('We are closed today. Leave a message and we will answer tomorrow at nine.');
  await box.getByLabel('the widget says the team replies').selectOption('hours');
  await box.getByRole('button', { name: 'Save inbox' }).click();
  await box.getByRole('status').getByText('Saved.').waitFor();
  await page.locator('section[data-inbox="Night desk"] .hint').getByText('business hours on').waitFor();
  await page.screenshot({ path: join(artifacts, 'browser-business-hours.png'), fullPage: true });
  await page.context().close();

  const snippet = `<script src="${env.desk.url.replace(/\/$/, '')}/widget.js" data-website-token="${night.widget.website_token}" async></script>`;
  shop.pages['/night'] = shopPage(snippet);
  const context = await env.chrome.browser.newContext({ locale: 'en-US', timezoneId: 'UTC' });
  const visitor = await context.newPage();
  await visitor.goto(`${shop.origin}/night`);
  await visitor.getByRole('button', { name: 'Night desk' }).click();
  const chat = visitor.frameLocator('iframe[title="Night desk"]');
  await chat.getByText(new RegExp(`^Back ${tomorrow},? 9:00 AM$`)).waitFor();
  await chat.locator('.log .away').getByText('We are closed today.', { exact: false }).waitFor();
  assert.equal(await chat.getByText('Hello! How can we help?').count(), 0, 'no greeting promising someone is there');
  await chat.getByLabel('Write a message…').fill('My bike arrived without its pedals. ');
  await chat.getByRole('button', { name: 'Emoji', exact: true }).click();
  await chat.getByLabel('Find an emoji').fill('sad');
  await chat.getByLabel('Find an emoji').press('Enter');
  await chat.getByLabel('Write a message…').press('Enter');
  await chat.getByText('Delivered').waitFor();
  await visitor.screenshot({ path: join(artifacts, 'browser-widget-away.png') });
  await context.close();

  const list = await env.api('GET', `/api/v1/conversations?view=inbox:${night.id}`, admin);
  assert.equal(list.items.length, 1);
  const messages = await env.api('GET', `/api/v1/conversations/${list.items[0].id}/messages`, admin);
  assert.deepEqual(
    messages.items.map((m) => [m.kind, m.content]),
    [
      ['incoming', 'My bike arrived without its pedals. 😢'],
      ['outgoing', 'We are closed today. Leave a message and we will answer tomorrow at nine.'],
    ],
  );
});

test('a campaign set on the Inboxes screen greets visitors of its pages once, and opens the chat it starts', async () => {
  let bikes = await env.api('POST', '/api/v1/inboxes', admin, { name: 'Bike advice', style: 'messaging' });
  bikes = await env.api('PUT', `/api/v1/inboxes/${bikes.id}/widget`, admin, {
    allowed_origins: [shop.origin],
    colour: '#116633',
    position: 'bottom_right',
    greeting: 'Hello there!',
    pre_chat: { name: 'hidden', email: 'hidden', topic: 'hidden', topics: [] },
  });
  const page = await logIn(env.chrome.browser, env.desk.url, 'ana@acme.test', 'correct horse battery');
  await page.getByRole('link', { name: 'Inboxes' }).click();
  const box = page.locator('section[data-inbox="Bike advice"]');
  await box.getByText('Website widget').click();
  await box.getByRole('button', { name: 'Add a campaign' }).click();
  await box.getByLabel('Message', { exact: true }).fill('Not sure about the frame size? Ask us!');
  await box.getByLabel('On pages').fill('bikes');
  await box.getByLabel('after seconds').fill('1');
  await box.getByRole('button', { name: 'Save widget' }).click();
  await box.getByRole('alert').getByText("'bikes' is not a page pattern").waitFor();
  await box.getByLabel('On pages').fill('/bikes/*');
  await box.getByRole('button', { name: 'Save widget' }).click();
  await page.waitForFunction(() => !document.querySelector('section[data-inbox="Bike advice"] [role="alert"]'));
  await page.context().close();

  const snippet = `<script src="${env.desk.url.replace(/\/$/, '')}/widget.js" data-website-token="${bikes.widget.website_token}" async></script>`;
  shop.pages['/bikes/road-7'] = shopPage(snippet);
  shop.pages['/contact'] = shopPage(snippet);
  const context = await env.chrome.browser.newContext({ locale: 'en-US' });
  const visitor = await context.newPage();
  // Not on a page the campaign names.
  await visitor.goto(`${shop.origin}/contact`);
  await visitor.getByRole('button', { name: 'Bike advice' }).waitFor();
  await visitor.waitForTimeout(1_500);
  assert.equal(await visitor.getByText('Not sure about the frame size?').count(), 0);

  await visitor.goto(`${shop.origin}/bikes/road-7`);
  const bubble = visitor.getByRole('button', { name: 'Not sure about the frame size? Ask us!' });
  await bubble.waitFor({ timeout: 5_000 });
  await visitor.screenshot({ path: join(artifacts, 'browser-widget-campaign.png') });
  await bubble.click();
  const chat = visitor.frameLocator('iframe[title="Bike advice"]');
  await chat.locator('.log .campaign').getByText('Not sure about the frame size? Ask us!').waitFor();
  await chat.getByLabel('Write a message…').fill('I am 1.80 m, is a 56 right?');
  await chat.getByLabel('Write a message…').press('Enter');
  await chat.getByText('Delivered').waitFor();
  await chat.locator('.log .bubble').filter({ hasText: 'Not sure about the frame size?' }).waitFor();
  // The campaign's message, then the visitor's (then the widget asks for an email).
  assert.deepEqual((await chat.locator('.log .bubble').allInnerTexts()).slice(0, 2), ['Not sure about the frame size? Ask us!', 'I am 1.80 m, is a 56 right?']);

  // Once per visitor: back on the page, it does not show again.
  await visitor.reload();
  await visitor.getByRole('button', { name: 'Bike advice' }).waitFor();
  await visitor.waitForTimeout(1_500);
  assert.equal(await visitor.getByRole('button', { name: 'Not sure about the frame size? Ask us!' }).count(), 0);
  await context.close();

  const list = await env.api('GET', `/api/v1/conversations?view=inbox:${bikes.id}`, admin);
  const messages = await env.api('GET', `/api/v1/conversations/${list.items[0].id}/messages`, admin);
  assert.deepEqual(
    messages.items.map((m) => [m.kind, m.content]),
    [
      ['outgoing', 'Not sure about the frame size? Ask us!'],
      ['incoming', 'I am 1.80 m, is a 56 right?'],
    ],
  );
});
