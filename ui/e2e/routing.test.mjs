// An admin sets up an inbox with a team, and watches the routing queue from the browser:
// conversations wait while nobody in the team is online, go to an agent the moment they come
// online, and wait again (with the reason shown) once that agent is at capacity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, logIn as logInAt, setUpAcme, useDesk } from './desk.mjs';

const env = useDesk();

test('the queue screen shows who waits and why, and assignment follows availability and capacity', async () => {
  const admin = await setUpAcme(env.api, { withBen: true });

  const page = await logInAt(env.chrome.browser, env.desk.url, 'ana@acme.test', 'correct horse battery');

  // A team, then an inbox routed to it; a wrong time zone is refused with the reason.
  await page.getByRole('link', { name: 'Inboxes' }).click();
  await page.getByLabel('New team').fill('Billing');
  await page.getByRole('button', { name: 'Create team' }).click();
  await page.getByRole('listitem').filter({ hasText: 'Billing' }).waitFor();
  await page.getByLabel('Name', { exact: true }).fill('Website');
  await page.getByLabel('Time zone').fill('Mars/Base');
  await page.getByLabel('Team', { exact: true }).selectOption({ label: 'Billing' });
  await page.getByRole('button', { name: 'Create inbox' }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /'Mars\/Base' is not a known time zone/);
  await page.getByLabel('Time zone').fill('Europe/Rome');
  await page.getByRole('button', { name: 'Create inbox' }).click();
  await page.locator('[data-inbox="Website"]').waitFor();
  assert.match(await page.locator('[data-inbox="Website"]').innerText(), /Messaging · closes 4 days after solved · Europe\/Rome/);
  const [inbox] = await env.api('GET', '/api/v1/inboxes', admin.token);
  assert.equal(inbox.routing.auto_assign, true);
  assert.ok(inbox.routing.team, 'the inbox belongs to the team');

  // Ben joins the team with room for one conversation.
  await page.getByRole('link', { name: 'Routing' }).click();
  const benRow = page.locator('[data-agent="Ben Agent"]');
  await benRow.getByLabel('Billing').check();
  await page.getByLabel('Capacity of Ben Agent').fill('1');
  await page.getByLabel('Capacity of Ben Agent').press('Enter');
  await page.waitForFunction(() => document.querySelector('[data-agent="Ben Agent"] .load')?.textContent?.includes('0'));

  // Two customers write while Ben is offline: both wait, and the screen says why.
  for (const who of ['joe', 'mia']) {
    await env.api('POST', `/api/v1/inboxes/${inbox.id}/customer_messages`, admin.token, {
      contact: { email: `${who}@example.test` },
      content: `Hello from ${who}`,
    });
  }
  const waiting = page.getByTestId('waiting');
  await page.waitForFunction(() => document.querySelector('[data-testid="waiting"]')?.textContent === '2');
  assert.match(await page.locator('[data-waiting="1"]').innerText(), /everyone who could take it is away or offline/);

  // Ben comes online (the admin switches him): the oldest goes to him, the other waits for room.
  await page.getByLabel('Availability of Ben Agent').selectOption('online');
  await page.waitForFunction(() => document.querySelector('[data-testid="waiting"]')?.textContent === '1');
  assert.equal(await page.locator('[data-waiting="1"]').count(), 0, 'the oldest was assigned first');
  assert.match(await page.locator('[data-waiting="2"]').innerText(), /everyone online who could take it is at capacity/);
  assert.match(await benRow.locator('.load').innerText(), /^1 \//);
  await page.screenshot({ path: join(artifacts, 'browser-routing.png') });

  // More room: the last one goes to Ben at once.
  await page.getByLabel('Capacity of Ben Agent').fill('2');
  await page.getByLabel('Capacity of Ben Agent').press('Enter');
  await page.waitForFunction(() => document.querySelector('[data-testid="waiting"]')?.textContent === '0');
  assert.equal(await waiting.innerText(), '0');
  const conversations = await env.api('GET', '/api/v1/conversations?view=unassigned', admin.token);
  assert.equal(conversations.items.length, 0, 'nothing is left unassigned');
});

test('an agent who leaves the app idle goes away, and is back online on return', async () => {
  const context = await env.chrome.browser.newContext({ viewport: { width: 1200, height: 800 } });
  await context.clock.install();
  const page = await context.newPage();
  await page.goto(env.desk.url);
  await page.getByLabel('Email').fill('ben@acme.test');
  await page.getByLabel('Password').fill('battery staple horse');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Inbox' }).waitFor();
  const login = await env.api('POST', '/api/v1/auth/login', null, { email: 'ana@acme.test', password: 'correct horse battery' });
  const benAvailability = async () =>
    (await env.api('GET', '/api/v1/routing', login.token)).agents.find((a) => a.name === 'Ben Agent').availability;
  await page.getByLabel('Availability', { exact: true }).selectOption('online');
  await page.waitForFunction(() => document.querySelector('#availability')?.classList.contains('a-online'));
  assert.equal(await page.getByLabel('Away when idle').inputValue(), '10', 'ten minutes unless the agent picks otherwise');

  await page.clock.fastForward('10:30');
  await page.waitForFunction(() => document.querySelector('#availability')?.classList.contains('a-away'));
  assert.equal(await benAvailability(), 'away', 'routing stops giving chats to an idle agent');

  await page.mouse.move(200, 200);
  await page.mouse.move(300, 250);
  await page.waitForFunction(() => document.querySelector('#availability')?.classList.contains('a-online'));
  assert.equal(await benAvailability(), 'online');

  // An away the agent chose stays, however long they are gone and whatever they do after.
  await page.getByLabel('Availability', { exact: true }).selectOption('away');
  await page.waitForFunction(() => document.querySelector('#availability')?.classList.contains('a-away'));
  await page.clock.fastForward('20:00');
  await page.mouse.move(10, 10);
  await page.clock.fastForward('00:30');
  assert.equal(await benAvailability(), 'away');
  await context.close();
});
