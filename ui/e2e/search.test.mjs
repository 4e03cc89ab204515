// An agent searches from the inbox's search box against the real `frontdesk serve`: a Spanish
// plural without its accent finds the customer's message with the words highlighted, a result
// opens its conversation, and a message deleted there (after a confirmation) leaves the results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, logIn, setUpAcme, useDesk } from './desk.mjs';

const env = useDesk();

test('the search box finds messages in any form, opens a result, and a deleted message leaves the results', async () => {
  const admin = await setUpAcme(env.api);
  const inbox = await env.api('POST', '/api/v1/inboxes', admin.token, { name: 'Tienda', style: 'messaging' });
  const say = (contact, content) =>
    env.api('POST', `/api/v1/inboxes/${inbox.id}/customer_messages`, admin.token, { contact, content });
  const lucia = await say(
    { name: 'Lucía Gómez', email: 'lucia@example.test', language: 'es' },
    'Hola, pedí la cancelación del pedido A-20417 y sigo esperando los reembolsos.',
  );
  await say({ name: 'Tom Hill', email: 'tom@example.test', language: 'en' }, 'Where is my parcel? Order A-30990.');

  const page = await logIn(env.chrome.browser, env.desk.url, 'ana@acme.test', 'correct horse battery');
  const box = page.getByLabel('Search conversations');
  // Typed without the accent and in the singular: the box searches once the typing pauses.
  await box.pressSequentially('cancelacion reembolso', { delay: 20 });
  const result = page.locator(`[data-result="${lucia.conversation.number}"]`);
  await result.waitFor();
  assert.equal(await page.getByTestId('result-count').innerText(), '1 conversation');
  const marked = await result.locator('mark').allInnerTexts();
  assert.deepEqual(marked, ['cancelación', 'reembolsos'], 'the words found are highlighted as the customer wrote them');
  assert.match(await result.innerText(), /Lucía Gómez/);
  await page.screenshot({ path: join(artifacts, 'browser-search.png') });

  // An order number by its start, and nothing for a word nobody wrote.
  await box.fill('A-309');
  await page.locator('[data-result]', { hasText: 'Tom Hill' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-result]').length === 1);
  await box.fill('bicicleta');
  await page.getByText('Nothing matches “bicicleta”.').waitFor();

  // Open Lucía's conversation from a result and delete her message, as an admin may.
  await box.fill('reembolsos');
  await result.waitFor();
  await result.click();
  const message = page.locator('article.incoming').first();
  await message.waitFor();
  await message.hover();
  await message.getByRole('button', { name: 'Delete message 1' }).click();
  await page.getByRole('group', { name: 'Confirm deletion' }).getByRole('button', { name: 'Delete' }).click();
  await page.locator('article.incoming .deleted').waitFor();
  assert.equal(await page.locator('article.incoming .deleted').innerText(), 'This message was deleted');
  await page.getByText('deleted a message').waitFor();

  // Searching again no longer finds it (once the index has taken the deletion, within its
  // commit interval); the box's Escape brings the list back.
  const deadline = Date.now() + 5_000;
  while ((await env.api('GET', '/api/v1/search?q=reembolsos', admin.token)).total !== 0) {
    assert.ok(Date.now() < deadline, 'the deleted message left the index within 5 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  await box.fill('reembolsos ');
  await page.getByText('Nothing matches “reembolsos”.').waitFor({ timeout: 10_000 });
  await box.press('Escape');
  await page.locator(`[data-conversation="${lucia.conversation.number}"]`).waitFor();
  await page.close();
});

test('Ctrl+K opens the command bar: an order number jumps to its conversation, and an action to its screen', async () => {
  const login = await env.api('POST', '/api/v1/auth/login', null, { email: 'ana@acme.test', password: 'correct horse battery' });
  const found = await env.api('GET', '/api/v1/search?q=A-30990', login.token);
  const tom = found.items[0].conversation;
  const page = await logIn(env.chrome.browser, env.desk.url, 'ana@acme.test', 'correct horse battery');
  await page.keyboard.press('Control+K');
  const bar = page.getByRole('dialog', { name: 'Command bar' });
  await bar.getByLabel('Command or search').pressSequentially('A-3099', { delay: 20 });
  const row = bar.getByRole('option', { name: /Tom Hill/ });
  await row.waitFor();
  assert.ok((await row.locator('mark').allInnerTexts()).includes('30990'), 'the order number is highlighted');
  await page.screenshot({ path: join(artifacts, 'browser-command-bar.png') });
  // No action matches an order number, so the conversation is the first row: Enter opens it.
  await page.keyboard.press('Enter');
  assert.equal(await bar.count(), 0, 'the bar closes once a choice is made');
  await page.locator('article.incoming', { hasText: 'Where is my parcel?' }).waitFor();
  assert.match((await page.locator(`[data-conversation="${tom.number}"]`).getAttribute('class')) ?? '', /selected/);

  // Actions, chosen with the arrow keys; an admin's list holds the admin screens (an agent's
  // never does: lib/commands.test.ts).
  await page.keyboard.press('Control+K');
  await bar.getByLabel('Command or search').fill('go');
  assert.deepEqual(await bar.getByRole('option').allInnerTexts(), [
    'Go to the inbox\naction',
    'Go to routing\naction',
    'Go to agents\naction',
    'Go to canned responses\naction',
    'Go to labels\naction',
    'Go to network (how colleagues join)\naction',
    'Go to inboxes\naction',
    'Go to email settings\naction',
    'Go to backups\naction',
  ]);
  // The first option is marked; arrows move the mark, Enter runs it. (Searched results for
  // the words typed may still arrive and join the list, so the words narrow it to one action.)
  await bar.getByLabel('Command or search').fill('go to rout');
  await bar.getByRole('option', { name: /Go to routing/ }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[role="option"]').length === 1);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Routing' }).waitFor();
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Escape');
  assert.equal(await bar.count(), 0, 'Escape closes it');
  await page.close();
});
