// The Live pages in Chromium against `lurk start` and its built-in simulator: the way in, a login
// through the simulator's consent page as a live broadcaster allowing follows, subs and cheers, a
// favourite added in capitals, its stream page with a follow, a sub, a gift, a cheer and a raid
// triggered in the simulator each appearing once with no reload; filters, pause with "N new",
// acknowledge one (seen by a second tab), mark all read, replay, clear view (kept over a reload),
// the CSV, the OBS overlay with a new event and a rotated key, and the socket coming back after
// Lurk restarts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { StreamDetail } from '../../src/discover/types.js';
import type { StatusSnapshot } from '../../src/status/types.js';
import { waitFor } from '../helpers/app.js';
import { startLurkInBrowser, type LurkInBrowser } from '../helpers/e2e.js';
import { startLurk } from '../helpers/process.js';

const ENV = { LURK_API_RATE_LIMIT: '0' };

interface Channel {
  login: string;
  id: string;
  name: string;
}

/** a simulated world event as /_sim/truth/events lists it */
interface TruthEvent {
  id: string;
  type: string;
  at: string;
  broadcaster: { id: string; login: string; name: string };
  user?: { id: string; login: string; name: string };
  to_broadcaster?: { id: string; login: string; name: string };
  tier?: string;
  bits?: number;
  viewers?: number;
  is_gift?: boolean;
  total?: number;
  anonymous?: boolean;
  cumulative_months?: number;
}

let e: LurkInBrowser;
let sim: string;
/** the broadcaster who logs in, and the channel that raids them */
let ours: Channel;
let raider: Channel;
/** the logged-in browser: its cookies are the session */
let context: BrowserContext;
let page: Page;
const errors: string[] = [];
let loads = 0;

before(async () => {
  e = await startLurkInBrowser(ENV, { readyTimeoutMs: 30_000 });
  const status = await e.api<StatusSnapshot>('/api/status');
  assert.ok(status.simulator, 'Lurk runs its built-in simulator');
  sim = `http://127.0.0.1:${status.simulator.ports.http}/_sim`;
});

after(async () => {
  await context?.close().catch(() => {});
  await e?.stop();
});

/** the stream of `login` as Lurk's Discover sweep saw it, once it has */
async function liveStream(login: string): Promise<StreamDetail['stream'] | undefined> {
  const res = await fetch(`${e.base}/api/streams/by-login/${login}`);
  return res.ok ? ((await res.json()) as StreamDetail).stream : undefined;
}

/** two live channels with people watching and chatting (a sub or a cheer needs a viewer), the smaller first: few events of their own meanwhile */
async function twoLiveChannels(): Promise<[Channel, Channel]> {
  return waitFor(
    'two live simulated channels with chat',
    async () => {
      const body = (await (await fetch(`${sim}/truth/messages?limit=1000000`)).json()) as { messages: { channel: string; at: string }[] };
      const first = Math.min(...body.messages.map((m) => Date.parse(m.at)));
      const seconds = (Math.max(...body.messages.map((m) => Date.parse(m.at))) - first) / 1000;
      if (!(seconds >= 20)) return undefined;
      const counts = new Map<string, number>();
      for (const m of body.messages) counts.set(m.channel, (counts.get(m.channel) ?? 0) + 1);
      const found: (Channel & { viewers: number })[] = [];
      for (const [login, n] of [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
        if (n / seconds < 0.05) continue;
        const stream = await liveStream(login);
        if (stream && stream.viewer_count > 0 && stream.viewer_count < 1000) found.push({ login, id: stream.user_id, name: stream.user_name, viewers: stream.viewer_count });
        if (found.length === 2) {
          found.sort((a, b) => a.viewers - b.viewers);
          return [found[0]!, found[1]!] as [Channel, Channel];
        }
      }
      return undefined;
    },
    120_000,
    1000,
  );
}

/**
 * Makes `type` happen in the simulator; the event it made as the simulator's truth lists it, or
 * undefined when it made another kind (a sub trigger may come out as a resub or a gift bomb, and
 * the trigger then names an older event). The world's clock moves in whole seconds, so the
 * event is told from others of the same instant by its id.
 */
async function trigger(type: string, broadcaster: Channel, to?: Channel): Promise<TruthEvent | undefined> {
  const res = await fetch(`${sim}/trigger`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type, broadcaster_user_id: broadcaster.id, ...(to ? { to_broadcaster_user_id: to.id } : {}) }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const { at, event_id } = (await res.json()) as { at: string; event_id: string | null };
  const until = new Date(Date.parse(at) + 1).toISOString();
  const truth = (await (await fetch(`${sim}/truth/events?from=${encodeURIComponent(at)}&to=${encodeURIComponent(until)}&limit=100000`)).json()) as { events: TruthEvent[] };
  return truth.events.find((x) => x.id === event_id && x.type === type && x.broadcaster.id === broadcaster.id && (!to || x.to_broadcaster?.id === to.id));
}

/** a trigger that must make its own kind of event (follows, cheers and raids always do) */
async function triggered(type: string, broadcaster: Channel, to?: Channel): Promise<TruthEvent & { user: NonNullable<TruthEvent['user']> }> {
  const made = await trigger(type, broadcaster, to);
  assert.ok(made?.user, `${type} made an event with its user`);
  return made as TruthEvent & { user: NonNullable<TruthEvent['user']> };
}

/** triggers `type` until it makes an event `wanted` picks (the simulator draws sub, resub or gift bomb at random) */
async function triggerUntil(type: string, wanted: (x: TruthEvent) => boolean): Promise<TruthEvent & { user: NonNullable<TruthEvent['user']> }> {
  for (let i = 0; i < 150; i++) {
    const made = await trigger(type, ours);
    if (made?.user && wanted(made)) return made as TruthEvent & { user: NonNullable<TruthEvent['user']> };
  }
  throw new Error(`150 ${type} triggers made no event of the kind wanted`);
}

/** the feed's items of one type by one user (the user's login; '' for none) */
const items = (p: Page, type: string, user: string) => p.locator(`ol[data-field="events"] li[data-type="${type}"][data-user="${user}"]`);

/** the ids of every event the feed shows */
async function ids(p: Page): Promise<number[]> {
  return p.locator('ol[data-field="events"] li[data-event-id]').evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-event-id'))));
}

async function count(p: Page, type: string, user: string): Promise<number> {
  return items(p, type, user).count();
}

/** waits until the feed shows exactly `n` such items */
async function shows(p: Page, type: string, user: string, n = 1): Promise<void> {
  try {
    await waitFor(`${n} ${type} of ${user || 'nobody'} in the feed`, async () => ((await count(p, type, user)) === n ? true : undefined), 60_000, 100);
  } catch (err) {
    throw new Error(`${(err as Error).message}; the feed shows ${await feedText(p)}`);
  }
}

/** what the feed shows, for a failure's message */
async function feedText(p: Page): Promise<string> {
  const listed = await p
    .locator('ol[data-field="events"] li')
    .evaluateAll((els) => els.map((el) => `#${el.getAttribute('data-event-id')} ${el.getAttribute('data-type')} ${el.getAttribute('data-user')}`));
  return JSON.stringify(listed);
}

/** the simulator's clock (world time is not the machine's) */
async function worldNow(): Promise<number> {
  return ((await (await fetch(`${sim}/world`)).json()) as { time_ms: number }).time_ms;
}

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const mixedCase = (login: string) => [...login].map((c, i) => (i % 2 === 0 ? c.toUpperCase() : c)).join('');

/** the triggered events, each with the feed item it became */
const seen: { type: string; user: string; text: RegExp }[] = [];

test('logged out, /live says what Live does and offers the login, through the simulator’s consent page', async () => {
  const { page: p, errors: errs } = await e.openPage();
  await p.goto(`${e.base}/live`);
  await p.waitForFunction("document.title === 'Live · Lurk'");
  assert.deepEqual(await p.locator('nav a').allTextContents(), ['Discover', 'Watch time', 'Mood', 'Audience', 'Live', 'Status']);
  assert.equal(await p.locator('nav a[aria-current="page"]').textContent(), 'Live');
  const login = p.getByRole('link', { name: 'Log in with Twitch' });
  await login.waitFor();
  assert.equal(await login.getAttribute('href'), '/auth/login?return=%2Flive');
  assert.match((await p.locator('[data-field="logged-out"]').textContent()) ?? '', /follows, subs, resubs, gifts, cheers and raids/);
  assert.match((await p.locator('[data-field="login-note"]').textContent()) ?? '', /simulator’s consent page/);
  // ticking features asks for them in the same login
  await p.locator('input[data-feature="follows"]').check();
  await p.locator('input[data-feature="cheers"]').check();
  assert.equal(await login.getAttribute('href'), '/auth/login?features=follows%2Ccheers&return=%2Flive');
  // a stream page asks for the login too, and comes back to itself
  await p.goto(`${e.base}/live/somebody`);
  assert.equal(await p.getByRole('link', { name: 'Log in with Twitch' }).getAttribute('href'), '/auth/login?return=%2Flive%2Fsomebody');
  assert.deepEqual(errs, []);
  await p.close();
});

test('a live broadcaster logs in through the consent page allowing follows, subs and cheers, and adds their channel typed in capitals', async () => {
  [ours, raider] = await twoLiveChannels();
  // a context of its own: a second tab shares its session (a page from browser.newPage() cannot have one)
  context = await e.browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  page = await context.newPage();
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${e.base}/live`);
  for (const f of ['follows', 'subs', 'cheers']) await page.locator(`input[data-feature="${f}"]`).check();
  await page.getByRole('link', { name: 'Log in with Twitch' }).click();

  // the simulator's consent page, asking for the three scopes
  await page.waitForURL((u) => u.port !== new URL(e.base).port && u.pathname.endsWith('/authorize'));
  const asked = await page.locator('li code').allTextContents();
  for (const scope of ['moderator:read:followers', 'channel:read:subscriptions', 'bits:read']) assert.ok(asked.includes(scope), `the consent page asks for ${scope}: ${asked}`);
  await page.locator('input[name="login"]').fill(ours.login);
  await page.getByRole('button', { name: 'Authorize' }).click();

  // back on /live, logged in
  await page.waitForURL(`${e.base}/live`);
  await page.locator(`[data-field="me"][data-login="${ours.login}"]`).waitFor();
  assert.equal(await page.locator('[data-field="me-name"]').textContent(), ours.name);
  for (const f of ['follows', 'subs', 'cheers']) assert.equal(await page.locator(`[data-feature="${f}"]`).getAttribute('data-allowed'), 'true', f);
  assert.equal(await page.locator('[data-feature="moderation"]').getAttribute('data-allowed'), 'false');
  assert.match((await page.locator('[data-feature="follows"]').textContent()) ?? '', /Follows need the streamer or a moderator to log in to Lurk/);
  assert.match((await page.getByRole('link', { name: 'Allow Channels you moderate' }).getAttribute('href')) ?? '', /^\/auth\/login\?features=moderation&return=%2Flive$/);
  await page.locator('[data-field="no-favourites"]').waitFor();

  // a login Twitch could not have is refused before asking Lurk
  const box = page.getByRole('textbox', { name: 'Add a favourite streamer' });
  await box.fill('not a login!');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.locator('[data-field="add-error"]').waitFor();
  assert.equal(await box.getAttribute('aria-invalid'), 'true');

  // two favourites, ours typed in capitals; reordered with the buttons
  await box.fill(`  ${mixedCase(ours.login)} `);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.locator(`li[data-favourite="${ours.login}"]`).waitFor();
  assert.equal(await box.inputValue(), '');
  await box.fill(raider.login.toUpperCase());
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.locator(`li[data-favourite="${raider.login}"]`).waitFor();
  const order = () => page.locator('li[data-favourite]').evaluateAll((els) => els.map((el) => el.getAttribute('data-favourite')));
  assert.deepEqual(await order(), [ours.login, raider.login]);
  await page.getByRole('button', { name: `Move ${raider.name} up` }).click();
  await waitFor('the favourites reordered', async () => ((await order())[0] === raider.login ? true : undefined));
  // the keyboard: the focus stays on the moved row, Enter moves it back
  await page.getByRole('button', { name: `Move ${raider.name} down` }).focus();
  await page.keyboard.press('Enter');
  await waitFor('the favourites reordered back', async () => ((await order())[0] === ours.login ? true : undefined));
  const favs = (await (await context.request.get(`${e.base}/api/live/favourites`)).json()) as { favourites: { login: string }[] };
  assert.deepEqual(
    favs.favourites.map((f) => f.login),
    [ours.login, raider.login],
  );
  assert.deepEqual(errors, []);
});

test('its stream page: the simulator panel, what the feed can show, and each triggered event once with no reload', async () => {
  page.on('load', () => loads++);
  await page.locator(`li[data-favourite="${ours.login}"] a`).click();
  await page.waitForURL(`${e.base}/live/${ours.login}`);
  await page.waitForFunction("document.title === 'Live · Lurk'");
  await page.locator('[data-field="feed"][data-connection="live"]').waitFor();
  await page.locator('[data-field="simulated"]').waitFor();
  assert.equal(await page.locator('iframe').count(), 0, 'no Twitch player or chat embed in simulator mode');
  assert.equal(await page.locator('h1').textContent(), ours.name);
  // follows come through EventSub: the broadcaster allowed them
  const follow = page.locator('[data-field="availability"] li[data-type="follow"]');
  assert.equal(await follow.getAttribute('data-available'), 'true');
  assert.match((await follow.textContent()) ?? '', /EventSub/);
  assert.equal(await page.locator('[data-field="availability"] li[data-type="raid"]').getAttribute('data-available'), 'true');
  loads = 0;

  const followed = await triggered('channel.follow', ours);
  assert.ok(followed?.user, 'the follow has a follower');
  await shows(page, 'follow', followed.user.login);
  seen.push({ type: 'follow', user: followed.user.login, text: new RegExp(`^${literal(followed.user.name)} followed`) });

  const sub = await triggerUntil('channel.subscribe', (x) => !x.is_gift);
  await shows(page, 'sub', sub.user.login);
  seen.push({ type: 'sub', user: sub.user.login, text: new RegExp(`^${literal(sub.user.name)} subscribed \\(Tier ${Number(sub.tier) / 1000}\\)`) });

  const gift = await triggerUntil('channel.subscription.gift', (x) => !x.anonymous);
  await shows(page, 'gift', gift.user.login);
  seen.push({ type: 'gift', user: gift.user.login, text: new RegExp(`^${literal(gift.user.name)} gifted ${gift.total} subs?`) });

  const cheer = await triggerUntil('channel.cheer', (x) => !x.anonymous);
  await shows(page, 'cheer', cheer.user.login);
  seen.push({ type: 'cheer', user: cheer.user.login, text: new RegExp(`^${literal(cheer.user.name)} cheered ${cheer.bits!.toLocaleString('en-US')} bits?`) });

  // the raid comes from the other live channel, into ours
  const raid = await trigger('channel.raid', raider, ours);
  assert.ok(raid, 'the raid happened');
  await shows(page, 'raid', raider.login);
  seen.push({ type: 'raid', user: raider.login, text: new RegExp(`^${literal(raider.name)} raided with ${raid.viewers!.toLocaleString('en-US')} viewers?`) });

  // once each, in words, with its sources; nothing reloaded
  for (const s of seen) {
    assert.equal(await count(page, s.type, s.user), 1, `${s.type} of ${s.user} once`);
    const item = items(page, s.type, s.user);
    assert.match((await item.locator('[data-field="what"]').textContent()) ?? '', s.text);
    assert.match((await item.locator('[data-field="sources"]').textContent()) ?? '', /EventSub|chat/);
  }
  const cheerMessage = (await items(page, 'cheer', cheer.user.login).locator('[data-field="message"]').textContent()) ?? '';
  assert.match(cheerMessage, /Cheer\d+/);
  assert.equal(loads, 0, 'the events came over the socket, no reload');
  assert.deepEqual(errors, []);
});

test('filters hide and show a type; pause keeps new events aside behind "N new" until resumed', async () => {
  const [first] = seen;
  const filter = page.locator('input[type="checkbox"][data-type="follow"]');
  await filter.uncheck();
  await shows(page, 'follow', first!.user, 0);
  assert.equal(await count(page, 'cheer', seen[3]!.user), 1, 'the other types stay');
  await filter.check();
  await shows(page, 'follow', first!.user, 1);

  await page.getByRole('button', { name: 'Pause' }).click();
  const waiting = page.locator('[data-field="new-count"]');
  await waiting.waitFor();
  assert.equal(await waiting.textContent(), 'Paused: nothing new');
  const pausedAt = await worldNow();
  const followed = await triggered('channel.follow', ours);
  await waitFor('the new follow counted while paused', async () => (Number(await waiting.getAttribute('data-count')) >= 1 ? true : undefined), 60_000, 100);
  assert.equal(await count(page, 'follow', followed.user.login), 0, `not shown while paused; the feed shows ${await feedText(page)}`);
  const n = Number(await waiting.getAttribute('data-count'));
  assert.equal(await waiting.textContent(), `${n} new`);
  // exactly one, unless the simulated channel had events of its own meanwhile
  const meanwhile = (await (await fetch(`${sim}/truth/events?from=${new Date(pausedAt).toISOString()}&limit=100000`)).json()) as { events: TruthEvent[] };
  const others = meanwhile.events.filter((x) => (x.broadcaster.id === ours.id || x.to_broadcaster?.id === ours.id) && x.user?.login !== followed.user.login);
  if (others.length === 0) assert.equal(n, 1);
  await waiting.click();
  await shows(page, 'follow', followed.user.login);
  assert.equal(await page.locator('[data-field="new-count"]').count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Pause' }).getAttribute('aria-pressed'), 'false');
  seen.push({ type: 'follow', user: followed.user.login, text: new RegExp(`^${literal(followed.user.name)} followed`) });
  assert.equal(loads, 0);
});

test('acknowledging one is seen by a second tab; mark all read; replay re-animates the event', async () => {
  const other = await context.newPage();
  other.on('pageerror', (err) => errors.push(err.message));
  await other.goto(`${e.base}/live/${ours.login}`);
  await other.locator('[data-field="feed"][data-connection="live"]').waitFor();
  const [follow, , , cheer] = seen;
  await shows(other, 'follow', follow!.user);

  const item = items(page, 'follow', follow!.user);
  assert.equal(await item.getAttribute('data-read'), 'false');
  await item.getByRole('button', { name: /^Mark read/ }).click();
  await page.locator(`ol[data-field="events"] li[data-type="follow"][data-user="${follow!.user}"][data-read="true"]`).waitFor();
  assert.equal(await item.locator('[data-field="read-by"]').textContent(), `read by ${ours.login}`);
  // the read state is shared: the other tab marks it too, from the socket
  await other.locator(`ol[data-field="events"] li[data-type="follow"][data-user="${follow!.user}"][data-read="true"]`).waitFor();
  assert.equal(await items(other, 'cheer', cheer!.user).getAttribute('data-read'), 'false');

  // every event on screen when clicked (the simulated channel may bring one of its own meanwhile)
  const listed = await ids(page);
  await page.getByRole('button', { name: 'Mark all read' }).click();
  for (const p of [page, other]) {
    await waitFor(
      'every event read',
      async () => {
        const unread = await p.locator('ol[data-field="events"] li[data-read="false"]').evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-event-id'))));
        return unread.every((id) => !listed.includes(id)) ? true : undefined;
      },
      30_000,
      100,
    );
  }
  if ((await ids(page)).length === listed.length) assert.equal(await page.locator('[data-field="unread-count"]').textContent(), 'all read');

  const cheerItem = items(page, 'cheer', cheer!.user);
  assert.equal(await cheerItem.getAttribute('data-replays'), '0');
  await cheerItem.getByRole('button', { name: /^Replay/ }).click();
  for (const p of [page, other]) await p.locator(`ol[data-field="events"] li[data-type="cheer"][data-user="${cheer!.user}"][data-replays="1"]`).waitFor();
  assert.equal(await count(page, 'cheer', cheer!.user), 1, 'a replay is not a new event');
  await other.close();
  assert.equal(loads, 0);
  assert.deepEqual(errors, []);
});

test('older events page in; the CSV of the feed; the overlay: transparent, showing a new event; a new URL retires the old one', async () => {
  // the page opened with the newest 50; "Older events" brings the rest, a page at a time, then goes
  const stored = (await (await context.request.get(`${e.base}/api/live/channels/${ours.login}/events?limit=500`)).json()) as { events: { id: number }[] };
  const older = page.locator('[data-field="older"]');
  while (await older.isVisible()) {
    const before = (await ids(page)).length;
    await older.click();
    await waitFor('an older page, or none left', async () => ((await ids(page)).length > before || !(await older.isVisible()) ? true : undefined), 30_000, 100);
  }
  const listed = await ids(page);
  for (const { id } of stored.events) assert.ok(listed.includes(id), `event #${id} is on the page once every older page is in`);
  assert.equal(new Set(listed).size, listed.length, 'no event twice');
  const csvHref = (await page.locator('a[data-format="csv"]').getAttribute('href')) ?? '';
  const csv = await context.request.get(`${e.base}${csvHref}`);
  assert.equal(csv.status(), 200, csvHref);
  assert.match(csv.headers()['content-type'] ?? '', /^text\/csv/);
  const text = await csv.text();
  for (const s of seen) assert.ok(text.includes(s.user), `the CSV has ${s.type} of ${s.user}`);

  const overlayUrl = await page.locator('[data-field="overlay-url"]').inputValue();
  assert.match(overlayUrl, /^http:\/\/127\.0\.0\.1:\d+\/overlay\/live\?/);
  const overlay = await e.openPage();
  await overlay.page.goto(overlayUrl);
  await overlay.page.locator('.live-overlay[data-connection="live"]').waitFor();
  const backgrounds = await overlay.page.evaluate<string[]>('[getComputedStyle(document.documentElement).backgroundColor, getComputedStyle(document.body).backgroundColor]');
  assert.deepEqual(backgrounds, ['rgba(0, 0, 0, 0)', 'rgba(0, 0, 0, 0)']);
  assert.equal(await overlay.page.locator('nav').count(), 0);
  const followed = await triggered('channel.follow', ours);
  const shown = overlay.page.locator(`li.live-ov-item[data-type="follow"][data-user="${followed.user.login}"]`);
  await shown.waitFor();
  assert.match((await shown.textContent()) ?? '', new RegExp(`^${literal(followed.user.name)} followed`));
  await shows(page, 'follow', followed.user.login);
  seen.push({ type: 'follow', user: followed.user.login, text: /followed/ });
  assert.deepEqual(overlay.errors, []);

  await page.getByRole('button', { name: 'New URL' }).click();
  await waitFor('a new overlay URL', async () => ((await page.locator('[data-field="overlay-url"]').inputValue()) !== overlayUrl ? true : undefined));
  await overlay.page.reload();
  await overlay.page.locator('.live-overlay-message[data-field="error"]').waitFor();
  await overlay.page.close();
  assert.equal(loads, 0);
});

test('clear view empties the feed and stays cleared over a reload; newer events still come', async () => {
  const before = Math.max(...(await ids(page)));
  await page.getByRole('button', { name: 'Clear view' }).click();
  // nothing up to the clear is left (the simulated channel may bring an event of its own after it)
  await waitFor('the view cleared', async () => ((await ids(page)).every((id) => id > before) ? true : undefined), 30_000, 100);
  if ((await ids(page)).length === 0) await page.locator('[data-field="no-events"]').waitFor();
  await page.reload();
  await page.locator('[data-field="feed"][data-connection="live"]').waitFor();
  await page.locator('[data-field="no-events"], ol[data-field="events"]').first().waitFor();
  assert.deepEqual(
    (await ids(page)).filter((id) => id <= before),
    [],
    'still cleared after a reload',
  );
  const followed = await triggered('channel.follow', ours);
  await shows(page, 'follow', followed.user.login);
  for (const s of seen) assert.equal(await count(page, s.type, s.user), 0, `${s.type} of ${s.user} stays cleared`);
  assert.deepEqual(errors, []);
});

test('the stream page reconnects once Lurk is back after a restart', async () => {
  e.lurk.child.kill('SIGTERM');
  await e.lurk.exited;
  await page.locator('[data-field="feed"][data-connection="reconnecting"]').waitFor();
  e.lurk = startLurk(['start'], { ...ENV, PORT: new URL(e.base).port, DATABASE_URL: e.db.url });
  await page.locator('[data-field="feed"][data-connection="live"]').waitFor({ timeout: 60_000 });
  // the session lives in the database: still logged in, the cleared view still cleared
  await page.locator('[data-field="no-events"], ol[data-field="events"]').first().waitFor();
  for (const s of seen) assert.equal(await count(page, s.type, s.user), 0);
});
