// The whole team flow, as a small business lives it: a visitor chats from the shop's website,
// routing gives the chat to the agent who is online (Ana), she answers with a canned response,
// writes a private note that @mentions Ben (his browser shows the notification), hands the
// conversation to him, he solves it, and the visitor sees it solved. Both agents' counts follow
// live. Real `frontdesk serve`, two agents' browsers and the visitor's, all Chromium.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, logIn, recordNotifications, setUpAcme, startSite, useDesk, waitForCount, waitForShown } from './desk.mjs';

const env = useDesk();
let site;
after(() => site?.close());

test('a visitor is routed to Ana, who answers with a canned response, mentions Ben in a note and hands over; Ben solves', async () => {
  const admin = await setUpAcme(env.api, { withBen: true });
  let inbox = await env.api('POST', '/api/v1/inboxes', admin.token, {
    name: 'Acme chat',
    style: 'live_chat_returning',
    routing: { auto_assign: true, team: null, required_skills: [], skill_labels: [], priority_rules: [] },
  });
  site = await startSite({});
  inbox = await env.api('PUT', `/api/v1/inboxes/${inbox.id}/widget`, admin.token, {
    allowed_origins: [site.origin],
    colour: '#1f6feb',
    position: 'bottom_right',
    greeting: '',
    pre_chat: { name: 'optional', email: 'hidden', topic: 'hidden', topics: [] },
  });
  await env.api('POST', '/api/v1/canned_responses', admin.token, {
    short_code: 'late',
    content: 'Sorry for the wait! Your order leaves our workshop today.',
  });
  const desk = env.desk.url.replace(/\/$/, '');
  site.pages['/'] = `<!doctype html><title>Acme Bikes</title><h1>Acme Bikes</h1>
    <script src="${desk}/widget.js" data-website-token="${inbox.widget.website_token}" async></script>`;

  const ana = await logIn(env.chrome.browser, env.desk.url, 'ana@acme.test', 'correct horse battery');
  const ben = await logIn(env.chrome.browser, env.desk.url, 'ben@acme.test', 'battery staple horse', undefined, async (context) => {
    await context.grantPermissions(['notifications'], { origin: desk });
    await context.addInitScript(recordNotifications);
  });
  await ana.getByLabel('Availability').selectOption('online');
  await ana.waitForFunction(() => document.querySelector('#availability')?.classList.contains('a-online'));

  // The visitor writes from the shop's page.
  const visitorContext = await env.chrome.browser.newContext({ locale: 'en-US' });
  const visitor = await visitorContext.newPage();
  await visitor.goto(site.origin);
  await visitor.getByRole('button', { name: 'Acme chat' }).click();
  const chat = visitor.frameLocator('iframe[title="Acme chat"]');
  await chat.getByLabel('Your name').fill('Rosa');
  await chat.getByLabel('Write a message…').fill('Hi, my order #77 is late.');
  await chat.getByRole('button', { name: 'Start the chat' }).click();
  await chat.getByText('Delivered').waitFor();

  // Routing gave it to Ana, the one online: her Mine and both Alls count it.
  await waitForCount(ana, 'mine', '1');
  await waitForCount(ben, 'all', '1');
  await waitForCount(ben, 'mine', '0');
  await ana.locator('[data-view="mine"]').click();
  const row = ana.locator('[data-conversation="1"]');
  await row.waitFor();
  assert.match(await row.innerText(), /Rosa[\s\S]*Ana Admin/);

  // Ana answers with the canned response, picked by typing /la.
  await row.click();
  const reply = ana.getByLabel('Reply', { exact: true });
  await reply.click();
  await reply.pressSequentially('/la', { delay: 20 });
  await ana.getByRole('listbox', { name: 'Canned responses' }).getByText('/late').waitFor();
  await ana.keyboard.press('Enter');
  await ana.keyboard.press('Enter');
  await chat.getByText('Sorry for the wait! Your order leaves our workshop today.').waitFor();

  // A private note @mentioning Ben: his browser shows it, the visitor never sees it.
  await ana.getByRole('tab', { name: 'Private note' }).click();
  const note = ana.getByLabel('Private note');
  await note.pressSequentially('@be', { delay: 20 });
  await ana.getByRole('listbox', { name: 'Mention an agent' }).getByRole('button', { name: '@Ben Agent' }).click();
  await note.pressSequentially('can you take this? The courier is yours.');
  await note.press('Enter');
  await ana.locator('article.private_note', { hasText: 'The courier is yours' }).waitFor();
  await waitForShown(ben, 'Ana Admin mentioned you');

  // Ana hands it to Ben: the counts move for both, and Ben is told.
  await ana.getByLabel('Assignee').selectOption({ label: 'Ben Agent' });
  await waitForCount(ben, 'mine', '1');
  await waitForCount(ana, 'mine', '0');
  await waitForShown(ben, 'was assigned to you by Ana Admin');

  // Ben solves it; the visitor sees it solved, and nobody's list counts it any more.
  await ben.locator('[data-view="mine"]').click();
  await ben.locator('[data-conversation="1"]').click();
  await ben.locator('.log').getByText('The courier is yours').waitFor();
  await ben.getByRole('button', { name: 'Solve', exact: true }).click();
  await ben.locator('[data-status="solved"]').waitFor();
  await ana.locator('[data-status="solved"]').waitFor();
  await waitForCount(ben, 'mine', '0');
  await waitForCount(ana, 'all', '0');
  await waitForCount(ben, 'all', '0');
  await chat.getByText('This conversation is solved.').waitFor();
  assert.equal(await chat.getByText('The courier is yours', { exact: false }).count(), 0, 'the note stays with the agents');
  await ben.screenshot({ path: join(artifacts, 'browser-team-flow-ben.png') });
  await visitor.screenshot({ path: join(artifacts, 'browser-team-flow-visitor.png') });
  await visitorContext.close();
  await ana.context().close();
  await ben.context().close();
});
