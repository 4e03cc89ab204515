// Notifications in a LAN browser: Ben allowed them, so a conversation assigned to him and a
// note where Ana @mentions him (picked from the note's @ list) pop up; a conversation he muted
// stays quiet; his choice of kinds is kept. Two agents on one conversation see each other there. (The desktop app's notify-rust path is checked by
// scripts/desktop-smoke against a real D-Bus notification daemon.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, logIn, recordNotifications, setUpAcme, useDesk, waitForShown } from './desk.mjs';

const env = useDesk();

const shown = (page) => page.evaluate(() => window.__shown.map((n) => `${n.title} | ${n.body}`));

test('assignments and mentions notify Ben; a muted conversation does not; his choices are kept; agents see each other viewing', async () => {
  const admin = await setUpAcme(env.api, { withBen: true });
  const inbox = await env.api('POST', '/api/v1/inboxes', admin.token, { name: 'Website', style: 'messaging' });
  const customer = async (email, name, content) =>
    (await env.api('POST', `/api/v1/inboxes/${inbox.id}/customer_messages`, admin.token, { contact: { email, name }, content }))
      .conversation;
  const rosa = await customer('rosa@example.test', 'Rosa', 'My order #1042 never came');
  const luca = await customer('luca@example.test', 'Luca', 'Do you ship to Milan?');
  const { items: agents } = await env.api('GET', '/api/v1/agents', admin.token);
  const ben = agents.find((a) => a.name === 'Ben Agent');

  const benPage = await logIn(env.chrome.browser, env.desk.url, 'ben@acme.test', 'battery staple horse', undefined, async (context) => {
    await context.grantPermissions(['notifications'], { origin: env.desk.url.replace(/\/$/, '') });
    await context.addInitScript(recordNotifications);
  });
  const anaPage = await logIn(env.chrome.browser, env.desk.url, 'ana@acme.test', 'correct horse battery');
  // Ben's stream is live once a change shows up in his list.
  await env.api('PATCH', `/api/v1/conversations/${luca.id}`, admin.token, { labels: ['shipping'] });
  await benPage.getByText('shipping').first().waitFor();

  // Ana gives Rosa's conversation to Ben.
  await env.api('PUT', `/api/v1/conversations/${rosa.id}/assignee`, admin.token, { assignee: ben.id });
  await waitForShown(benPage, `#${rosa.number} Rosa was assigned to you by Ana Admin | My order #1042 never came`);

  // Ana @mentions Ben in a note on Luca's conversation, picking him from the list.
  await anaPage.getByRole('button', { name: /Luca/ }).first().click();
  await anaPage.getByRole('tab', { name: 'Private note' }).click();
  const note = anaPage.getByLabel('Private note');
  await note.pressSequentially('@be');
  await anaPage.getByRole('listbox', { name: 'Mention an agent' }).getByRole('option').first().waitFor();
  assert.deepEqual(await anaPage.getByRole('listbox', { name: 'Mention an agent' }).getByRole('button').allInnerTexts(), ['@Ben Agent']);
  await note.press('Enter');
  await note.pressSequentially('can you take this one?');
  assert.equal(await note.inputValue(), '@Ben Agent can you take this one?');
  await note.press('Enter');
  await waitForShown(benPage, `Ana Admin mentioned you in #${luca.number} | @Ben Agent can you take this one?`);
  const messages = await env.api('GET', `/api/v1/conversations/${luca.id}/messages`, admin.token);
  assert.deepEqual(messages.items.at(-1).mentions, [ben.id]);

  // Ben mutes Rosa's conversation, then looks elsewhere: Rosa's next message stays quiet.
  await benPage.getByRole('button', { name: /Rosa/ }).first().click();
  await benPage.getByRole('button', { name: 'Mute notifications' }).click();
  await benPage.getByText('Muted', { exact: true }).waitFor();
  await benPage.getByText('Ben Agent muted the conversation').waitFor();
  // Ana opens it too: each sees at once that the other is on it (a collision warning).
  await anaPage.getByRole('button', { name: /Rosa/ }).first().click();
  await anaPage.getByRole('status').filter({ hasText: 'Ben Agent is viewing this conversation' }).waitFor({ timeout: 5_000 });
  await benPage.getByRole('status').filter({ hasText: 'Ana Admin is viewing this conversation' }).waitFor({ timeout: 5_000 });
  await benPage.getByRole('link', { name: 'Routing' }).click();
  await customer('rosa@example.test', 'Rosa', 'Hello?? Anyone?');
  await env.api('PUT', `/api/v1/conversations/${luca.id}/assignee`, admin.token, { assignee: ben.id });
  await waitForShown(benPage, `#${luca.number} Luca was assigned to you`);
  assert.ok(!(await shown(benPage)).some((n) => n.includes('Anyone?')), `nothing about the muted conversation: ${await shown(benPage)}`);
  await benPage.screenshot({ path: join(artifacts, 'browser-notifications.png') });

  // Ben turns customer replies off; the choice is the desk's, so it survives a reload.
  const saved = benPage.waitForResponse((r) => r.url().endsWith('/api/v1/me/notifications') && r.ok());
  await benPage.getByLabel('Customer replies in mine').uncheck();
  await saved;
  await benPage.reload();
  await benPage.getByLabel('Assigned to me').waitFor();
  assert.equal(await benPage.getByLabel('Customer replies in mine').isChecked(), false);
  assert.equal(await benPage.getByLabel('Assigned to me').isChecked(), true);
  await benPage.context().close();
  await anaPage.context().close();
});
