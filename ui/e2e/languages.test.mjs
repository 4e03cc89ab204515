// The agent app in English, Spanish and Italian: Ana picks her language in the sidebar, the
// whole inbox and conversation speak it at once, it is kept on her account (a reload and
// another browser follow it), and a screenshot of the main screen is kept in each language.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, logIn, setUpAcme, useDesk } from './desk.mjs';

const env = useDesk();

test('an agent switches the app between English, Spanish and Italian, and the choice follows her', async () => {
  const admin = await setUpAcme(env.api);
  const inbox = await env.api('POST', '/api/v1/inboxes', admin.token, { name: 'Website', style: 'messaging' });
  const posted = await env.api('POST', `/api/v1/inboxes/${inbox.id}/customer_messages`, admin.token, {
    contact: { name: 'Rosa', email: 'rosa@example.test' },
    content: 'Where is my order #1042?',
  });
  await env.api('POST', `/api/v1/conversations/${posted.conversation.id}/messages`, admin.token, { content: 'It left today.' });

  const ana = await logIn(env.chrome.browser, env.desk.url, 'ana@acme.test', 'correct horse battery');
  const open = async () => {
    await ana.locator(`[data-conversation="${posted.conversation.number}"]`).click();
    await ana.locator('.log').getByText('It left today.').waitFor();
  };
  await open();
  assert.equal(await ana.locator('html').getAttribute('lang'), 'en');
  await ana.screenshot({ path: join(artifacts, 'browser-inbox-en.png') });

  const expected = {
    es: { nav: 'Bandeja', solve: 'Resolver', reply: 'Respuesta', mine: 'Mías', contact: 'Contacto', accepted: 'aceptó la conversación' },
    it: { nav: 'Posta', solve: 'Risolvi', reply: 'Risposta', mine: 'Mie', contact: 'Contatto', accepted: 'ha accettato la conversazione' },
  };
  const adminWords = {
    es: {
      inboxes: 'Canales', newInbox: 'Canal nuevo', widget: 'Widget del sitio web', askFor: 'Antes del primer mensaje, pedir',
      agents: 'Agentes', invite: 'Invitar a un compañero', bar: 'Barra de comandos', typed: 'etiq', command: /Ir a etiquetas/, labels: 'Etiquetas',
    },
    it: {
      inboxes: 'Canali', newInbox: 'Nuovo canale', widget: 'Widget del sito', askFor: 'Prima del primo messaggio, chiedere',
      agents: 'Agenti', invite: 'Invita un collega', bar: 'Barra dei comandi', typed: 'etich', command: /Vai alle etichette/, labels: 'Etichette',
    },
  };
  for (const [lang, words] of Object.entries(expected)) {
    await ana.getByLabel(/^(Language|Idioma|Lingua)$/).selectOption(lang);
    await ana.getByRole('link', { name: words.nav, exact: true }).waitFor();
    // Kept on her account: a reload speaks it too.
    await ana.reload();
    await ana.getByRole('link', { name: words.nav, exact: true }).waitFor();
    await open();
    assert.equal(await ana.locator('html').getAttribute('lang'), lang);
    await ana.getByRole('button', { name: words.solve, exact: true }).waitFor();
    await ana.getByRole('tab', { name: words.reply }).waitFor();
    await ana.locator('[data-view="mine"]').getByText(words.mine).waitFor();
    await ana.getByRole('heading', { name: words.contact }).waitFor();
    // Activity lines too, though the desk stored them once, in English.
    await ana.locator('.log .activity').getByText(words.accepted).waitFor();
    await ana.screenshot({ path: join(artifacts, `browser-inbox-${lang}.png`) });

    // The admin screens and the command bar speak it too.
    const a = adminWords[lang];
    await ana.getByRole('link', { name: a.inboxes, exact: true }).click();
    await ana.getByRole('heading', { name: a.newInbox }).waitFor();
    await ana.getByText(a.widget).first().click();
    await ana.getByText(a.askFor).waitFor();
    await ana.screenshot({ path: join(artifacts, `browser-inboxes-${lang}.png`), fullPage: true });
    await ana.getByRole('link', { name: a.agents, exact: true }).click();
    await ana.getByRole('heading', { name: a.invite }).waitFor();
    await ana.keyboard.press('Control+k');
    const bar = ana.getByRole('dialog', { name: a.bar });
    await bar.getByRole('textbox').fill(a.typed);
    await bar.getByRole('option', { name: a.command }).waitFor();
    await ana.keyboard.press('Enter');
    await ana.getByRole('heading', { name: a.labels, exact: true }).waitFor();
    await ana.getByRole('link', { name: words.nav, exact: true }).click();
  }

  // The screens every agent uses speak it too.
  await ana.getByRole('link', { name: 'Assegnazione', exact: true }).click();
  await ana.getByRole('heading', { name: /^Coda · 0 in attesa$/ }).waitFor();
  await ana.getByRole('link', { name: 'Risposte pronte', exact: true }).click();
  await ana.getByText('Ancora nessuna risposta pronta.', { exact: false }).waitFor();
  await ana.getByRole('link', { name: 'Posta', exact: true }).click();

  // Another browser of hers, an English one, follows her account's choice once she logs in.
  const context = await env.chrome.browser.newContext({ locale: 'en-US' });
  const other = await context.newPage();
  await other.goto(env.desk.url);
  await other.getByLabel('Email').fill('ana@acme.test');
  await other.getByLabel('Password').fill('correct horse battery');
  await other.getByRole('button', { name: 'Log in' }).click();
  await other.getByRole('heading', { name: 'Posta' }).waitFor();
  await context.close();

  // Back to the browser's language.
  await ana.getByLabel('Lingua').selectOption('');
  await ana.getByRole('link', { name: 'Inbox', exact: true }).waitFor();
  await ana.context().close();
});
