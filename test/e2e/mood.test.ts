// The Mood page in Chromium against `lurk start` and its built-in simulator: the empty state, a
// live channel added through the box, its card, its channel view moving live, a triggered chat
// spike showing up as a moment, an unknown login refused by name, and the OBS overlay.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { WARMUP_BINS } from '../../src/mood/moments.js';
import type { ActivityLabel, MoodChannelDetail } from '../../src/mood/types.js';
import type { StatusSnapshot } from '../../src/status/types.js';
import { waitFor } from '../helpers/app.js';
import { startLurkInBrowser, type LurkInBrowser } from '../helpers/e2e.js';
import { startLurk } from '../helpers/process.js';

/** Mood judges a burst against the channel's own baseline, which needs its warm-up (10-second bins, fed three bins late) and a margin */
const WARMUP_MS = (WARMUP_BINS + 3) * 10_000 + 30_000;

const ACTIVITY: ActivityLabel[] = ['Zzz', 'Surviving smoothly', 'Sounds interesting', 'Blowing some minds', 'Collecting spammers', 'More than meets the eye'];

// ten simulated seconds a second: a tracked channel's baseline warms up in about half a minute
const ENV = { LURK_API_RATE_LIMIT: '0', LURK_SIM_SPEED: '10' };

let e: LurkInBrowser;
let sim: string;

before(async () => {
  e = await startLurkInBrowser(ENV, { readyTimeoutMs: 30_000 });
  const status = await e.api<StatusSnapshot>('/api/status');
  assert.ok(status.simulator, 'Lurk runs its built-in simulator');
  sim = `http://127.0.0.1:${status.simulator.ports.http}/_sim`;
});

after(async () => {
  await e?.stop();
});

/** a live channel chatting at a moderate rate (the quietest of those with a message every few seconds), as the simulator's truth says */
async function chattyChannel(): Promise<string> {
  return waitFor(
    'a simulated channel with chat',
    async () => {
      const body = (await (await fetch(`${sim}/truth/messages?limit=1000000`)).json()) as { messages: { channel: string; at: string }[] };
      const first = Math.min(...body.messages.map((m) => Date.parse(m.at)));
      const seconds = (Math.max(...body.messages.map((m) => Date.parse(m.at))) - first) / 1000;
      if (!(seconds >= 30)) return undefined;
      const counts = new Map<string, number>();
      for (const m of body.messages) counts.set(m.channel, (counts.get(m.channel) ?? 0) + 1);
      const moderate = [...counts].filter(([, n]) => n / seconds >= 0.3).sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
      return moderate[0]?.[0];
    },
    60_000,
    1000,
  );
}

/** polls until `read` gives a value other than `first` (the page changed by itself) */
async function changes(what: string, read: () => Promise<string | null>, timeoutMs = 60_000): Promise<void> {
  const first = await read();
  await waitFor(what, async () => ((await read()) !== first ? true : undefined), timeoutMs, 250);
}

const card = (page: Page, login: string) => page.locator(`li.md-card[data-channel="${login}"]`);

test('with no channel tracked the page says how to track one', async () => {
  const { page, errors } = await e.openPage();
  await page.goto(`${e.base}/mood`);
  assert.equal(await page.title(), 'Mood · Lurk');
  assert.equal(await page.locator('nav a[aria-current="page"]').textContent(), 'Mood');
  // after Watch time in the navigation
  assert.deepEqual(await page.locator('nav a').allTextContents(), ['Discover', 'Watch time', 'Mood', 'Audience', 'Live', 'Status']);
  const empty = page.locator('[data-field="empty"]');
  await empty.waitFor();
  assert.match((await empty.textContent()) ?? '', /No channels tracked yet/);
  assert.match((await empty.textContent()) ?? '', /LURK_MOOD_CHANNELS/);
  assert.ok(await page.getByRole('textbox', { name: 'Track channels' }).isVisible());
  assert.equal(await page.locator('li.md-card').count(), 0);
  await page.locator('[data-connection="live"]').waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('an unknown login typed into the box is refused, naming it, and nothing is added', async () => {
  const { page, errors } = await e.openPage();
  await page.goto(`${e.base}/mood`);
  await page.getByRole('textbox', { name: 'Track channels' }).fill('no_such_channel_zz9');
  await page.getByRole('button', { name: 'Track', exact: true }).click();
  const alert = page.locator('[data-field="add-error"]');
  await alert.waitFor();
  assert.match((await alert.textContent()) ?? '', /no_such_channel_zz9/);
  assert.equal(await page.getByRole('textbox', { name: 'Track channels' }).getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('li.md-card').count(), 0);
  // the view of a channel nobody tracks says so, and offers the box with its login
  await page.goto(`${e.base}/mood?channel=no_such_channel_zz9`);
  await page.locator('[data-field="error"]').waitFor();
  assert.match((await page.locator('[data-field="error"]').textContent()) ?? '', /no_such_channel_zz9 is not tracked/);
  assert.equal(await page.getByRole('textbox', { name: 'Track channels' }).inputValue(), 'no_such_channel_zz9');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a live channel added through the box gets a card; its view moves live, shows a triggered spike as a moment; the overlay follows it', async () => {
  const login = await chattyChannel();
  const { page, errors } = await e.openPage();
  let loads = 0;
  page.on('load', () => loads++);
  await page.goto(`${e.base}/mood`);
  await page.getByRole('textbox', { name: 'Track channels' }).fill(`  ${login.toUpperCase()}, `);
  await page.getByRole('button', { name: 'Track', exact: true }).click();

  // the card: gauge, mood in words, activity, rate, sparkline, chat state
  await card(page, login).waitFor();
  // the socket may bring the card before the POST's answer empties the box
  await waitFor('the box to empty once added', async () => ((await page.getByRole('textbox', { name: 'Track channels' }).inputValue()) === '' ? true : undefined));
  await waitFor('the chat to be joined', async () => ((await card(page, login).locator('[data-field="chat-state"]').textContent()) === 'chat joined' ? true : undefined), 60_000, 250);
  await waitFor('messages counted on the card', async () => (Number(await card(page, login).locator('[data-field="rate"]').textContent()) > 0 ? true : undefined), 120_000, 500);
  assert.ok(ACTIVITY.includes((await card(page, login).locator('[data-field="activity"]').textContent()) as ActivityLabel));
  assert.match((await card(page, login).locator('[data-field="mood-word"]').textContent()) ?? '', /^(positive|neutral|negative|no messages)$/);
  assert.equal(await card(page, login).getByRole('meter').count(), 1);
  await card(page, login).locator('[data-field="sparkline"]').waitFor();
  assert.equal(
    await card(page, login)
      .getByRole('button', { name: `Stop tracking ${login}` })
      .count(),
    1,
  );

  // the channel view
  await card(page, login).locator('[data-field="activity"]').click();
  await page.waitForURL((u) => u.pathname === '/mood' && u.searchParams.get('channel') === login);
  await page.locator('[data-field="windows"]').waitFor();
  assert.deepEqual(await page.locator('[data-window]').evaluateAll((els) => els.map((el) => el.getAttribute('data-window'))), ['1m', '5m', '15m']);
  await page.locator('[data-field="charts"] canvas').first().waitFor();
  // the 15-minute window has messages by now: its shares read as percentages that add up (give or take rounding)
  const shares = ((await page.locator('[data-window="15m"] [data-field="window-shares"]').textContent()) ?? '').match(/\d+(?= %)/g)?.map(Number) ?? [];
  assert.equal(shares.length, 3, `shares ${shares}`);
  assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 100) <= 2, `shares ${shares} add up to 100 %`);
  // live: the one-minute window's figures and the charts' newest point change with no reload
  await changes('the live figures to move', async () =>
    [
      await page.locator('[data-window="1m"] [data-field="window-rate"]').textContent(),
      await page.locator('[data-window="1m"] [data-field="window-chatters"]').textContent(),
      await page.locator('[data-field="gauge"]').first().getAttribute('data-score'),
    ].join(' '),
  );
  // the CSV of the series, as linked
  const csvHref = (await page.locator('a[data-format="csv"]').getAttribute('href')) ?? '';
  const csv = await fetch(`${e.base}${csvHref}`);
  assert.equal(csv.status, 200, csvHref);
  assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
  // the overlay's address, ready to copy
  const overlayUrl = await page.getByRole('textbox', { name: /Overlay for OBS/ }).inputValue();
  assert.equal(overlayUrl, `${e.base}/overlay/mood?channel=${login}`);

  // a spike of chat in the simulator becomes a moment on the page, without reloading
  const detail = await waitFor(
    "the channel's baseline to warm up",
    async () => {
      const d = await e.api<MoodChannelDetail>(`/api/mood/channels/${login}`);
      return Date.parse(d.at) - Date.parse(d.added_at) >= WARMUP_MS ? d : undefined;
    },
    120_000,
    500,
  );
  const spike = await fetch(`${sim}/trigger`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'chat.spike', broadcaster_user_id: detail.user_id }) });
  assert.equal(spike.status, 200, await spike.clone().text());
  const triggeredAt = Date.parse(((await spike.json()) as { at: string }).at);
  // the triggered spike, not one the channel's own hype made earlier: it starts with the burst (a margin for the reading's lag)
  const id = await waitFor(
    'the triggered spike to appear as a moment',
    async () => {
      const listed = await page
        .locator('[data-field="moments"] li[data-kind="spike"]')
        .evaluateAll((els) => els.map((el) => [el.getAttribute('data-moment'), el.getAttribute('data-started')] as const));
      return listed.find(([, started]) => Date.parse(started ?? '') >= triggeredAt - 15_000)?.[0] ?? undefined;
    },
    150_000,
    500,
  );
  const moment = page.locator(`[data-field="moments"] li[data-moment="${id}"]`);
  await moment.getByRole('button').click();
  const opened = page.locator('[data-field="moment-detail"]');
  await opened.waitFor();
  assert.match((await opened.textContent()) ?? '', /Chat spike at/);
  await waitFor('example messages of the spike', async () => ((await opened.getByRole('list', { name: 'Example messages' }).locator('li').count()) > 0 ? true : undefined), 60_000, 500);
  await page.getByRole('group', { name: 'Moments on the timeline' }).getByRole('button').first().waitFor();
  assert.equal(loads, 1, 'everything arrived over the WebSocket and fetches, no reload');
  assert.deepEqual(errors, []);

  // the overlay: transparent, no navigation, large figures that update
  const overlay = await e.openPage();
  await overlay.page.goto(overlayUrl);
  await overlay.page.locator('.md-overlay [data-field="rate"]').waitFor();
  const backgrounds = await overlay.page.evaluate<string[]>('[getComputedStyle(document.documentElement).backgroundColor, getComputedStyle(document.body).backgroundColor]');
  assert.deepEqual(backgrounds, ['rgba(0, 0, 0, 0)', 'rgba(0, 0, 0, 0)']);
  assert.equal(await overlay.page.locator('nav').count(), 0);
  assert.ok(ACTIVITY.includes((await overlay.page.locator('[data-field="activity"]').textContent()) as ActivityLabel));
  assert.match((await overlay.page.locator('[data-field="mood-word"]').textContent()) ?? '', /^(positive|neutral|negative|no messages)$/);
  await changes(
    'the overlay to update',
    async () => `${await overlay.page.locator('[data-field="rate"]').textContent()} ${await overlay.page.locator('[data-field="gauge"]').getAttribute('data-score')}`,
  );
  assert.deepEqual(overlay.errors, []);
  await overlay.page.close();

  // back on the grid, the card's remove button stops tracking the channel
  await page.goto(`${e.base}/mood`);
  await card(page, login)
    .getByRole('button', { name: `Stop tracking ${login}` })
    .click();
  await page.locator('[data-field="empty"]').waitFor();
  await page.close();
});

test('the page says it is reconnecting while Lurk is down, and is live again once it is back', async () => {
  const { page } = await e.openPage();
  await page.goto(`${e.base}/mood`);
  await page.locator('[data-connection="live"]').waitFor();
  e.lurk.child.kill('SIGTERM');
  await e.lurk.exited;
  await page.locator('[data-connection="reconnecting"]').waitFor();
  assert.equal(await page.locator('[data-connection]').textContent(), 'reconnecting…');
  e.lurk = startLurk(['start'], { ...ENV, PORT: new URL(e.base).port, DATABASE_URL: e.db.url });
  await page.locator('[data-connection="live"]').waitFor({ timeout: 60_000 });
  await page.close();
});
