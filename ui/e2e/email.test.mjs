// The admin's email settings in a real browser against the real `frontdesk serve`, with a real
// SMTP server on loopback (Debian's python3-aiosmtpd) that stores what it receives.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, startSmtp, useDesk } from './desk.mjs';

let smtp;

const env = useDesk();

before(async () => {
  smtp = await startSmtp();
});

after(() => smtp?.stop());

test('an admin sets up outgoing email, sees the server answer a test email, and the password is never shown', async () => {
  const page = await env.chrome.browser.newPage();
  await page.goto(env.desk.url);
  await page.getByLabel('Business name').fill('Acme Bikes');
  await page.getByLabel('Your name').fill('Ana Admin');
  await page.getByLabel('Your email').fill('ana@acme.test');
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Create my help desk' }).click();
  await page.getByRole('heading', { name: 'Inbox' }).waitFor();

  await page.getByRole('link', { name: 'Email' }).click();
  await page.getByRole('heading', { name: 'Email', exact: true }).waitFor();
  assert.equal(await page.title(), 'Frontdesk — Email');
  await page.getByLabel('SMTP server').fill('127.0.0.1');
  await page.getByLabel('Security').selectOption('none');
  await page.getByLabel('Port').fill(String(smtp.port));
  await page.getByLabel('Username').fill('desk');
  await page.getByLabel('Password').fill('hunter2-secret');
  await page.getByLabel('From address').fill('help@');
  await page.getByLabel('From name').fill('Acme Help');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /^from_address: 'help@' is not an email address/);

  await page.getByLabel('From address').fill('help@acme.test');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Saved. Transcripts now go through this server.').waitFor();
  assert.equal(await page.getByLabel('Password').inputValue(), '', 'the password field empties after saving');

  await page.getByRole('button', { name: 'Send test email' }).click();
  await page.getByText('The server answered:').waitFor();
  const answer = await page.getByRole('status').filter({ hasText: 'The server answered' }).innerText();
  assert.match(answer, /^Sent to ana@acme\.test\. The server answered: 250 2\.0\.0 Stored as/);
  const got = smtp.messages();
  assert.equal(got.length, 1);
  assert.equal(got[0].headers.subject, 'Test email from Acme Bikes');
  await page.screenshot({ path: join(artifacts, 'browser-email-settings.png') });

  // After a reload the form shows what is stored, and the password only as "stored".
  await page.reload();
  await page.getByLabel('SMTP server').waitFor();
  assert.equal(await page.getByLabel('SMTP server').inputValue(), '127.0.0.1');
  assert.equal(await page.getByLabel('Password').inputValue(), '');
  assert.equal(await page.getByLabel('Password').getAttribute('placeholder'), 'stored: leave empty to keep it');
  assert.ok(!(await page.content()).includes('hunter2'), 'the password never reaches the page');

  // A wrong password is reported in the server's words, and nothing is saved by a test.
  await page.getByLabel('Password').fill('not-it');
  await page.getByRole('button', { name: 'Send test email' }).click();
  await page.getByText('The server answered:').waitFor();
  assert.match(await page.getByRole('status').filter({ hasText: 'The server answered' }).innerText(), /^Not sent to ana@acme\.test\. The server answered: 535 /);
  await page.close();
});
