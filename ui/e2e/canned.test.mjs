// Canned responses against the real `frontdesk serve`: the admin adds one on its screen, an
// agent (who may read but not change them) inserts it by typing `/` and the start of its short
// code, and the customer's conversation gets it as the reply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, logIn, setUpAcme, useDesk } from './desk.mjs';

const env = useDesk();

test('an admin adds a canned response and an agent replies with it by typing /ref', async () => {
  const admin = await setUpAcme(env.api, { withBen: true });
  const inbox = await env.api('POST', '/api/v1/inboxes', admin.token, { name: 'Website', style: 'messaging' });
  const posted = await env.api('POST', `/api/v1/inboxes/${inbox.id}/customer_messages`, admin.token, {
    contact: { name: 'Joe Rider', email: 'joe@example.test' },
    content: 'I sent the bike back, where is my money?',
  });

  const ana = await logIn(env.chrome.browser, env.desk.url, 'ana@acme.test', 'correct horse battery');
  await ana.getByRole('link', { name: 'Canned responses' }).click();
  await ana.getByLabel('Short code').fill('/refund');
  await ana.getByLabel('Text').fill('We have refunded your order: it shows on your card in 3–5 days.');
  await ana.getByRole('button', { name: 'Add' }).click();
  await ana.locator('[data-canned="refund"]').waitFor();
  // A second one with the same code is refused with the reason.
  await ana.getByLabel('Short code').fill('Refund');
  await ana.getByLabel('Text').fill('Another');
  await ana.getByRole('button', { name: 'Add' }).click();
  assert.match(await ana.getByRole('alert').innerText(), /\/refund is taken/);

  const ben = await logIn(env.chrome.browser, env.desk.url, 'ben@acme.test', 'battery staple horse');
  await ben.getByRole('link', { name: 'Canned responses' }).click();
  await ben.locator('[data-canned="refund"]').waitFor();
  assert.equal(await ben.getByRole('button', { name: 'Edit' }).count(), 0, 'an agent reads them but cannot change them');
  await ben.getByRole('link', { name: 'Inbox' }).click();
  await ben.locator(`[data-conversation="${posted.conversation.number}"]`).click();
  const reply = ben.getByLabel('Reply', { exact: true });
  await reply.click();
  await reply.pressSequentially('Hi Joe! /ref', { delay: 20 });
  const picker = ben.getByRole('listbox', { name: 'Canned responses' });
  await picker.getByText('/refund').waitFor();
  await ben.screenshot({ path: join(artifacts, 'browser-canned-picker.png') });
  await ben.keyboard.press('Enter');
  assert.equal(await reply.inputValue(), 'Hi Joe! We have refunded your order: it shows on your card in 3–5 days.');
  // An emoji from the picker goes where the caret is: after "Hi Joe!".
  await reply.evaluate((box) => box.setSelectionRange(7, 7));
  await ben.getByRole('button', { name: 'Emoji', exact: true }).click();
  await ben.getByRole('dialog', { name: 'Emoji' }).getByRole('button', { name: 'wave' }).click();
  assert.equal(await reply.inputValue(), 'Hi Joe!👋 We have refunded your order: it shows on your card in 3–5 days.');
  assert.equal(await ben.getByRole('dialog', { name: 'Emoji' }).count(), 0, 'the picker closes after a pick');
  await ben.getByRole('button', { name: 'Emoji', exact: true }).click();
  await ben.getByLabel('Find an emoji').fill('zebra');
  await ben.getByText('No emoji has that name').waitFor();
  await ben.getByLabel('Find an emoji').fill('thumbs up');
  await ben.screenshot({ path: join(artifacts, 'browser-emoji-picker.png') });
  await ben.getByLabel('Find an emoji').press('Enter');
  // The caret stayed after the first emoji, so the second follows it.
  assert.equal(await reply.inputValue(), 'Hi Joe!👋👍 We have refunded your order: it shows on your card in 3–5 days.');
  await reply.press('Enter');
  await ben.locator('article.outgoing', { hasText: 'We have refunded your order' }).waitFor();
  const history = await env.api('GET', `/api/v1/conversations/${posted.conversation.id}/messages`, admin.token);
  assert.equal(history.items.at(-1).content, 'Hi Joe!👋👍 We have refunded your order: it shows on your card in 3–5 days.');
  await ana.close();
  await ben.close();
});
