import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { addDays } from '../../src/watchtime/calendar.js';
import type { Overview, TopList } from '../../src/watchtime/types.js';
import { waitFor } from '../helpers/app.js';
import { startLurkInBrowser, type LurkInBrowser } from '../helpers/e2e.js';

const BALDURS_GATE = { id: '1095275650', name: "Baldur's Gate 3" };

let e: LurkInBrowser;
let base: string;
let overview: Overview;
const api = <T>(url: string) => e.api<T>(url);
const openPage = (options?: { width?: number; colorScheme?: 'dark' | 'light' }) => e.openPage(options);

/** a day that began three hours ago, so this new install's first day has hours from before it started recording */
const DAY_START = `${String((new Date().getUTCHours() + 21) % 24).padStart(2, '0')}:00`;

before(async () => {
  e = await startLurkInBrowser({ LURK_API_RATE_LIMIT: '0', LURK_WATCHTIME_DAY_START: DAY_START }, { readyTimeoutMs: 30_000, colorScheme: 'light' });
  base = e.base;
  // watch time is written about a minute after the first sweeps: a deadline, not a timing claim
  overview = await waitFor(
    'the first watch-time write',
    async () => {
      const o = await api<Overview>('/api/watchtime/overview');
      if (o.updated_at === null) return undefined;
      const top = await api<TopList>(`/api/watchtime/top?kind=games&from=${o.today}&to=${o.today}`);
      return top.items.length > 0 ? o : undefined;
    },
    180_000,
    1000,
  );
});

after(async () => {
  await e?.stop();
});

const rows = (page: Page, kind: 'games' | 'streamers') => page.locator(`[data-table="${kind}"] tbody tr`);
const bars = (page: Page, kind: 'games' | 'streamers') => page.locator(`[data-board="${kind}"] .bar-list li`);
const chartCanvas = (page: Page, granularity: 'hour' | 'day') => page.locator(`[data-field="chart"][data-granularity="${granularity}"] canvas`).first();

/** the query of the page's address */
function params(page: Page): URLSearchParams {
  return new URL(page.url()).searchParams;
}

function apiRequests(requests: string[], pathname: string): URLSearchParams[] {
  return requests
    .map((u) => new URL(u))
    .filter((u) => u.pathname === pathname)
    .map((u) => u.searchParams);
}

test('the leaderboards, chart and totals for Today; the range picker drives the URL, the requests and what is shown', async () => {
  const { page, errors, requests } = await openPage();
  await page.goto(`${base}/watchtime`);
  assert.equal(await page.locator('nav a[aria-current="page"]').textContent(), 'Watch time');
  assert.equal(await page.title(), 'Watch time · Lurk');
  // the day boundary and zone come from the API
  await page.locator('[data-field="day-boundary"]').waitFor();
  assert.equal(await page.locator('[data-field="day-boundary"]').textContent(), `Days start ${overview.day_start} ${overview.time_zone}`);
  assert.match((await page.locator('[data-field="updated"]').textContent()) ?? '', /^updated \S/);

  const { today, yesterday } = overview;
  await page.locator('[data-preset="today"]').click();
  await page.waitForURL((u) => u.searchParams.get('from') === today && u.searchParams.get('to') === today);
  assert.ok(await page.locator('[data-preset="today"] input').isChecked());
  await waitFor('both leaderboards for today', async () => ((await rows(page, 'games').count()) > 0 && (await rows(page, 'streamers').count()) > 0 ? true : undefined), 30_000);
  assert.ok((await bars(page, 'games').count()) > 0, 'the games bar chart');
  assert.ok((await bars(page, 'streamers').count()) > 0, 'the streamers bar chart');
  await chartCanvas(page, 'hour').waitFor();
  assert.ok(apiRequests(requests, '/api/watchtime/series').some((q) => q.get('granularity') === 'hour' && q.get('from') === today && q.get('to') === today));
  assert.ok(apiRequests(requests, '/api/watchtime/top').some((q) => q.get('kind') === 'games' && q.get('from') === today));

  // numbers with separators, names linking to the detail view for the same range
  const firstGame = rows(page, 'games').first();
  assert.match((await firstGame.locator('[data-field="hours-watched"]').textContent()) ?? '', /^\d{1,3}(,\d{3})*(\.\d+)?$/);
  const href = (await firstGame.locator('a').getAttribute('href')) ?? '';
  assert.match(href, new RegExp(`^/watchtime\\?game=\\d+&from=${today}&to=${today}$`));
  for (const field of ['total-hours-watched', 'total-average-viewers', 'total-peak-viewers', 'total-hours-streamed']) {
    assert.match((await page.locator(`[data-field="${field}"]`).textContent()) ?? '', /^[\d,.]+$/, field);
  }
  // downloads: CSV with the zone headers, JSON as the API answers it
  const csvHref = (await page.locator('[data-panel="games"] a[data-format="csv"]').getAttribute('href')) ?? '';
  const csv = await fetch(`${base}${csvHref}`);
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
  assert.equal(csv.headers.get('x-lurk-time-zone'), overview.time_zone);
  assert.equal(csv.headers.get('x-lurk-day-start'), overview.day_start);
  const jsonHref = (await page.locator('[data-panel="games"] a[data-format="json"]').getAttribute('href')) ?? '';
  assert.equal((await api<{ from: string }>(jsonHref)).from, today);

  // Yesterday: a new request and what the API has for it (nothing, on a fresh database, unless the day just turned)
  const before = requests.length;
  await page.locator('[data-preset="yesterday"]').click();
  await page.waitForURL((u) => u.searchParams.get('from') === yesterday && u.searchParams.get('to') === yesterday);
  await waitFor('a top request for yesterday', () =>
    apiRequests(requests.slice(before), '/api/watchtime/top').some((q) => q.get('from') === yesterday && q.get('to') === yesterday) ? true : undefined,
  );
  const yesterdayTop = await api<TopList>(`/api/watchtime/top?kind=games&from=${yesterday}&to=${yesterday}`);
  if (yesterdayTop.items.length === 0) {
    await page.locator('[data-field="empty"]').waitFor();
    assert.match((await page.locator('[data-field="empty"]').textContent()) ?? '', /No watch time recorded yet for this range/);
    assert.equal(await rows(page, 'games').count(), 0);
  } else {
    await waitFor('yesterday’s leader', async () => ((await rows(page, 'games').first().locator('a').textContent()) === yesterdayTop.items[0]!.name ? true : undefined));
  }

  // Last 7 days: per day
  await page.locator('[data-preset="last7"]').click();
  await page.waitForURL((u) => u.searchParams.get('from') === addDays(today, -6) && u.searchParams.get('to') === today);
  await chartCanvas(page, 'day').waitFor();
  assert.equal(await page.locator('[data-field="chart"]').getAttribute('data-points'), '7');
  await waitFor('the leaderboards again', async () => ((await rows(page, 'games').count()) > 0 ? true : undefined));

  // the back button returns to yesterday, and the picker follows the address
  await page.goBack();
  await page.waitForURL((u) => u.searchParams.get('from') === yesterday);
  await waitFor('Yesterday checked again', async () => ((await page.locator('[data-preset="yesterday"] input').isChecked()) ? true : undefined));

  // a custom range of two dates
  await page.locator('[data-preset="custom"]').click();
  await page.locator('input[name="from"]').fill(addDays(today, -2));
  await page.locator('input[name="to"]').fill(today);
  await page.waitForURL((u) => u.searchParams.get('from') === addDays(today, -2) && u.searchParams.get('to') === today);
  await waitFor('a 3-day chart', async () => ((await page.locator('[data-field="chart"][data-granularity="day"]').getAttribute('data-points')) === '3' ? true : undefined));

  // a shared link opens on its range
  const shared = await openPage();
  await shared.page.goto(`${base}/watchtime?from=${today}&to=${today}`);
  await shared.page.locator('[data-preset="today"] input:checked').waitFor();
  await chartCanvas(shared.page, 'hour').waitFor();
  assert.deepEqual(shared.errors, []);
  await shared.page.close();

  assert.deepEqual(
    requests.filter((u) => !u.startsWith(`${base}/`) && !u.startsWith('data:')),
    [],
    'every request goes to Lurk',
  );
  assert.deepEqual(errors, []);
  await page.close();
});

test('search finds Baldur’s Gate 3 from “baldurs gate”; Enter opens its detail view', async () => {
  // the search covers games watch time has seen: wait until the simulator's streams have played it
  await waitFor(
    'Baldur’s Gate 3 in watch time',
    async () => ((await api<{ results: { id: string }[] }>('/api/watchtime/search?q=baldurs%20gate')).results.some((r) => r.id === BALDURS_GATE.id) ? true : undefined),
    120_000,
    1000,
  );
  const { page, errors } = await openPage({ colorScheme: 'dark' });
  await page.goto(`${base}/watchtime?from=${overview.today}&to=${overview.today}`);
  const input = page.getByRole('combobox', { name: 'Search games and streamers' });
  await input.fill('baldurs gate');
  const option = page.locator(`[role="option"][data-result-id="${BALDURS_GATE.id}"]`);
  await option.waitFor();
  assert.match((await option.textContent()) ?? '', /^Game\s*Baldur's Gate 3/);
  assert.equal(await option.locator('.wt-kind').textContent(), 'Game');

  await input.press('Enter');
  await page.waitForURL((u) => u.searchParams.get('game') === BALDURS_GATE.id);
  assert.equal(params(page).get('from'), overview.today, 'the range stays');
  const detail = page.locator(`[data-view="game"][data-id="${BALDURS_GATE.id}"]`);
  await detail.waitFor();
  assert.match((await detail.locator('[data-field="detail-name"]').textContent()) ?? '', /Baldur's Gate 3$/);
  await chartCanvas(page, 'hour').waitFor();

  // a miss says so
  await input.fill('zzqxjv no such thing');
  await page.getByText('No game or streamer matches').waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('a leaderboard row opens the game; its top streamer opens the streamer; both with totals and a chart', async () => {
  const { page, errors } = await openPage();
  const { today } = overview;
  await page.goto(`${base}/watchtime?from=${today}&to=${today}`);
  await waitFor('the games table', async () => ((await rows(page, 'games').count()) > 0 ? true : undefined), 30_000);
  const link = rows(page, 'games').first().locator('a');
  const name = (await link.textContent()) ?? '';
  const id = (await link.getAttribute('data-item')) ?? '';
  await link.click();
  await page.waitForURL((u) => u.searchParams.get('game') === id && u.searchParams.get('from') === today);
  const game = page.locator(`[data-view="game"][data-id="${id}"]`);
  await game.waitFor();
  assert.match((await game.locator('[data-field="detail-name"]').textContent()) ?? '', new RegExp(`${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  await chartCanvas(page, 'hour').waitFor();
  assert.match((await game.locator('[data-field="total-hours-watched"]').textContent()) ?? '', /^[\d,.]+$/);
  assert.match((await game.locator('[data-field="total-streamers"]').textContent()) ?? '', /^[1-9][\d,]*$/);
  await waitFor('its top streamers', async () => ((await rows(page, 'streamers').count()) > 0 ? true : undefined));

  // the detail's own downloads: the series and the top list as CSV
  const csvLinks = await game.locator('a[data-format="csv"]').evaluateAll((els) => els.map((e) => e.getAttribute('href') ?? ''));
  assert.equal(csvLinks.length, 2);
  for (const href of csvLinks) assert.equal((await fetch(`${base}${href}`)).status, 200, href);

  // on to the game's top streamer: a streamer has daily figures only, so one day shows their week
  const streamerLink = rows(page, 'streamers').first().locator('a');
  const login = new URL(`${base}${(await streamerLink.getAttribute('href')) ?? ''}`).searchParams.get('streamer')!;
  await streamerLink.click();
  await page.waitForURL((u) => u.searchParams.get('streamer') === login);
  const streamer = page.locator(`[data-view="streamer"][data-id="${login}"]`);
  await streamer.waitFor();
  await chartCanvas(page, 'day').waitFor();
  await waitFor('the streamer’s top games', async () => ((await rows(page, 'games').count()) > 0 ? true : undefined));
  const played = await rows(page, 'games')
    .locator('a')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-item')));
  assert.ok(played.includes(id), `they played the game they were listed under (${played.join(', ')})`);

  // back to everything: the link keeps the range, the nav link goes to the default view
  await page.locator('[data-action="back"]').click();
  await page.waitForURL((u) => !u.searchParams.has('streamer') && u.searchParams.get('from') === today);
  await page.locator('[data-view="overview"]').waitFor();
  await page.goBack();
  await streamer.waitFor();
  await page.locator('nav a', { hasText: 'Watch time' }).click();
  await page.waitForURL(`${base}/watchtime`);
  await page.locator('[data-view="overview"]').waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('unknown games say so; narrow screens get the leaderboards as tabs', async () => {
  const { page, errors } = await openPage({ width: 600, colorScheme: 'dark' });
  await page.goto(`${base}/watchtime?game=999999999999`);
  await page.locator('[data-field="not-found"]').waitFor();
  assert.match((await page.locator('[data-field="not-found"]').textContent()) ?? '', /no watch time for a game with id 999999999999/);

  await page.goto(`${base}/watchtime?from=${overview.today}&to=${overview.today}`);
  const tabs = page.getByRole('tab');
  await tabs.first().waitFor();
  assert.deepEqual(await tabs.allTextContents(), ['Top games', 'Top streamers']);
  await waitFor('the games tab', async () => ((await rows(page, 'games').count()) > 0 ? true : undefined), 30_000);
  assert.equal(await page.locator('[data-panel="streamers"]').count(), 0);
  await page.getByRole('tab', { name: 'Top streamers' }).click();
  await waitFor('the streamers tab', async () => ((await rows(page, 'streamers').count()) > 0 ? true : undefined));
  assert.equal(await page.locator('[data-panel="games"]').count(), 0);
  assert.equal(await page.getByRole('tab', { name: 'Top streamers' }).getAttribute('aria-selected'), 'true');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a new install opens on Today and says why; the hours before recording began are drawn as no data, not zero', async () => {
  const o = await api<Overview>('/api/watchtime/overview');
  assert.equal(o.first_day, o.today, 'recording began today');
  assert.equal(o.last_day, o.today);
  const firstHour = o.first_hour!;
  const hourly = await api<{ points: { t: string; hours_watched: number }[] }>(`/api/watchtime/series?from=${o.today}&to=${o.today}&granularity=hour`);
  const before = hourly.points.filter((p) => p.t < firstHour);
  // three hours by DAY_START; two when an hour boundary fell between this file's start and Lurk's first record
  assert.ok(before.length >= 2, `the day began ${before.length} hours before recording`);
  assert.ok(
    before.every((p) => p.hours_watched === 0),
    'the API reads those hours as zeros',
  );

  const { page, errors } = await openPage();
  await page.goto(`${base}/watchtime`);
  // not Last 7 days, whose other six days are empty: Today, with a note saying why
  await page.locator('[data-preset="today"] input:checked').waitFor();
  assert.equal(await page.locator('[data-preset="last7"] input').isChecked(), false);
  assert.match((await page.locator('[data-field="range-note"]').textContent()) ?? '', /^Lurk started recording today \(its first hour: [^)]+\), so this opens on Today/);
  assert.equal(page.url(), `${base}/watchtime`, 'the default range stays out of the address');
  await waitFor('today’s leaderboard', async () => ((await rows(page, 'games').count()) > 0 ? true : undefined), 30_000);

  // the hourly chart: no line before the first hour sampled (uPlot's gap), figures from it on
  const chart = page.locator('[data-field="chart"][data-granularity="hour"]');
  await chart.locator('canvas').first().waitFor();
  assert.equal(await chart.getAttribute('data-before-recording'), String(before.length));
  const points = Number(await chart.getAttribute('data-points'));
  const overlay = (await chart.locator('.u-over').boundingBox())!;
  const legendValue = chart.locator('.u-legend .u-series').nth(1).locator('.u-value');
  const hover = async (index: number) => page.mouse.move(overlay.x + Math.min(overlay.width - 1, Math.max(1, (overlay.width * index) / (points - 1))), overlay.y + overlay.height / 2);
  await hover(0);
  await waitFor('the legend at the first hour', async () => ((await legendValue.textContent()) === '–' ? true : undefined));
  await hover(before.length - 1);
  await waitFor('the legend at the last hour before recording', async () => ((await legendValue.textContent()) === '–' ? true : undefined));
  await hover(before.length);
  await waitFor('a figure at the first hour sampled', async () => (/^[\d,.]+$/.test((await legendValue.textContent()) ?? '') ? true : undefined));

  // Last 7 days, picked: the six days before the first are no data too; an explicit range in the address wins
  await page.locator('[data-preset="last7"]').click();
  await page.waitForURL((u) => u.searchParams.get('from') === addDays(o.today, -6));
  await waitFor('the daily chart', async () => ((await page.locator('[data-field="chart"][data-granularity="day"]').getAttribute('data-before-recording')) === '6' ? true : undefined));
  assert.equal(await page.locator('[data-field="range-note"]').count(), 0, 'no note for a range the visitor chose');
  await page.reload();
  await page.locator('[data-preset="last7"] input:checked').waitFor();
  assert.equal(await page.locator('[data-field="range-note"]').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});
