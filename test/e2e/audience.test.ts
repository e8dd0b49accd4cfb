// The Audience page in Chromium against `lurk start` and its built-in simulator: the empty state,
// an unknown login refused by name, two live channels added through the box and listed, a raid
// triggered between them showing up in the raids list and in the raided channel's Sankey by the
// page's own refresh (no reload), the community map drawn on a canvas whose node opens its
// channel, the CSV links, and a channel removed again.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { AudienceChannelsResponse, MapResponse } from '../../src/audience/types.js';
import type { StreamDetail } from '../../src/discover/types.js';
import type { StatusSnapshot } from '../../src/status/types.js';
import { waitFor } from '../helpers/app.js';
import { startLurkInBrowser, type LurkInBrowser } from '../helpers/e2e.js';

/**
 * Presences that start this soon after a channel is watched are its baseline, never the arriving
 * half of a move (engine.ts, warmupMs's default): the raid waits for it, with a margin.
 */
const WARMUP_MS = 120_000 + 30_000;

// ten simulated seconds a second; no top-N channels, so the watched set is only what the test adds
const ENV = { LURK_API_RATE_LIMIT: '0', LURK_SIM_SPEED: '10', LURK_AUDIENCE_TOP: '0' };

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

/** the stream of `login` as Lurk's Discover sweep saw it (its user id for the simulator's trigger), once it has */
async function liveStream(login: string): Promise<StreamDetail['stream'] | undefined> {
  const res = await fetch(`${e.base}/api/streams/by-login/${login}`);
  return res.ok ? ((await res.json()) as StreamDetail).stream : undefined;
}

/**
 * Two live channels under 1,000 viewers (rooms whose JOIN/PART Lurk gets) with the most chat, as
 * the simulator's truth says, that Lurk's sweep has seen live: a busy audience for the raid to carry.
 */
async function twoLiveChannels(): Promise<[{ login: string; id: string }, { login: string; id: string }]> {
  return waitFor(
    'two live simulated channels with chat',
    async () => {
      const body = (await (await fetch(`${sim}/truth/messages?limit=1000000`)).json()) as { messages: { channel: string; at: string }[] };
      const first = Math.min(...body.messages.map((m) => Date.parse(m.at)));
      const seconds = (Math.max(...body.messages.map((m) => Date.parse(m.at))) - first) / 1000;
      if (!(seconds >= 30)) return undefined;
      const counts = new Map<string, number>();
      for (const m of body.messages) counts.set(m.channel, (counts.get(m.channel) ?? 0) + 1);
      const busiest = [...counts].filter(([, n]) => n / seconds >= 0.2).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      const found: { login: string; id: string }[] = [];
      for (const [login] of busiest) {
        const stream = await liveStream(login);
        if (stream && stream.viewer_count < 1000) found.push({ login, id: stream.user_id });
        if (found.length === 2) return [found[0]!, found[1]!] as [{ login: string; id: string }, { login: string; id: string }];
      }
      return undefined;
    },
    120_000,
    1000,
  );
}

const row = (page: Page, login: string) => page.locator(`table[data-field="channels"] tr[data-channel="${login}"]`);

/** every CSV link on the page answers 200 text/csv */
async function csvLinksWork(page: Page): Promise<number> {
  const hrefs = await page.locator('a[data-format="csv"]').evaluateAll((els) => els.map((el) => el.getAttribute('href') ?? ''));
  for (const href of hrefs) {
    const res = await fetch(`${e.base}${href}`);
    assert.equal(res.status, 200, `${href} answered ${res.status}`);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv/, href);
    await res.body?.cancel();
  }
  return hrefs.length;
}

test('with no channel watched the page says how to watch one, and how the map comes to be', async () => {
  const { page, errors } = await e.openPage();
  await page.goto(`${e.base}/audience`);
  // the app names the page once it has rendered it
  await page.waitForFunction("document.title === 'Audience · Lurk'");
  assert.equal(await page.locator('nav a[aria-current="page"]').textContent(), 'Audience');
  assert.deepEqual(await page.locator('nav a').allTextContents(), ['Discover', 'Watch time', 'Mood', 'Audience', 'Live', 'Status']);
  const empty = page.locator('[data-field="empty"]');
  await empty.waitFor();
  assert.match((await empty.textContent()) ?? '', /No channels watched yet/);
  assert.match((await empty.textContent()) ?? '', /LURK_AUDIENCE_TOP/);
  assert.ok(await page.getByRole('textbox', { name: 'Watch channels' }).isVisible());
  await page.locator('[data-field="map-empty"]').waitFor();
  // the small print says what the figures are made of
  const explained = (await page.locator('[data-field="explained"]').textContent()) ?? '';
  assert.match(explained, /JOIN\/PART/);
  assert.match(explained, /1,000 users/);
  assert.match(explained, /raids/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('an unknown login typed into the box is refused, naming it, and a path that is no login says so', async () => {
  const { page, errors } = await e.openPage();
  await page.goto(`${e.base}/audience`);
  await page.locator('[data-field="empty"]').waitFor();
  await page.getByRole('textbox', { name: 'Watch channels' }).fill('no_such_channel_zz9');
  await page.getByRole('button', { name: 'Watch', exact: true }).click();
  const alert = page.locator('[data-field="add-error"]');
  await alert.waitFor();
  assert.match((await alert.textContent()) ?? '', /no_such_channel_zz9/);
  assert.equal(await page.getByRole('textbox', { name: 'Watch channels' }).getAttribute('aria-invalid'), 'true');
  assert.equal((await e.api<AudienceChannelsResponse>('/api/audience/channels')).channels.length, 0);
  assert.equal(await page.locator('table[data-field="channels"] tbody tr').count(), 0);
  // markup in the address is shown as text, never run
  await page.goto(`${e.base}/audience/${encodeURIComponent('<img src=x onerror=alert(1)>')}`);
  const notice = page.locator('[data-field="error"]');
  await notice.waitFor();
  assert.match((await notice.textContent()) ?? '', /<img src=x onerror=alert\(1\)> ?” is not a Twitch login/);
  assert.equal(await page.locator('main img').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('two live channels added through the box are listed; a raid between them reaches the raids and the Sankey without a reload; a node of the map opens its channel', async () => {
  const [a, b] = await twoLiveChannels();
  const overview = await e.openPage();
  const page = overview.page;
  let loads = 0;
  page.on('load', () => loads++);
  await page.goto(`${e.base}/audience`);
  await page.getByRole('textbox', { name: 'Watch channels' }).fill(`  ${a.login.toUpperCase()}, ${b.login} `);
  await page.getByRole('button', { name: 'Watch', exact: true }).click();

  // both listed, live, their chat joined; the box empties
  await row(page, a.login).waitFor();
  await row(page, b.login).waitFor();
  assert.equal(await page.getByRole('textbox', { name: 'Watch channels' }).inputValue(), '');
  for (const c of [a, b]) {
    assert.match((await row(page, c.login).locator('[data-field="sources"]').textContent()) ?? '', /added here/);
    await waitFor(`${c.login}'s chat to be joined`, async () => ((await row(page, c.login).locator('[data-field="chat-state"]').textContent()) === 'chat joined' ? true : undefined), 60_000, 250);
    await waitFor(`${c.login} shown live`, async () => ((await row(page, c.login).locator('[data-field="live"]').textContent()) === 'live' ? true : undefined), 60_000, 250);
    assert.match((await row(page, c.login).locator('[data-field="membership"]').textContent()) ?? '', /^(yes|no)$/);
  }
  // users seen in the raider's room before the raid, so its raiders can be recognised in the other
  await waitFor(
    `users present in ${a.login}`,
    async () => (Number((await row(page, a.login).locator('[data-field="present"]').textContent())?.replace(/\D/g, '')) > 0 ? true : undefined),
    120_000,
    500,
  );

  // past both channels' warm-up on Lurk's clock, so the raiders arriving in B are moves
  await waitFor(
    "the channels' warm-up",
    async () => {
      const [status, list] = await Promise.all([e.api<StatusSnapshot>('/api/status'), e.api<AudienceChannelsResponse>('/api/audience/channels')]);
      return list.channels.length === 2 && list.channels.every((c) => status.now - Date.parse(c.added_at) >= WARMUP_MS) ? true : undefined;
    },
    120_000,
    500,
  );

  // the raided channel's view, open before the raid
  const view = await e.openPage();
  let viewLoads = 0;
  view.page.on('load', () => viewLoads++);
  await view.page.goto(`${e.base}/audience/${b.login}`);
  assert.equal(await view.page.locator('h1').textContent(), b.login);
  await view.page.locator('[data-field="now"]').waitFor();
  await view.page.locator('[data-field="sankey"], [data-field="sankey-empty"]').first().waitFor();

  const raid = await fetch(`${sim}/trigger`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'channel.raid', broadcaster_user_id: a.id, to_broadcaster_user_id: b.id }),
  });
  assert.equal(raid.status, 200, await raid.clone().text());

  // the overview's raids list, by its refresh
  const raidRow = page.locator(`[data-field="raids"] tr[data-from="${a.login}"][data-to="${b.login}"]`);
  await raidRow.waitFor({ timeout: 120_000 });
  assert.ok(Number((await raidRow.locator('[data-field="raid-viewers"]').textContent())?.replace(/\D/g, '')) > 0, 'the raid carried viewers');

  // the raided channel's Sankey: a raid link from the raider, and the same figures in its table
  const fromRaider = view.page.locator(`[data-field="flows-in"] tr[data-channel="${a.login}"]`);
  try {
    await waitFor(`raid moves from ${a.login} in ${b.login}'s flows`, async () => (Number(await fromRaider.getAttribute('data-raid', { timeout: 1000 })) > 0 ? true : undefined), 180_000, 500);
  } catch (err) {
    // what the API said, to tell the page from the figures
    const said = await Promise.all(
      [`/api/audience/flows?channel=${b.login}&direction=in`, `/api/audience/raids?channel=${b.login}`, '/api/audience/channels'].map(
        async (u) => `${u}: ${await (await fetch(`${e.base}${u}`)).text()}`,
      ),
    );
    throw new Error(`${(err as Error).message}\n${said.join('\n')}`);
  }
  const sankey = view.page.locator('[data-field="sankey"]');
  await sankey.locator('canvas').first().waitFor();
  assert.ok(((await sankey.getAttribute('data-raid-links')) ?? '').split('|').includes(`${a.login} →>● ${b.login}`), 'the raid is a raid-coloured link into the channel');
  await view.page.locator(`[data-field="raids"] tr[data-from="${a.login}"][data-to="${b.login}"]`).waitFor({ timeout: 60_000 });
  // the week's period asks again, and keeps the raid
  await view.page.getByRole('group', { name: 'Period', exact: true }).getByRole('button', { name: '7 d', exact: true }).click();
  await waitFor(
    'the 7-day flows',
    async () =>
      (await view.page.getByRole('button', { name: '7 d', exact: true }).getAttribute('aria-pressed')) === 'true' && Number(await fromRaider.getAttribute('data-raid', { timeout: 1000 })) > 0
        ? true
        : undefined,
    30_000,
    250,
  );
  // similar channels for each period answer (figures or their empty state)
  for (const days of ['1 day', '3 days', '7 days']) {
    await view.page.getByRole('group', { name: 'Overlap period' }).getByRole('button', { name: days, exact: true }).click();
    await view.page.locator('[data-field="overlap-summary"]').waitFor();
  }
  assert.ok((await csvLinksWork(view.page)) >= 4, 'the channel view links its CSVs');
  assert.equal(viewLoads, 1, 'the view moved by its own refresh, no reload');
  assert.deepEqual(view.errors, []);
  await view.page.close();

  // the community map: a canvas with the watched channels as nodes; a node opens its channel
  const map = await waitFor(
    'a community map',
    async () => {
      const res = await fetch(`${e.base}/api/audience/map`);
      return res.ok ? ((await res.json()) as MapResponse) : undefined;
    },
    180_000,
    1000,
  );
  assert.ok(map.nodes.length > 0, 'the map has nodes');
  const figure = page.locator('[data-field="map"]');
  await figure.locator('canvas').first().waitFor({ timeout: 60_000 });
  const placed = await waitFor(
    'the map drawn with its nodes',
    async () => {
      const at = JSON.parse((await figure.getAttribute('data-node-at', { timeout: 1000 })) ?? '[]') as [string, number, number][];
      return at.length > 0 ? at : undefined;
    },
    60_000,
    250,
  );
  assert.equal(Number(await figure.getAttribute('data-nodes')), placed.length);
  const [name, x, y] = placed.find(([n]) => n === b.login) ?? placed[0]!;
  await figure.locator('canvas').first().click({ position: { x, y } });
  await page.waitForURL((u) => u.pathname === `/audience/${name}`);
  await page.locator('h1', { hasText: name }).waitFor();
  assert.ok((await csvLinksWork(page)) >= 1);

  // back to the list, the box's channel can be removed there
  await page.getByRole('link', { name: '← All channels' }).click();
  await row(page, a.login).waitFor();
  assert.ok((await csvLinksWork(page)) >= 3, 'the overview links its CSVs');
  await row(page, a.login)
    .getByRole('button', { name: `Stop watching ${a.login}` })
    .click();
  await row(page, a.login).waitFor({ state: 'detached' });
  assert.equal(await row(page, b.login).count(), 1);
  assert.equal(loads, 1, "everything arrived by the page's own requests, no reload");
  assert.deepEqual(overview.errors, []);
  await page.close();
});
