// Starts the real `frontdesk serve` on a free loopback port with a temp data folder, and a
// headless Debian Chromium driven by playwright-core.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '../..');
export const artifacts = join(root, 'artifacts');
mkdirSync(artifacts, { recursive: true });

export async function startDesk() {
  const bin = process.env.FRONTDESK_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(root, 'target'), 'debug/frontdesk');
  const dataDir = mkdtempSync(join(tmpdir(), 'frontdesk-e2e-'));
  const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir], {
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
