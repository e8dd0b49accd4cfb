import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { waitFor } from '../helpers/app.js';
import { startLurkInBrowser, type LurkInBrowser } from '../helpers/e2e.js';

interface Stream {
  id: string;
  user_login: string;
  user_name: string;
  language: string;
  title: string;
}

let e: LurkInBrowser;
let base: string;
const api = <T>(url: string) => e.api<T>(url);
const openPage = (options?: { width?: number; colorScheme?: 'dark' | 'light' }) => e.openPage(options);

before(async () => {
  e = await startLurkInBrowser({ LURK_API_RATE_LIMIT: '0' }, { readyTimeoutMs: 30_000, colorScheme: 'dark' });
  base = e.base;
  // the pool fills with the first completed sweep of the simulated world
  await waitFor(
    'a completed discover sweep',
    async () => {
      const stats = await api<{ pool: number; last_sweep: { status: string } | null }>('/api/discover/stats');
      return stats.last_sweep?.status === 'completed' && stats.pool > 0 ? true : undefined;
    },
    60_000,
    200,
  );
});

after(async () => {
  await e?.stop();
});

const stage = (page: Page) => page.locator('.dsc-stage[data-stream-id]');
const shownId = async (page: Page) => (await stage(page).getAttribute('data-stream-id')) ?? '';

async function waitForStream(page: Page): Promise<string> {
  await stage(page).waitFor({ timeout: 30_000 });
  return shownId(page);
}

/** waits until the stage shows a stream other than `previous` */
async function waitForChange(page: Page, previous: string, what: string): Promise<string> {
  return waitFor(what, async () => {
    const id = await shownId(page);
    return id && id !== previous ? id : undefined;
  });
}

/** the cooldown on "New streamer" has passed */
async function newStreamerReady(page: Page): Promise<void> {
  await page.locator('[data-action="new"]:not([disabled])').waitFor({ timeout: 20_000 });
}

function externalRequests(requests: string[]): string[] {
  return requests.filter((url) => !url.startsWith(`${base}/`) && !url.startsWith('data:'));
}

test('/ lands on Discover and shows a simulated stream; New streamer, the grid and the history work, all without leaving Lurk', async () => {
  const { page, errors, requests } = await openPage();
  await page.goto(`${base}/`);
  await page.waitForURL(/\/discover(\?|$)/);
  assert.equal(await page.locator('nav a[aria-current="page"]').textContent(), 'Discover');
  assert.equal(await page.title(), 'Discover · Lurk');

  const first = await waitForStream(page);
  assert.match(first, /^\d+$/);
  assert.notEqual(((await stage(page).locator('[data-field="title"]').textContent()) ?? '').trim(), '');
  await stage(page).getByText('Simulated Twitch').first().waitFor();
  assert.ok(await stage(page).locator('[data-field="simulated"]').isVisible(), 'the simulator stand-in is shown');
  assert.equal(await page.locator('iframe').count(), 0, 'no Twitch player in simulator mode');
  assert.match((await stage(page).locator('[data-field="online"]').textContent()) ?? '', /^(\d+d )?(\d+h )?\d+m$/);
  const login = await stage(page).getAttribute('data-login');
  assert.equal(await stage(page).locator('a.dsc-open').getAttribute('href'), `https://www.twitch.tv/${login}`);
  // the address bar follows the stream shown
  await page.waitForURL(`${base}/discover?stream=${first}`);
  // the counts line
  await waitFor('the stats line', async () => ((await page.locator('[data-field="stats"]').textContent())?.includes('with nobody watching') ? true : undefined));

  // "New streamer" shows someone else, then cools down briefly
  await newStreamerReady(page);
  await page.locator('[data-action="new"]').click();
  const second = await waitForChange(page, first, 'New streamer to show another stream');
  await page.waitForURL(`${base}/discover?stream=${second}`);

  // the grid: 16 other streams, each a real link to Twitch; a click shows it here
  const items = page.locator('[data-grid-item]');
  await waitFor('16 thumbnails', async () => ((await items.count()) === 16 ? true : undefined));
  const hrefs = await items.evaluateAll((els) => els.map((e) => e.getAttribute('href') ?? ''));
  assert.ok(
    hrefs.every((h) => /^https:\/\/www\.twitch\.tv\/[a-z0-9_]+$/.test(h)),
    `grid links: ${hrefs.join(' ')}`,
  );
  // a thumbnail of neither stream shown so far (the grid may well hold the first one again)
  const gridIds = await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-stream-id') ?? ''));
  assert.ok(!gridIds.includes(second), 'the grid leaves out the stream on stage');
  const pickedId = gridIds.find((id) => id !== first)!;
  const pick = items.nth(gridIds.indexOf(pickedId));
  await pick.click();
  await waitFor('the clicked thumbnail on stage', async () => ((await shownId(page)) === pickedId ? true : undefined));
  assert.equal(await page.locator(`[data-grid-item][aria-current="true"]`).getAttribute('data-stream-id'), pickedId);

  // "More" fetches another grid
  const before = await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-stream-id')).join());
  await page.locator('[data-action="more"]').click();
  await waitFor('a new grid', async () => {
    const now = await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-stream-id')).join());
    return now !== before && (await items.count()) > 0 ? true : undefined;
  });

  // the watch history lists what was shown before, and a click shows it again
  const history = page.locator('[data-history-item]');
  await waitFor('two streams in the history', async () => ((await history.count()) >= 2 ? true : undefined));
  const historyIds = await history.evaluateAll((els) => els.map((e) => e.getAttribute('data-stream-id')));
  assert.deepEqual(historyIds.slice(0, 2), [second, first]);
  await history.nth(1).click();
  await waitFor('the history item on stage', async () => ((await shownId(page)) === first ? true : undefined));

  assert.deepEqual(externalRequests(requests), [], 'every request goes to Lurk');
  assert.deepEqual(errors, []);
  await page.close();
});

test('filters: a language filters what is shown; a filter matching nothing says so and reopens the dialog; filters can be remembered', async () => {
  // a language other than English that a one-viewer-or-less stream has right now
  const sample = await api<Stream[]>('/api/streams/random?count=64&max_viewers=1');
  const language = sample.map((s) => s.language).find((l) => l !== 'en' && l !== 'other') ?? sample.find((s) => s.language !== 'en')?.language;
  assert.ok(language, `a non-English stream among ${sample.length}`);

  const { page, errors, requests } = await openPage({ colorScheme: 'light' });
  await page.goto(`${base}/discover`);
  await waitForStream(page);

  await page.locator('[data-action="filters"]').click();
  const dialog = page.locator('dialog.dsc-filters');
  await dialog.and(page.locator('[open]')).waitFor();
  await dialog.getByLabel('Include streams with one viewer').check();
  await dialog.getByLabel('Language').selectOption(language);
  await dialog.getByLabel('Remember my filters on this device').check();
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await waitFor('the dialog to close', async () => ((await dialog.evaluate((d) => (d as unknown as { open: boolean }).open)) ? undefined : true));
  await waitFor(`a ${language} stream on stage`, async () => ((await stage(page).locator('[data-field="language"]').getAttribute('data-language')) === language ? true : undefined));
  assert.match((await page.locator('[data-field="filter-summary"]').textContent()) ?? '', /one viewer allowed/);
  assert.equal(await page.locator('[data-action="filters"] .dsc-count').textContent(), '2');
  // the grid follows the same filters
  await waitFor(`a grid of ${language} streams only`, async () => {
    const langs = await page.locator('[data-grid-item]').evaluateAll((els) => els.map((e) => e.getAttribute('data-language')));
    return langs.every((l) => l === language) && (langs.length > 0 || (await page.locator('[data-field="grid-message"]').isVisible())) ? true : undefined;
  });
  // "New streamer" keeps to the language
  await newStreamerReady(page);
  await page.locator('[data-action="new"]').click();
  await newStreamerReady(page);
  assert.equal(await stage(page).locator('[data-field="language"]').getAttribute('data-language'), language);

  // remembered: a reload keeps the filters
  await page.reload();
  await waitForStream(page);
  assert.equal(await stage(page).locator('[data-field="language"]').getAttribute('data-language'), language);
  assert.equal(await page.locator('[data-action="filters"] .dsc-count').textContent(), '2');

  // a filter that matches nothing: a clear message, and the dialog comes back
  const shown = await shownId(page);
  await page.keyboard.press('f');
  await dialog.and(page.locator('[open]')).waitFor();
  await dialog.getByLabel('Include', { exact: true }).fill('zzq-no-such-stream-xyzzy');
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await page.locator('[data-field="message"]', { hasText: 'No stream matches these filters' }).waitFor();
  await dialog.locator('[data-field="filter-message"]', { hasText: 'No stream matches these filters' }).waitFor();
  assert.equal(await dialog.evaluate((d) => (d as unknown as { open: boolean }).open), true, 'the filter dialog reopened');
  assert.equal(await shownId(page), shown, 'the stream shown stays');
  // reset and apply: streams again
  await dialog.getByRole('button', { name: 'Reset' }).click();
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await waitFor('the dialog to close', async () => ((await dialog.evaluate((d) => (d as unknown as { open: boolean }).open)) ? undefined : true));
  await waitFor('the message to go', async () => ((await page.locator('[data-field="message"]').count()) === 0 ? true : undefined));
  assert.equal(await page.locator('[data-field="filter-summary"]').count(), 0);

  assert.deepEqual(externalRequests(requests), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('keyboard shortcuts: N, T, W, F, ? and Esc; none while typing', async () => {
  const { page, errors } = await openPage();
  await page.goto(`${base}/discover`);
  const first = await waitForStream(page);
  await page.locator('[data-grid-item]').first().waitFor();

  await newStreamerReady(page);
  await page.keyboard.press('n');
  const second = await waitForChange(page, first, 'N to show another stream');
  assert.notEqual(second, first);

  // T hides and shows the thumbnails
  await page.keyboard.press('t');
  await waitFor('the grid to hide', async () => ((await page.locator('[data-field="grid"]').count()) === 0 ? true : undefined));
  assert.equal(await page.locator('[data-action="grid"]').getAttribute('aria-pressed'), 'false');
  await page.keyboard.press('t');
  await page.locator('[data-grid-item]').first().waitFor();

  // W: wide mode, Esc leaves it
  await page.keyboard.press('w');
  await page.locator('section.discover.wide').waitFor();
  await page.keyboard.press('Escape');
  await waitFor('wide mode to end', async () => ((await page.locator('section.discover.wide').count()) === 0 ? true : undefined));

  // ?: the help overlay, Esc closes it
  const help = page.locator('dialog.dsc-help');
  await page.keyboard.press('?');
  await waitFor('the help overlay', async () => ((await help.evaluate((d) => (d as unknown as { open: boolean }).open)) ? true : undefined));
  assert.match((await help.textContent()) ?? '', /New streamer/);
  assert.ok(await help.isVisible());
  await page.keyboard.press('Escape');
  await waitFor('the help overlay to close', async () => ((await help.evaluate((d) => (d as unknown as { open: boolean }).open)) ? undefined : true));

  // F opens the filters, and typing there triggers nothing
  await page.keyboard.press('f');
  const dialog = page.locator('dialog.dsc-filters');
  await waitFor('the filter dialog', async () => ((await dialog.evaluate((d) => (d as unknown as { open: boolean }).open)) ? true : undefined));
  await dialog.getByLabel('Include', { exact: true }).pressSequentially('ntw?');
  assert.equal(await dialog.getByLabel('Include', { exact: true }).inputValue(), 'ntw?');
  assert.equal(await page.locator('section.discover.wide').count(), 0);
  assert.equal(await help.evaluate((d) => (d as unknown as { open: boolean }).open), false);
  await page.keyboard.press('Escape');
  await waitFor('the filter dialog to close', async () => ((await dialog.evaluate((d) => (d as unknown as { open: boolean }).open)) ? undefined : true));
  assert.equal(await page.locator('[data-field="filter-summary"]').count(), 0, 'Esc discards the draft');

  assert.deepEqual(errors, []);
  await page.close();
});

test('deep links: ?stream=<id>, an ended stream, ?channel=<login> and ?filter=<terms>', async () => {
  const [target, other] = await api<Stream[]>('/api/streams/random?count=2');
  assert.ok(target && other);
  const { page, errors, requests } = await openPage();

  await page.goto(`${base}/discover?stream=${target.id}`);
  await waitFor('the linked stream', async () => ((await shownId(page).catch(() => '')) === target.id ? true : undefined));
  assert.equal(await stage(page).locator('[data-field="name"]').textContent(), target.user_name);

  // from / too (the app moves / to /discover)
  await page.goto(`${base}/?stream=${other.id}`);
  await waitFor('the linked stream from /', async () => ((await shownId(page).catch(() => '')) === other.id ? true : undefined));
  await page.waitForURL(`${base}/discover?stream=${other.id}`);

  // a stream Lurk does not know (ended): said politely, and someone else is shown
  await page.goto(`${base}/discover?stream=999999999999`);
  await page.locator('[data-field="message"]', { hasText: 'not live any more' }).waitFor();
  const instead = await waitForStream(page);
  assert.notEqual(instead, '999999999999');

  // a channel by login
  await page.goto(`${base}/discover?channel=${target.user_login}`);
  await waitFor('the linked channel', async () =>
    (await stage(page)
      .getAttribute('data-login')
      .catch(() => '')) === target.user_login
      ? true
      : undefined,
  );
  await page.waitForURL(`${base}/discover?stream=${target.id}`);

  // a channel that is not in the pool
  await page.goto(`${base}/discover?channel=nobody_by_this_name`);
  await page.locator('[data-field="message"]', { hasText: 'nobody_by_this_name is not live' }).waitFor();
  await waitForStream(page);

  // ?filter pre-fills the include terms
  await page.goto(`${base}/discover?filter=${encodeURIComponent(target.user_login)}`);
  await page.locator('[data-field="filter-summary"]', { hasText: target.user_login }).waitFor();
  await page.keyboard.press('f');
  assert.equal(await page.locator('dialog.dsc-filters').getByLabel('Include', { exact: true }).inputValue(), target.user_login);
  await page.keyboard.press('Escape');

  assert.deepEqual(externalRequests(requests), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the page fits a 360 px wide screen', async () => {
  const { page, errors } = await openPage({ width: 360 });
  await page.goto(`${base}/discover`);
  await waitForStream(page);
  await page.locator('[data-grid-item]').first().waitFor();
  const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  assert.ok(await page.locator('[data-action="new"]').isVisible());
  assert.deepEqual(errors, []);
  await page.close();
});

test('with real Twitch: the Twitch player with parent=<host>, thumbnails that fall back to a placeholder when they fail', async () => {
  const { page, errors, requests } = await openPage();
  // Lurk here runs the simulator; the page is told it talks to Twitch (the status socket is rewritten),
  // and requests leaving Lurk are answered with a failure instead of reaching the internet.
  await page.routeWebSocket(/\/api\/status\/live$/, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((message) => {
      const parsed = JSON.parse(String(message)) as { type: string; data?: { mode: string; twitch: string; simulator?: unknown } };
      if (parsed.type === 'status' && parsed.data) {
        parsed.data.mode = 'twitch';
        parsed.data.twitch = 'Twitch';
        delete parsed.data.simulator;
      }
      ws.send(JSON.stringify(parsed));
    });
  });
  await page.route(
    (url) => url.origin !== base,
    (route) => route.abort(),
  );
  await page.goto(`${base}/discover`);
  await waitForStream(page);
  const iframe = stage(page).locator('iframe');
  await iframe.waitFor();
  const login = await stage(page).getAttribute('data-login');
  assert.equal(await iframe.getAttribute('src'), `https://player.twitch.tv/?channel=${login}&parent=127.0.0.1&muted=false`);
  assert.equal(await stage(page).getByText('Simulated Twitch').count(), 0);
  assert.match((await stage(page).locator('[data-field="online"]').textContent()) ?? '', /\d+m$/);

  // the grid asks Twitch's image host for 320x180 thumbnails; they fail here, and placeholders stay
  await page.locator('[data-grid-item]').first().waitFor();
  await waitFor('thumbnail requests', () => (requests.some((u) => u.startsWith('https://static-cdn.jtvnw.net/previews-ttv/') && u.endsWith('-320x180.jpg')) ? true : undefined));
  await waitFor('failed thumbnails to give way to placeholders', async () => ((await page.locator('[data-grid-item] img').count()) === 0 ? true : undefined));
  assert.ok(await page.locator('[data-grid-item] .dsc-ph-game').first().isVisible());
  assert.deepEqual(errors, []);
  await page.close();
});

test('errors are explained inline: rate limited (Retry-After) and Lurk unreachable', async () => {
  const { page, errors } = await openPage();
  await page.goto(`${base}/discover`);
  const first = await waitForStream(page);
  await page.locator('[data-grid-item]').first().waitFor();

  await page.route('**/api/streams/random?**', (route) =>
    route.fulfill({ status: 429, headers: { 'retry-after': '42', 'content-type': 'application/json' }, body: JSON.stringify({ error: { code: 'rate_limited', message: 'slow down' } }) }),
  );
  await newStreamerReady(page);
  await page.locator('[data-action="new"]').click();
  const message = page.locator('[data-field="message"]');
  await message.filter({ hasText: /too many requests.*Try again in \d+ s/ }).waitFor();
  assert.equal(await page.locator('[data-action="new"]').isDisabled(), true, 'New streamer waits for the Retry-After');
  assert.equal(await shownId(page), first, 'the stream shown stays');

  await page.unroute('**/api/streams/random?**');
  await page.route('**/api/streams/random?**', (route) => route.abort('connectionrefused'));
  await page.locator('[data-action="more"]').click();
  await page.locator('[data-field="grid-message"]', { hasText: 'Could not reach Lurk' }).waitFor();
  await page.unroute('**/api/streams/random?**');
  assert.ok(await page.locator('[data-field="title"]').isVisible(), 'never a blank page');
  assert.deepEqual(errors, []);
  await page.close();
});
