// The agent app's figures on a big desk (issue 6): `frontdesk serve` on the store that
// `crates/engine/examples/ui_fixture.rs` builds (100,000 conversations, one of 1,000 messages),
// driven by Debian's Chromium. Prints a Markdown table for BENCHMARKS.md.
//
//   node bench/ui.mjs FIXTURE_DIR   (FRONTDESK_BIN: the binary, the release one for figures)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { binary, launchBrowser } from '../e2e/desk.mjs';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node bench/ui.mjs FIXTURE_DIR');
const RUNS = 10;

const child = spawn(binary(), ['serve', '--listen', '127.0.0.1:0', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
// A failed run must not leave the desk holding the fixture.
process.on('exit', () => child.kill('SIGTERM'));
const url = await new Promise((ok, fail) => {
  child.on('exit', (code) => fail(new Error(`frontdesk serve exited with ${code}`)));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const m = line.match(/listening on (http:\/\/\S+)/);
    if (m) ok(m[1].replace(/\/$/, ''));
  });
});
const login = await (
  await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'ana@bench.test', password: 'correct horse' }),
  })
).json();
const long = (await (await fetch(`${url}/api/v1/conversations?view=all`, { headers: { authorization: `Bearer ${login.token}` } })).json()).items[0];

const chrome = await launchBrowser();
const context = await chrome.browser.newContext({ viewport: { width: 1400, height: 900 } });
await context.addInitScript((token) => localStorage.setItem('frontdesk.token', token), login.token);
const page = await context.newPage();

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const fmt = (xs) => `median ${pct(xs, 50).toFixed(0)} ms, p95 ${pct(xs, 95).toFixed(0)} ms (${xs.length} runs)`;

// First paint of the inbox: from navigation to the first conversation row on screen.
const paint = [];
for (let i = 0; i < RUNS + 1; i++) {
  await page.goto(`${url}/`);
  await page.locator('[data-conversation]').first().waitFor();
  const ms = await page.evaluate(() => performance.now());
  if (i > 0) paint.push(ms); // the first load warms the desk's and the browser's caches
}
console.error(`first paint: ${fmt(paint)}`);

// Opening the 1,000-message conversation: click to its newest message shown, and back to a
// short one in between.
const open = [];
const newest = page.locator('.log article').last();
for (let i = 0; i < RUNS + 1; i++) {
  await page.locator('[data-conversation]').nth(1).click();
  await page.locator('.log article').first().waitFor();
  const started = await page.evaluate(() => performance.now());
  await page.locator(`[data-conversation="${long.number}"]`).click();
  await page.locator(`.log article[data-seq="${long.last_seq}"]`).waitFor({ timeout: 30_000 });
  await newest.waitFor();
  const ms = (await page.evaluate(() => performance.now())) - started;
  if (i > 0) open.push(ms);
}
const articles = await page.locator('.log article').count();
console.error(`open: ${fmt(open)}`);

// Scrolling the list: load 2,000 rows by scrolling (each page of 50 loads as the end nears),
// then scroll through them 40 px a frame and time every frame.
await page.locator('[data-view="all"]').click();
await page.locator('[data-conversation]').first().waitFor();
const loadStarted = Date.now();
while ((await page.locator('ul[data-total]').getAttribute('data-total')) < 2_000) {
  const before = Number(await page.locator('ul[data-total]').getAttribute('data-total'));
  await page.locator('section.list').evaluate((el) => (el.scrollTop = el.scrollHeight));
  await page
    .waitForFunction((n) => Number(document.querySelector('ul[data-total]').dataset.total) > n, before, { timeout: 5_000 })
    .catch(() => {});
  if (Date.now() - loadStarted > 120_000) throw new Error('the list did not reach 2,000 rows in 2 minutes');
}
const loadSecs = (Date.now() - loadStarted) / 1000;
const scroll = await page.locator('section.list').evaluate(async (el) => {
  el.scrollTop = 0;
  const frames = [];
  let drawn = 0;
  let last = performance.now();
  await new Promise((done) => {
    const step = (t) => {
      frames.push(t - last);
      last = t;
      drawn = Math.max(drawn, el.querySelectorAll('[data-conversation]').length);
      el.scrollTop += 40;
      if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1 || frames.length > 3_000) done();
      else requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });
  return { frames: frames.slice(1), drawn };
});
const long50 = scroll.frames.filter((f) => f > 50).length;
const rss = (pid) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(status.match(/VmRSS:\s+(\d+)/)[1]) / 1024);
};

console.log(`| measure | figure |
|---|---|
| first paint of the inbox (navigation to the first row) | ${fmt(paint)} |
| open the 1,000-message conversation (click to its newest message; ${articles} messages drawn) | ${fmt(open)} |
| load 2,000 rows into the list by scrolling (pages of 50) | ${loadSecs.toFixed(1)} s |
| scroll through 2,000 rows, 40 px a frame | ${scroll.frames.length} frames: median ${pct(scroll.frames, 50).toFixed(1)} ms, p99 ${pct(scroll.frames, 99).toFixed(1)} ms, ${long50} over 50 ms; at most ${scroll.drawn} rows in the DOM |
| RSS of the host desk (frontdesk serve) after all this | ${rss(child.pid)} MiB |`);

await chrome.close();
child.kill('SIGTERM');
