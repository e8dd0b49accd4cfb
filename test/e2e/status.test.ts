import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { waitFor } from '../helpers/app.js';
import { startLurkInBrowser, type LurkInBrowser } from '../helpers/e2e.js';
import { startLurk } from '../helpers/process.js';

let e: LurkInBrowser;
let browser: Browser;
let base: string;

before(async () => {
  e = await startLurkInBrowser();
  ({ browser, base } = e);
});

after(async () => {
  await e?.stop();
});

test('the Status page shows mode, database and a job list that updates live', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  let loads = 0;
  page.on('load', () => loads++);

  await page.goto(`${base}/status`);
  await page.locator('[data-connection="live"]').waitFor();
  assert.equal(await page.locator('[data-field="mode"]').textContent(), 'Simulated Twitch');
  assert.match((await page.locator('[data-field="database"]').textContent()) ?? '', /^SQLite · \d/);
  assert.equal(await page.locator('header .mode').textContent(), 'Simulated Twitch');
  assert.equal(await page.locator('nav a[aria-current="page"]').textContent(), 'Status');
  // the built-in simulator's world and clock
  // the world keeps 200 live: a stream that ends is replaced about a minute later
  const simLive = Number(await page.locator('[data-field="sim-live"]').textContent());
  assert.ok(simLive <= 200 && simLive >= 190, `sim-live ${simLive}`);
  assert.match((await page.locator('[data-field="sim-viewers"]').textContent()) ?? '', /^[\d,]+$/);

  const row = (job: string) => page.locator(`tr[data-job="${job}"]`);
  await row('status.sample').waitFor();
  await row('store.maintenance').waitFor();
  assert.equal(await row('store.maintenance').locator('[data-field="last-run"]').textContent(), 'never');

  // a run triggered elsewhere (the API) shows up without reloading the page
  const runs = async (job: string) => Number((await row(job).locator('[data-field="runs"]').textContent())?.match(/^\d+/)?.[0]);
  const before = await runs('status.sample');
  const res = await fetch(`${base}/api/jobs/status.sample/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(res.status, 200);
  await waitFor('the runs count to update', async () => ((await runs('status.sample')) > before ? true : undefined));

  // the "Run now" button runs a job, and its last run appears live
  await row('store.maintenance').getByRole('button', { name: 'Run now' }).click();
  await waitFor('store.maintenance to report a run', async () => ((await runs('store.maintenance')) >= 1 ? true : undefined));
  assert.notEqual(await row('store.maintenance').locator('[data-field="last-run"]').textContent(), 'never');
  assert.equal(await row('store.maintenance').locator('[data-field="outcome"] .pill').textContent(), 'ok');
  assert.match((await row('store.maintenance').locator('[data-field="duration"]').textContent()) ?? '', /\d+(\.\d+)? (ms|s)/);

  assert.equal(loads, 1, 'updates arrive over the WebSocket, not by reloading');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the page follows the OS colour scheme', async () => {
  const dark = await browser.newPage({ colorScheme: 'dark' });
  await dark.goto(`${base}/status`);
  const darkBg = await dark.evaluate<string>('getComputedStyle(document.body).backgroundColor');
  const light = await browser.newPage({ colorScheme: 'light' });
  await light.goto(`${base}/status`);
  const lightBg = await light.evaluate<string>('getComputedStyle(document.body).backgroundColor');
  assert.equal(darkBg, 'rgb(15, 15, 19)');
  assert.equal(lightBg, 'rgb(247, 247, 249)');
  await dark.close();
  await light.close();
});

test('the page reconnects when Lurk restarts', async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/status`);
  await page.locator('[data-connection="live"]').waitFor();
  const firstPid = await page.locator('.card .small', { hasText: 'pid' }).textContent();
  e.lurk.child.kill('SIGTERM');
  await e.lurk.exited;
  await page.locator('[data-connection="reconnecting"]').waitFor();
  const port = new URL(base).port;
  e.lurk = startLurk(['start'], { PORT: port, DATABASE_URL: e.db.url });
  await page.locator('[data-connection="live"]').waitFor({ timeout: 30_000 });
  await waitFor('the new process to be shown', async () => ((await page.locator('.card .small', { hasText: 'pid' }).textContent()) !== firstPid ? true : undefined));
  // the last run of a job survives the restart (stored history)
  assert.notEqual(await page.locator('tr[data-job="store.maintenance"] [data-field="last-run"]').textContent(), 'never');
  await page.close();
});
