// Two agents work the same desk from two browsers against the real `frontdesk serve`: routing
// gives a customer's chat to the agent who is online, replies and notes appear live for both,
// a hand-over and a solve move both agents' counts, and a draft survives a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, logIn as logInAt, setUpAcme, useDesk, waitForCount } from './desk.mjs';

const env = useDesk();

const logIn = (email, password) => logInAt(env.chrome.browser, env.desk.url, email, password);

/** The number the sidebar shows next to a view. */
async function count(page, view) {
  return (await page.locator(`[data-view="${view}"] .count`).innerText()).trim();
}

test('two agents share a conversation live: routed, answered, noted, handed over and solved', async () => {
  const admin = await setUpAcme(env.api, { withBen: true });
  const inbox = await env.api('POST', '/api/v1/inboxes', admin.token, {
    name: 'Website',
    style: 'messaging',
    routing: { auto_assign: true, team: null, required_skills: [], skill_labels: [], priority_rules: [] },
  });

  const ana = await logIn('ana@acme.test', 'correct horse battery');
  const ben = await logIn('ben@acme.test', 'battery staple horse');

  // Ana goes online with the switch; Ben stays offline, so routing must pick Ana.
  await ana.getByLabel('Availability').selectOption('online');
  await ana.waitForFunction(() => document.querySelector('#availability')?.classList.contains('a-online'));
  const overview = await env.api('GET', '/api/v1/routing', admin.token);
  assert.equal(overview.agents.find((a) => a.name === 'Ana Admin').availability, 'online');
  assert.equal(await count(ana, 'mine'), '0');
  // Ben sees Ana's presence turn green among the People, without a reload.
  const anaView = `assignee:${overview.agents.find((a) => a.name === 'Ana Admin').agent}`;
  const benView = `assignee:${overview.agents.find((a) => a.name === 'Ben Agent').agent}`;
  await ben.locator(`[data-view="${anaView}"] [data-presence="online"]`).waitFor({ timeout: 10_000 });
  await ben.locator(`[data-view="${benView}"] [data-presence="offline"]`).waitFor();

  // A customer writes; both lists show it without a reload, and it is Ana's.
  const first = await env.api('POST', `/api/v1/inboxes/${inbox.id}/customer_messages`, admin.token, {
    contact: { name: 'Joe Rider', email: 'joe@example.test' },
    content: 'My bike arrived with a flat tyre.',
  });
  const number = String(first.conversation.number);
  await waitForCount(ana, 'mine', '1');
  await waitForCount(ben, 'all', '1');
  await ana.locator(`[data-view="mine"]`).click();
  const anaRow = ana.locator(`[data-conversation="${number}"]`);
  await anaRow.waitFor();
  assert.match(await anaRow.innerText(), /Joe Rider/);
  assert.match(await anaRow.innerText(), /Ana Admin/, 'routing assigned it to the agent who is online');
  assert.ok(await anaRow.evaluate((el) => el.classList.contains('unread')), 'news shows as unread until opened');

  // Ana opens it and answers with Enter; Ben, who has it open too, sees the answer arrive.
  await anaRow.click();
  await ana.locator('.log').getByText('My bike arrived with a flat tyre.').waitFor();
  assert.ok(!(await anaRow.evaluate((el) => el.classList.contains('unread'))), 'opening marks it read');
  await ben.locator(`[data-conversation="${number}"]`).click();
  await ben.locator('.log').getByText('My bike arrived with a flat tyre.').waitFor();
  const box = ana.getByLabel('Reply', { exact: true });
  await box.fill('Sorry about that!');
  await box.press('Shift+Enter');
  await box.pressSequentially('A new tube is on its way.');
  await box.press('Enter');
  await ben.locator('.log').getByText('A new tube is on its way.').waitFor();
  const preview = ben.locator(`[data-conversation="${number}"] .preview`);
  await ben.waitForFunction((n) => document.querySelector(`[data-conversation="${n}"] .preview`)?.textContent?.includes('tube'), number);
  assert.equal(await preview.innerText(), 'Sorry about that! A new tube is on its way.', 'the list previews the last reply on one line');
  const sent = await ben.locator('article.outgoing .content').innerText();
  assert.equal(sent, 'Sorry about that!\nA new tube is on its way.', 'Shift+Enter made a new line, Enter sent');
  assert.equal(await box.inputValue(), '', 'the box empties once the desk has the reply');
  // The reply opened it: the status and the buttons follow the lifecycle.
  await ben.locator('[data-status="open"]').waitFor();
  assert.ok(!(await ben.getByRole('button', { name: 'Open', exact: true }).count()), 'no Open button on an open conversation');

  // A private note is marked as such for Ben.
  await ana.getByRole('tab', { name: 'Private note' }).click();
  await ana.getByLabel('Private note').fill('Joe is a long-time customer, be generous.');
  await ana.getByLabel('Private note').press('Enter');
  const note = ben.locator('article.private_note', { hasText: 'be generous' });
  await note.waitFor();
  assert.match(await note.innerText(), /Private note/);

  // Ana hands it to Ben: his "Mine" goes to 1, hers to 0, and both see the activity line.
  await ana.getByLabel('Assignee').selectOption({ label: 'Ben Agent' });
  await waitForCount(ben, 'mine', '1');
  await waitForCount(ana, 'mine', '0');
  await ben.locator('.log').getByText(/assigned .*Ben Agent/i).first().waitFor();

  // Ben solves it; Ana sees it solved, and Ben is offered Reopen but not Solve.
  await ben.getByRole('button', { name: 'Solve', exact: true }).click();
  await ana.locator('[data-status="solved"]').waitFor();
  await ben.getByRole('button', { name: 'Reopen' }).waitFor();
  assert.equal(await ben.getByRole('button', { name: 'Solve', exact: true }).count(), 0);
  await waitForCount(ben, 'mine', '0');
  await ben.screenshot({ path: join(artifacts, 'browser-inbox-conversation.png') });

  // The customer writes again: it reopens for Ben, live.
  await env.api('POST', `/api/v1/inboxes/${inbox.id}/customer_messages`, admin.token, {
    contact: { email: 'joe@example.test' },
    content: 'The tube fits, thanks!',
  });
  await ben.locator('.log').getByText('The tube fits, thanks!').waitFor();
  await ben.locator('[data-status="open"]').waitFor();
  await waitForCount(ben, 'mine', '1');

  // A draft survives a reload.
  await ben.getByLabel('Reply', { exact: true }).fill('Glad to hear it');
  await ben.reload();
  await ben.getByRole('heading', { name: 'Inbox' }).waitFor();
  await ben.locator(`[data-conversation="${number}"]`).click();
  assert.equal(await ben.getByLabel('Reply', { exact: true }).inputValue(), 'Glad to hear it');
  await ana.screenshot({ path: join(artifacts, 'browser-inbox.png') });
});

test('a customer message shows its formatting but never runs HTML, and a bad label is refused with its reason', async () => {
  const login = await env.api('POST', '/api/v1/auth/login', null, { email: 'ana@acme.test', password: 'correct horse battery' });
  const [inbox] = await env.api('GET', '/api/v1/inboxes', login.token);
  const posted = await env.api('POST', `/api/v1/inboxes/${inbox.id}/customer_messages`, login.token, {
    contact: { email: 'mia@example.test', name: 'Mia' },
    content: 'Do you sell **helmets**? <img src=x onerror="window.pwned=1">',
  });
  const page = await logIn('ana@acme.test', 'correct horse battery');
  await page.locator(`[data-conversation="${posted.conversation.number}"]`).click();
  const text = page.locator('article.incoming .content');
  await text.waitFor();
  assert.equal(await text.locator('strong').innerText(), 'helmets', 'markdown is rendered');
  assert.match(await text.innerText(), /<img src=x onerror="window.pwned=1">/, 'HTML is shown as the customer typed it');
  assert.equal(await page.evaluate(() => window.pwned), undefined, 'and never runs');
  assert.equal(await page.locator('.log img').count(), 0);
  await page.getByLabel('Labels').fill('sales, not a label!');
  await page.getByLabel('Labels').press('Enter');
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /'label!' is not a label: use letters, digits/);
  // Keyboard: 's' typed into a field is text, not a shortcut; outside fields it solves.
  await page.getByLabel('Labels').fill('sales');
  await page.getByLabel('Labels').press('s');
  assert.equal(await page.getByLabel('Labels').inputValue(), 'saless');
  await page.locator('.log').click();
  await page.keyboard.press('?');
  await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).getByText('solve').waitFor();
  await page.keyboard.press('s');
  await page.locator('[data-status="solved"]').waitFor();
  await page.keyboard.press('r');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Reply');
  await page.close();
});

test('the list draws only the rows in sight, and j/k keep the picked conversation in view', async () => {
  const admin = await env.api('POST', '/api/v1/auth/login', null, { email: 'ana@acme.test', password: 'correct horse battery' });
  const inbox = await env.api('POST', '/api/v1/inboxes', admin.token, { name: 'Busy', style: 'messaging' });
  for (let i = 0; i < 40; i++) {
    await env.api('POST', `/api/v1/inboxes/${inbox.id}/customer_messages`, admin.token, {
      contact: { name: `Rider ${i}`, email: `rider${i}@example.test` },
      content: `Question number ${i}`,
    });
  }
  const ana = await logInAt(env.chrome.browser, env.desk.url, 'ana@acme.test', 'correct horse battery', { width: 1300, height: 700 });
  await ana.locator(`[data-view="inbox:${inbox.id}"]`).click();
  await ana.locator('[data-conversation]').first().waitFor();
  const drawn = await ana.locator('ul[data-total] [data-conversation]').count();
  assert.ok(drawn < 40, `only the rows in sight and a margin are drawn, not all 40 (${drawn})`);
  await ana.locator('[data-conversation]').first().click();
  await ana.locator('.log').first().waitFor();
  await ana.locator('.log').press('Escape').catch(() => {});
  await ana.locator('body').click({ position: { x: 5, y: 5 } });
  for (let i = 0; i < 25; i++) await ana.keyboard.press('j');
  // The 26th newest is open, and its row is on screen inside the list.
  const row = ana.locator('button.row.selected');
  await row.waitFor();
  assert.match(await row.innerText(), /Rider 14/);
  const [list, box] = [await ana.locator('section.list').boundingBox(), await row.boundingBox()];
  assert.ok(box.y >= list.y && box.y + box.height <= list.y + list.height + 1, 'the picked row is in view');
});

test('a long conversation opens at its newest messages and draws earlier ones as the agent scrolls up', async () => {
  const admin = await env.api('POST', '/api/v1/auth/login', null, { email: 'ana@acme.test', password: 'correct horse battery' });
  const inbox = await env.api('POST', '/api/v1/inboxes', admin.token, { name: 'Chatty', style: 'messaging' });
  const contact = { name: 'Long Talker', email: 'long@example.test' };
  let conversation;
  for (let i = 1; i <= 150; i++) {
    const posted = await env.api('POST', `/api/v1/inboxes/${inbox.id}/customer_messages`, admin.token, { contact, content: `Line ${i} of my story` });
    conversation = posted.conversation;
  }
  const ana = await logIn('ana@acme.test', 'correct horse battery');
  await ana.locator(`[data-conversation="${conversation.number}"]`).click();
  const log = ana.locator('.log');
  await log.getByText('Line 150 of my story').waitFor();
  assert.equal(await log.locator('article').count(), 100, 'only the newest 100 are drawn at first');
  assert.equal(await log.getByText('Line 1 of my story', { exact: true }).count(), 0);
  await log.getByRole('button', { name: 'Show earlier messages (50)' }).waitFor();
  // Scrolling to the top draws the rest, and what was on screen stays put.
  await log.evaluate((el) => el.scrollTo({ top: 0 }));
  await log.getByText('Line 1 of my story', { exact: true }).waitFor();
  assert.equal(await log.locator('article').count(), 150);
  assert.ok((await log.evaluate((el) => el.scrollTop)) > 0, 'the earlier messages were added above, not scrolled to');
});
