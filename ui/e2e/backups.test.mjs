// Backups on the admin's screen against the real `frontdesk serve`: a relative folder is refused
// with the reason, a real one is saved, "Back up now" shows its progress and ends with the file
// listed, and that file holds the desk (checked by restoring it with the real binary).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { artifacts, binary, logIn, setUpAcme, useDesk } from './desk.mjs';

const env = useDesk();

test('an admin chooses a backup folder, backs up now and sees the file', async () => {
  const admin = await setUpAcme(env.api, { withBen: true });
  const inbox = await env.api('POST', '/api/v1/inboxes', admin.token, { name: 'Website', style: 'messaging' });
  await env.api('POST', `/api/v1/inboxes/${inbox.id}/customer_messages`, admin.token, {
    contact: { name: 'Joe Rider', email: 'joe@example.test' },
    content: 'Where is my refund?',
  });
  const folder = mkdtempSync(join(tmpdir(), 'frontdesk-backups-'));

  const ana = await logIn(env.chrome.browser, env.desk.url, 'ana@acme.test', 'correct horse battery');
  await ana.getByRole('link', { name: 'Backups' }).click();
  assert.equal(await ana.getByRole('button', { name: 'Back up now' }).isDisabled(), true, 'no folder yet');
  await ana.getByLabel("Folder on this desk's computer").fill('backups');
  await ana.getByRole('button', { name: 'Save' }).click();
  assert.match(await ana.getByRole('alert').innerText(), /not a full path/);
  await ana.getByLabel("Folder on this desk's computer").fill(folder);
  await ana.getByLabel('Keep the newest').fill('3');
  await ana.getByRole('button', { name: 'Save' }).click();
  await ana.getByText(`A backup is made every day into ${folder}; the newest 3 are kept.`).waitFor();
  // Saving with the daily schedule on makes the first backup at once (none is in the folder).
  await ana.getByRole('status').filter({ hasText: /Backed up to/ }).waitFor();
  await ana.locator('table.files tbody tr').first().waitFor();
  // Back up now adds a second file (names are to the second, so wait for the next one).
  await new Promise((ok) => setTimeout(ok, 1100));
  await ana.getByRole('button', { name: 'Back up now' }).click();
  await ana.locator('table.files tbody tr').nth(1).waitFor();
  await ana.getByRole('status').filter({ hasText: /Backed up to/ }).waitFor();
  await ana.waitForFunction(() => !document.querySelector('[role=progressbar]'));
  await ana.screenshot({ path: join(artifacts, 'browser-backups.png') });

  const files = readdirSync(folder).filter((f) => f.endsWith('.fdbackup'));
  assert.ok(files.length >= 1, `backup files in the folder: ${files}`);
  const shown = await ana.locator('table.files code').allInnerTexts();
  assert.deepEqual([...shown].sort(), [...files].sort(), 'the screen lists what the folder holds');
  const newest = join(folder, files.sort().at(-1));
  assert.ok(statSync(newest).size > 100);
  // The file is a real backup of this desk: the binary restores it into a new folder.
  const restored = join(mkdtempSync(join(tmpdir(), 'frontdesk-restored-')), 'desk');
  const said = execFileSync(binary(), ['restore', newest, '--data-dir', restored], { encoding: 'utf8' });
  assert.match(said, /restored .* \(made by Frontdesk [\d.]+, schema version 2, Acme Bikes\)/);

  // An agent has no Backups screen.
  const ben = await logIn(env.chrome.browser, env.desk.url, 'ben@acme.test', 'battery staple horse');
  assert.equal(await ben.getByRole('link', { name: 'Backups' }).count(), 0);
  await ana.close();
  await ben.close();
});
