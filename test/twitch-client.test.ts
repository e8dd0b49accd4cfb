import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../src/core/clock.js';
import type { Simulator } from '../src/sim/index.js';
import { AppTokenProvider } from '../src/twitch/app-token.js';
import { HelixBudget } from '../src/twitch/budget.js';
import { HelixClient, HelixRequestError, buildQuery } from '../src/twitch/helix-client.js';
import { simulatorEndpoints } from '../src/twitch/endpoints.js';
import { parseStreamsPage } from '../src/twitch/helix.external.js';
import { waitFor } from './helpers/app.js';
import { credentials, startSimulator } from './helpers/sim.js';

let sim: Simulator;

before(async () => {
  // a two-second rate-limit window keeps the waits in these tests short
  sim = await startSimulator({ channels: 800, live: 200, rateLimitPerMinute: 30, rateLimitWindowMs: 2000 });
});
after(async () => {
  await sim.stop();
});

function client(budget = new HelixBudget({ limit: 30 })) {
  const endpoints = simulatorEndpoints(sim.address);
  const tokens = new AppTokenProvider({ ...credentials(sim), oauth: endpoints.oauth });
  return { budget, tokens, helix: new HelixClient({ base: endpoints.helix, tokens, budget, maxRetries: 20, backoffBaseMs: 50 }) };
}

async function allStreams(helix: HelixClient, first = 5): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = parseStreamsPage(await helix.get('streams', { first, after: cursor }, { priority: 'background' }));
    ids.push(...page.data.map((s) => s.id));
    cursor = page.pagination.cursor;
  } while (cursor);
  return ids;
}

describe('Helix client', () => {
  test("pages through more than a window's budget without a single 429", async () => {
    const { helix, budget } = client();
    const ids = await allStreams(helix);
    assert.equal(ids.length, 200);
    const stats = budget.stats();
    assert.equal(stats.rateLimited, 0);
    assert.ok(stats.waitedMs.background > 0, 'it waited for the window to reset');
    assert.equal(stats.taken.background, 40);
  });

  test('background work leaves the reserve to interactive callers', async () => {
    // time stands still: nothing refills the budget during the test
    const budget = new HelixBudget({ limit: 30, reserveShare: 0.2, clock: new ManualClock(1_000_000) });
    for (let i = 0; i < 24; i++) await budget.acquire('background');
    assert.equal(budget.stats().remaining, 6);
    const controller = new AbortController();
    let backgroundGot = false;
    const waiting = budget.acquire('background', controller.signal).then(() => (backgroundGot = true));
    await budget.acquire('interactive');
    await budget.acquire('normal');
    await new Promise((r) => setImmediate(r));
    assert.equal(backgroundGot, false, 'background waits at the reserve');
    assert.deepEqual(budget.stats().taken, { interactive: 1, normal: 1, background: 24 });
    controller.abort();
    await assert.rejects(waiting);
  });

  // bounded: a budget that slept on wall time instead would hold the test for the whole reset
  test('the budget waits on its own clock, and a reset announced beyond a window waits one window', { timeout: 10_000 }, async () => {
    const clock = new ManualClock(1_000_000);
    const onClock = new HelixBudget({ limit: 2, reserveShare: 0, clock }, () => 0);
    const headers = (remaining: number, resetS: number) => new Headers({ 'ratelimit-limit': '2', 'ratelimit-remaining': String(remaining), 'ratelimit-reset': String(resetS) });
    // the server says: bucket empty until 30 s from now on this clock
    onClock.observe(headers(0, 1_000 + 30), 200);
    let got = false;
    const waiting = onClock.acquire('normal').then(() => (got = true));
    await clock.advance(29_000);
    assert.equal(got, false, 'still before the reset');
    await clock.advance(1_000);
    await waiting;
    assert.equal(got, true, 'the reset on its clock released it');
    // a reset an hour away (a skewed or switched clock) holds callers for at most a window
    onClock.observe(headers(0, 1_030 + 3600), 200);
    let later = false;
    const held = onClock.acquire('normal').then(() => (later = true));
    await clock.advance(61_000);
    const releasedWithinAWindow = later;
    await clock.advance(3_600_000);
    await held;
    assert.equal(releasedWithinAWindow, true);
  });

  test('a revoked token is replaced and the call goes through', async () => {
    const { helix, tokens } = client();
    await helix.get('games/top', {}, { priority: 'normal' });
    const first = await tokens.get();
    await fetch(`${sim.address.httpUrl}/oauth2/revoke?client_id=${credentials(sim).clientId}&token=${first}`, { method: 'POST' });
    const body = await helix.get<{ data: unknown[] }>('games/top', {}, { priority: 'normal' });
    assert.ok(body.data.length > 0);
    assert.notEqual(await tokens.get(), first);
  });

  test('a 5xx storm is ridden out without losing a page', async () => {
    const { helix } = client();
    sim.faults = { ...sim.faults, rate5xx: 0.3 };
    try {
      const ids = await allStreams(helix, 10);
      assert.equal(new Set(ids).size, 200);
    } finally {
      sim.faults = { ...sim.faults, rate5xx: 0 };
    }
  });

  test('a 429 makes the client wait for the reset and try again', async () => {
    const { helix, budget } = client();
    sim.faults = { ...sim.faults, rate429: 1 };
    const call = helix.get<{ data: unknown[] }>('games/top', { first: 3 }, { priority: 'normal' });
    try {
      await waitFor('a 429', () => (budget.stats().rateLimited >= 1 ? true : undefined));
    } finally {
      sim.faults = { ...sim.faults, rate429: 0 };
    }
    assert.equal((await call).data.length, 3);
  });

  test('a request Twitch refuses is an error that names it, not a retry loop', async () => {
    const { helix } = client();
    await assert.rejects(helix.get('streams', { first: 500 }, { priority: 'normal' }), (err: unknown) => err instanceof HelixRequestError && err.status === 400 && /first/.test(err.message));
  });

  test('wrong credentials are reported clearly', async () => {
    const endpoints = simulatorEndpoints(sim.address);
    const tokens = new AppTokenProvider({ clientId: credentials(sim).clientId, clientSecret: 'wrong', oauth: endpoints.oauth });
    await assert.rejects(tokens.get(), /Twitch refused the app credentials \(403: invalid client secret\)/);
  });

  test('repeated query values are sent as Twitch expects', () => {
    assert.equal(buildQuery({ user_login: ['a', 'b'], first: 100, after: undefined }), '?user_login=a&user_login=b&first=100');
  });
});
