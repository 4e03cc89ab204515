// Starts the real `frontdesk serve` on a free loopback port with a temp data folder, and a
// headless Debian Chromium driven by playwright-core.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '../..');
export const artifacts = join(root, 'artifacts');
mkdirSync(artifacts, { recursive: true });

/** The frontdesk binary under test. */
export function binary() {
  return process.env.FRONTDESK_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(root, 'target'), 'debug/frontdesk');
}

export async function startDesk(extraArgs = []) {
  const bin = binary();
  const dataDir = mkdtempSync(join(tmpdir(), 'frontdesk-e2e-'));
  const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('frontdesk serve printed no address in 30 s')), 30_000);
    child.on('error', fail);
    child.on('exit', (code) => fail(new Error(`frontdesk serve exited with ${code} before listening`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      const m = line.match(/listening on (http:\/\/\S+)/);
      if (m) ok(m[1]);
      else fail(new Error(`unexpected first line: ${line}`));
    });
  });
  return {
    url,
    async stop() {
      const exited = new Promise((ok) => child.once('exit', ok));
      child.kill('SIGTERM');
      const code = await exited;
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}

/** Playwright gives each launch a fresh, temporary profile of its own. */
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return { browser, close: () => browser.close() };
}

/** The desk's API as a test script calls it: JSON in and out; an error answer fails the test. */
export function apiOf(desk) {
  return async (method, path, token, body) => {
    const res = await fetch(desk.url.replace(/\/$/, '') + path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
}

/**
 * The business the browser tests share: Acme Bikes, set up by Ana Admin (ana@acme.test,
 * "correct horse battery"); with `withBen`, Ben Agent (ben@acme.test, "battery staple horse")
 * has joined too. Resolves to the admin's session (`token`, `agent`).
 */
export async function setUpAcme(api, { withBen = false } = {}) {
  const admin = await api('POST', '/api/v1/setup', null, {
    business_name: 'Acme Bikes',
    admin_name: 'Ana Admin',
    email: 'ana@acme.test',
    password: 'correct horse battery',
  });
  if (withBen) {
    const invitation = await api('POST', '/api/v1/agents', admin.token, { name: 'Ben Agent', email: 'ben@acme.test', role: 'agent' });
    await api('POST', `/api/v1/invitations/${invitation.token}/accept`, null, { password: 'battery staple horse' });
  }
  return admin;
}

/**
 * Logs in through the login screen in a browser context of its own; resolves on the inbox.
 * `prepare(context)` runs before the page opens (permissions, init scripts).
 */
export async function logIn(browser, url, email, password, viewport = { width: 1400, height: 900 }, prepare = async () => {}) {
  const context = await browser.newContext({ viewport });
  await prepare(context);
  const page = await context.newPage();
  await page.goto(url);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Inbox' }).waitFor();
  return page;
}

/**
 * For a test file: a fresh desk and browser before its tests, both stopped after them (the desk
 * must stop cleanly), and `prepare(env)` run once both are up. Read `desk`, `chrome` and `api`
 * inside tests, once `before` has run. `deskArgs` go to `frontdesk serve` (`--test-clock`).
 */
export function useDesk(prepare = async () => {}, deskArgs = []) {
  const env = { desk: null, chrome: null, api: null };
  // One hook, so `prepare` (a file's own setup on the running desk) always runs after the start.
  before(async () => {
    env.desk = await startDesk(deskArgs);
    env.api = apiOf(env.desk);
    env.chrome = await launchBrowser();
    await prepare(env);
  });
  after(async () => {
    await env.chrome?.close();
    if (env.desk) assert.equal(await env.desk.stop(), 0, 'frontdesk serve stops cleanly on SIGTERM');
  });
  return env;
}

/**
 * For `context.addInitScript`: records each notification the page shows (`window.__shown`),
 * then shows it with the browser's own class.
 */
export const recordNotifications = () => {
  const Real = window.Notification;
  window.__shown = [];
  window.Notification = class extends Real {
    constructor(title, options) {
      super(title, options);
      window.__shown.push({ title, body: options?.body ?? '' });
    }
  };
};

/** Waits for a recorded notification whose "title | body" contains `text`. */
export async function waitForShown(page, text) {
  await page.waitForFunction((t) => window.__shown.some((n) => `${n.title} | ${n.body}`.includes(t)), text, { timeout: 10_000 });
}

/** Waits for the number the sidebar shows next to a view. */
export async function waitForCount(page, view, expected) {
  await page.waitForFunction(
    ([v, want]) => document.querySelector(`[data-view="${v}"] .count`)?.textContent?.trim() === want,
    [view, expected],
    { timeout: 10_000 },
  );
}

/** A plain website (another origin than the desk) on a loopback port of its own; `pages` maps a
 * path to its HTML, and may gain pages later. */
export async function startSite(pages) {
  const server = createServer((req, res) => {
    const html = pages[new URL(req.url, 'http://x').pathname];
    res.writeHead(html ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html ?? 'not found');
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { origin: `http://127.0.0.1:${server.address().port}`, pages, close: () => server.close() };
}

/** tests/support/smtp_server.py (Debian's aiosmtpd) on a free port; resolves once it listens. */
export async function startSmtp() {
  const dir = mkdtempSync(join(tmpdir(), 'frontdesk-smtp-'));
  const script = join(root, 'tests/support/smtp_server.py');
  const child = spawn('/usr/bin/python3', ['-u', script, '0', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((ok, fail) => {
    child.on('error', fail);
    createInterface({ input: child.stdout }).once('line', (line) => {
      const m = line.match(/listening on (\d+)/);
      if (m) ok(Number(m[1]));
      else fail(new Error(`the SMTP server did not start: ${line}`));
    });
  });
  return {
    port,
    messages: () =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8'))),
    stop() {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Points the desk's outgoing email at the test SMTP server `smtp` (from help@acme.test). */
export async function sendMailThrough(api, token, smtp) {
  await api('PUT', '/api/v1/settings/smtp', token, {
    host: '127.0.0.1',
    port: smtp.port,
    security: 'none',
    username: 'desk',
    password: 'hunter2-secret',
    from_address: 'help@acme.test',
    from_name: 'Acme Help',
  });
}
