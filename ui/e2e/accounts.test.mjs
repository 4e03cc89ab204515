// Setup, login, logout and inviting a colleague, as people do it: in a real browser against the
// real `frontdesk serve`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, useDesk } from './desk.mjs';

const env = useDesk();

test('a new desk is set up, logged out of, and logged into again', async () => {
  const page = await env.chrome.browser.newPage();
  await page.goto(env.desk.url);
  await page.getByRole('heading', { name: 'Welcome to Frontdesk' }).waitFor();
  assert.equal(await page.title(), 'Frontdesk — Set up');

  await page.getByLabel('Business name').fill('Acme Bikes');
  await page.getByLabel('Your name').fill('Ana Admin');
  await page.getByLabel('Your email').fill('ana@acme.test');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create my help desk' }).click();
  // The browser's own check stops a short password before it is sent.
  assert.equal(await page.getByLabel('Password').evaluate((el) => el.validity.tooShort), true);

  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Create my help desk' }).click();
  await page.getByRole('heading', { name: 'Inbox' }).waitFor();
  assert.match(await page.locator('nav').innerText(), /Acme Bikes[\s\S]*Ana Admin/);
  await page.screenshot({ path: join(artifacts, 'browser-inbox-shell.png') });

  await page.reload();
  await page.getByRole('heading', { name: 'Inbox' }).waitFor();

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  assert.match(await page.locator('.lead').innerText(), /Acme Bikes/);

  await page.getByLabel('Email').fill('ana@acme.test');
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('alert').waitFor();
  assert.equal(await page.getByRole('alert').innerText(), 'the email or the password is wrong');

  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Inbox' }).waitFor();
  await page.close();
});

test('an admin invites a colleague who joins through the link', async () => {
  const admin = await env.chrome.browser.newPage();
  await admin.goto(env.desk.url);
  await admin.getByLabel('Email').fill('ana@acme.test');
  await admin.getByLabel('Password').fill('correct horse battery');
  await admin.getByRole('button', { name: 'Log in' }).click();
  await admin.getByRole('link', { name: 'Agents' }).click();
  await admin.getByLabel('Name', { exact: true }).fill('Bob Agent');
  await admin.getByLabel('Email', { exact: true }).fill('bob@acme.test');
  await admin.getByRole('button', { name: 'Invite' }).click();
  const link = await admin.locator('input[readonly]').inputValue();
  assert.match(link, /#\/invitation\//);
  await admin.getByRole('cell', { name: 'bob@acme.test' }).waitFor();

  // Bob opens the link in his own browser (a separate context: no shared session).
  const bobContext = await env.chrome.browser.newContext();
  const bob = await bobContext.newPage();
  await bob.goto(link);
  await bob.getByText('Join Acme Bikes as Bob Agent').waitFor();
  await bob.getByLabel('Choose a password').fill('bobs secret pass');
  await bob.getByRole('button', { name: 'Join the team' }).click();
  await bob.getByRole('heading', { name: 'Inbox' }).waitFor();
  assert.match(await bob.locator('nav').innerText(), /Bob Agent[\s\S]*agent/);

  // Ana makes Bob an admin and gives him room for five conversations; Bob's open app follows.
  await admin.reload();
  await admin.getByLabel('Role of Bob Agent').selectOption('admin');
  await admin.getByLabel('Capacity of Bob Agent').fill('2.5');
  await admin.getByLabel('Capacity of Bob Agent').press('Enter');
  await admin.getByRole('alert').getByText("'2.5' is not a capacity").waitFor();
  await admin.getByLabel('Capacity of Bob Agent').fill('5');
  await admin.getByLabel('Capacity of Bob Agent').press('Enter');
  await admin.reload();
  assert.equal(await admin.getByLabel('Role of Bob Agent').inputValue(), 'admin');
  assert.equal(await admin.getByLabel('Capacity of Bob Agent').inputValue(), '5');
  assert.equal(await admin.getByLabel('Role of Ana Admin').count(), 0, 'nobody changes their own role');
  await bob.reload();
  await bob.getByRole('link', { name: 'Inboxes' }).waitFor();
  assert.match(await bob.locator('nav').innerText(), /Bob Agent[\s\S]*admin/);
  await admin.screenshot({ path: join(artifacts, 'browser-agents.png') });

  // Deactivated, Bob is sent back to the login screen on his next request.
  await admin.reload();
  admin.once('dialog', (d) => d.accept());
  await admin.getByRole('row', { name: /Bob Agent/ }).getByRole('button', { name: 'Deactivate' }).click();
  await admin.getByRole('row', { name: /Bob Agent.*deactivated/ }).waitFor();
  await bob.reload();
  await bob.getByRole('heading', { name: 'Log in' }).waitFor();
  await bobContext.close();
  await admin.close();
});
