// Labels as a team uses them: Ana defines the desk's labels on the Labels screen, each shows in
// the inbox's sidebar with its count, and a defined label goes on a conversation with one click;
// Ben, an agent, sees the new view appear live and cannot open the Labels screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, logIn, setUpAcme, useDesk, waitForCount } from './desk.mjs';

const env = useDesk();

test('an admin defines labels, the sidebar lists them with counts, and one click labels a conversation', async () => {
  const admin = await setUpAcme(env.api, { withBen: true });
  const inbox = await env.api('POST', '/api/v1/inboxes', admin.token, { name: 'Website', style: 'messaging' });
  const posted = await env.api('POST', `/api/v1/inboxes/${inbox.id}/customer_messages`, admin.token, {
    contact: { name: 'Rosa', email: 'rosa@example.test' },
    content: 'I was charged twice for order #1042',
  });
  const ben = await logIn(env.chrome.browser, env.desk.url, 'ben@acme.test', 'battery staple horse');
  assert.equal(await ben.getByRole('link', { name: 'Labels' }).count(), 0, 'only admins define labels');

  const ana = await logIn(env.chrome.browser, env.desk.url, 'ana@acme.test', 'correct horse battery');
  await ana.getByRole('link', { name: 'Labels' }).click();
  await ana.getByText('No labels defined yet.').waitFor();
  await ana.getByRole('button', { name: 'Add a label' }).click();
  await ana.getByLabel('Name of label 1').fill('Billing');
  await ana.getByLabel('Description of label 1').fill('Charges, refunds and invoices');
  await ana.getByRole('button', { name: 'Add a label' }).click();
  await ana.getByLabel('Name of label 2').fill('two words');
  await ana.getByRole('button', { name: 'Save labels' }).click();
  await ana.getByRole('alert').getByText("'two words' is not a label").waitFor();
  await ana.getByLabel('Name of label 2').fill('vip');
  await ana.getByRole('button', { name: 'Save labels' }).click();
  await ana.getByRole('status').getByText('Saved.').waitFor();
  await ana.locator('tr[data-label="billing"]').waitFor();
  await ana.screenshot({ path: join(artifacts, 'browser-labels.png') });

  // Ben's sidebar gains the Labels views without a reload.
  await waitForCount(ben, 'label:billing', '0');

  // Ana puts "billing" on Rosa's conversation with one click; both counts follow.
  await ana.getByRole('link', { name: 'Inbox', exact: true }).click();
  await ana.locator(`[data-conversation="${posted.conversation.number}"]`).click();
  await ana.getByLabel('Add a label').getByRole('button', { name: 'billing' }).click();
  await ana.waitForFunction(() => document.querySelector('#labels')?.value === 'billing');
  for (const page of [ana, ben]) await waitForCount(page, 'label:billing', '1');
  await ben.locator('[data-view="label:billing"]').click();
  await ben.locator(`[data-conversation="${posted.conversation.number}"]`).waitFor();
  const stored = await env.api('GET', `/api/v1/conversations/${posted.conversation.id}`, admin.token);
  assert.deepEqual(stored.labels, ['billing']);
  await ana.context().close();
  await ben.context().close();
});
