import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Simulator } from '../../src/sim/index.js';
import { moderatorsOf } from '../../src/sim/protocols/helix.js';
import { parseStreamsPage, type HelixStream } from '../../src/twitch/helix.external.js';
import { freePort, waitFor } from '../helpers/app.js';
import { ROOT } from '../helpers/process.js';
import { appToken, consentForm, credentials, startSimulator, submitConsent } from '../helpers/sim.js';

const openapi = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/twitch-helix-openapi.json'), 'utf8'));
// both packages are CommonJS with a default export
const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'helix', components: openapi.components });

function schemaFor(p: string): object {
  const content = openapi.paths[p].get.responses['200'].content['application/json'];
  return { $ref: `helix${content.schema.$ref}` };
}

function assertConforms(p: string, body: unknown) {
  const validate = ajv.compile(schemaFor(p));
  assert.ok(validate(body), `${p}: ${ajv.errorsText(validate.errors)}`);
}

let sim: Simulator;
let base: string;
let headers: Record<string, string>;

before(async () => {
  const port = await freePort();
  // twurple reads this to send Helix to /mock/*, OAuth to /auth/* on our port
  process.env.TWURPLE_MOCK_API_PORT = String(port);
  sim = await startSimulator({
    port,
    clients: [
      { clientId: 'lurktestclient0000000000000001', clientSecret: 'secretsecretsecretsecret000001' },
      { clientId: 'lurktestclient0000000000000002', clientSecret: 'secretsecretsecretsecret000002' },
    ],
    redirectUris: ['http://127.0.0.1:9/callback', 'http://127.0.0.1:9/cb'],
  });
  base = sim.address.httpUrl;
  headers = (await appToken(sim)).headers;
});

after(async () => {
  await sim.stop();
});

async function get(pathAndQuery: string, h = headers): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(base + pathAndQuery, { headers: h });
  return { status: res.status, body: await res.json().catch(() => undefined), headers: res.headers };
}

describe('twurple, unmodified', () => {
  test('ApiClient with an app token pages through every live stream and matches /_sim/world', async () => {
    const { ApiClient } = await import('@twurple/api');
    const { AppTokenAuthProvider } = await import('@twurple/auth');
    const { clientId, clientSecret } = credentials(sim);
    const api = new ApiClient({ authProvider: new AppTokenAuthProvider(clientId, clientSecret) });
    const streams = await api.streams.getStreamsPaginated().getAll();
    const world = (await (await fetch(`${base}/_sim/world`)).json()) as { live_channels: number };
    assert.equal(streams.length, world.live_channels);
    assert.equal(new Set(streams.map((s) => s.id)).size, streams.length, 'a stepped world does not drift between pages');
    for (let i = 1; i < streams.length; i++) assert.ok(streams[i - 1]!.viewers >= streams[i]!.viewers, 'sorted by viewers');
    const top = streams[0]!;
    const user = await api.users.getUserById(top.userId);
    assert.equal(user?.name, top.userName);
    const game = await api.games.getGameById(top.gameId);
    assert.equal(game?.name, top.gameName);
  });

  test('RefreshingAuthProvider exchanges a code and refreshes an expired token', async () => {
    const { ApiClient } = await import('@twurple/api');
    const { RefreshingAuthProvider, exchangeCode } = await import('@twurple/auth');
    const { clientId, clientSecret } = credentials(sim);
    const redirect = 'http://127.0.0.1:9/callback';
    const broadcaster = [...sim.world.liveChannelList()][0]!;
    // the consent page's "Authorize" button, as a browser would post it
    const form = await consentForm(sim, { client_id: clientId, redirect_uri: redirect, response_type: 'code', scope: 'user:read:email moderator:read:followers', state: 'xyz' });
    const consent = await submitConsent(sim, { ...form, login: sim.world.login(broadcaster), decision: 'allow' });
    assert.equal(consent.status, 302);
    const location = new URL(consent.headers.get('location')!);
    assert.equal(location.origin + location.pathname, redirect);
    assert.equal(location.searchParams.get('state'), 'xyz');
    const code = location.searchParams.get('code')!;
    const token = await exchangeCode(clientId, clientSecret, code, redirect);
    assert.deepEqual(token.scope.sort(), ['moderator:read:followers', 'user:read:email']);
    const provider = new RefreshingAuthProvider({ clientId, clientSecret });
    const refreshed: string[] = [];
    provider.onRefresh((_user, t) => refreshed.push(t.accessToken));
    const userId = await provider.addUserForToken(token);
    assert.equal(userId, sim.world.userId(broadcaster));
    const api = new ApiClient({ authProvider: provider });
    const me = await api.users.getUserById(userId);
    assert.equal(me?.name, sim.world.login(broadcaster));
    // four hours later in the simulated world the token has expired
    sim.advance(4 * 3600_000 + 60_000);
    const followers = await api.channels.getChannelFollowers(userId);
    assert.equal(followers.total, sim.world.followerCount(broadcaster));
    assert.ok(refreshed.length >= 1, 'twurple refreshed the token');
    assert.notEqual(refreshed.at(-1), token.accessToken);
    const stale = await fetch(`${base}/oauth2/validate`, { headers: { authorization: `OAuth ${token.accessToken}` } });
    assert.equal(stale.status, 401);
  });
});

describe('rate limit', () => {
  test('the 801st request in a minute gets 429 with Ratelimit headers', async () => {
    const own = await appToken(sim, 1);
    let last: Response | undefined;
    for (let i = 1; i <= 800; i++) {
      last = await fetch(`${base}/helix/games/top?first=1`, { headers: own.headers });
      assert.equal(last.status, 200, `request ${i}`);
      await last.arrayBuffer();
    }
    assert.equal(last!.headers.get('ratelimit-remaining'), '0');
    const over = await fetch(`${base}/helix/games/top?first=1`, { headers: own.headers });
    assert.equal(over.status, 429);
    assert.deepEqual(await over.json(), { error: 'Too Many Requests', status: 429, message: 'Too Many Requests' });
    assert.equal(over.headers.get('ratelimit-limit'), '800');
    assert.equal(over.headers.get('ratelimit-remaining'), '0');
    const reset = Number(over.headers.get('ratelimit-reset'));
    assert.ok(reset * 1000 > Date.now() && reset * 1000 <= Date.now() + 61_000);
    // another client's budget is its own
    assert.equal((await get('/helix/games/top?first=1')).status, 200);
  });

  test('accelerated for a client on its clock, a simulated minute brings a minute of budget and Ratelimit-Reset is simulated time; real time, stepped and other clients keep wall time', async (t) => {
    // the world starts days before now, so the two epochs cannot be mistaken for each other
    const fast = await startSimulator({ speed: 300, rateLimitPerMinute: 3, simulatedRateLimit: true });
    t.after(() => fast.stop());
    const tokens = new Map<Simulator, Record<string, string>>();
    const call = async (s = fast) => {
      if (!tokens.has(s)) tokens.set(s, (await appToken(s)).headers);
      const own = { headers: tokens.get(s)! };
      const res = await fetch(`${s.address.httpUrl}/helix/games/top?first=1`, { headers: own.headers });
      await res.arrayBuffer();
      return { status: res.status, reset: Number(res.headers.get('ratelimit-reset')) * 1000 };
    };
    // three points a simulated minute (200 real ms): the fourth request in one is refused
    let over: { status: number; reset: number } | undefined;
    for (let i = 0; i < 50 && !over; i++) {
      // the simulated clock read before and after the call: at speed 300 a busy machine lets it run on in between
      const before = fast.clock.now();
      const r = await call();
      assert.ok(r.reset > before - 1000 && r.reset <= fast.clock.now() + 61_000, 'the reset is within a simulated minute');
      assert.ok(Math.abs(r.reset - Date.now()) > 86_400_000, 'the reset is not wall time');
      if (r.status === 429) over = r;
    }
    assert.ok(over, 'the limit holds within a simulated minute');
    await waitFor('the simulated reset', () => fast.clock.now() >= over!.reset || undefined, 10_000, 10);
    assert.equal((await call()).status, 200, 'the bucket refilled at the simulated reset');
    for (const speed of [1, 0]) {
      fast.setSpeed(speed);
      const r = await call();
      assert.equal(r.status, 200, `speed ${speed}: a fresh bucket on the new clock`);
      assert.ok(r.reset > Date.now() - 1000 && r.reset <= Date.now() + 61_000, `speed ${speed}: the reset is wall time`);
    }
    // `lurk sim` on its own serves clients that pace against Date.now(), twurple among them
    const standalone = await startSimulator({ speed: 300, rateLimitPerMinute: 3 });
    t.after(() => standalone.stop());
    const r = await call(standalone);
    assert.ok(r.reset > Date.now() - 1000 && r.reset <= Date.now() + 61_000, 'a standalone simulator keeps wall time');
  });
});

describe('paging drift', () => {
  test('pages repeat or skip streams only when viewer counts changed between them', async () => {
    const first = await get('/helix/streams?first=100');
    const before = new Map<string, number>(first.body.data.map((s: HelixStream) => [s.id, s.viewer_count]));
    const again = await get(`/helix/streams?first=100&after=${first.body.pagination.cursor}`);
    assert.equal(again.body.data.filter((s: HelixStream) => before.has(s.id)).length, 0, 'no drift while time stands still');
    // ten simulated minutes later the counts have moved on
    sim.advance(10 * 60_000);
    const second = await get(`/helix/streams?first=100&after=${first.body.pagination.cursor}`);
    const repeated = second.body.data.filter((s: HelixStream) => before.has(s.id));
    for (const s of repeated) assert.notEqual(s.viewer_count, before.get(s.id), 'a repeated stream changed its count');
    const fresh = await get('/helix/streams?first=100');
    const sameOrder = fresh.body.data.map((s: HelixStream) => s.id).join() === first.body.data.map((s: HelixStream) => s.id).join();
    assert.ok(!sameOrder || repeated.length === 0);
  });
});

describe('Helix shapes', () => {
  test("every implemented endpoint conforms to Twitch's OpenAPI schema", async () => {
    const live = [...sim.world.liveChannelList()];
    const channel = live.sort((a, b) => sim.world.viewersNow(b) - sim.world.viewersNow(a))[0]!;
    const id = sim.world.userId(channel);
    const login = sim.world.login(channel);
    const { clientId } = credentials(sim);
    const userToken = sim.auth.issueUser(clientId, channel, ['moderator:read:chatters', 'moderator:read:followers', 'channel:read:subscriptions', 'bits:read', 'user:read:email']);
    const asUser = { 'client-id': clientId, authorization: `Bearer ${userToken.accessToken}` };
    sim.world.trigger('channel.cheer', channel);
    sim.world.trigger('channel.subscribe', channel);
    const gameId = sim.world.stream(channel)!.game.id;
    const cases: [string, string, Record<string, string>][] = [
      ['/streams', '/helix/streams', headers],
      ['/streams', '/helix/streams?first=100&language=en&language=es', headers],
      ['/streams', `/helix/streams?user_login=${login}&user_id=${id}`, headers],
      ['/streams', `/helix/streams?game_id=${gameId}&type=live`, headers],
      ['/streams', '/mock/streams?user_login=nobody_here', headers],
      ['/users', `/helix/users?id=${id}&login=${sim.world.login(sim.world.channelCount + 5)}`, headers],
      ['/users', '/helix/users', asUser],
      ['/games', `/helix/games?id=${gameId}&name=${encodeURIComponent("Baldur's Gate 3")}`, headers],
      ['/games/top', '/helix/games/top?first=100', headers],
      ['/chat/chatters', `/helix/chat/chatters?broadcaster_id=${id}&moderator_id=${id}&first=1000`, asUser],
      ['/channels/followers', `/helix/channels/followers?broadcaster_id=${id}&first=100`, asUser],
      ['/channels/followers', `/helix/channels/followers?broadcaster_id=${id}`, headers],
      ['/subscriptions', `/helix/subscriptions?broadcaster_id=${id}`, asUser],
      ['/bits/leaderboard', `/helix/bits/leaderboard?period=week&started_at=${encodeURIComponent(new Date(sim.world.now()).toISOString())}`, asUser],
      ['/channels', `/helix/channels?broadcaster_id=${id}`, headers],
    ];
    for (const [schemaPath, url, h] of cases) {
      const res = await get(url, h);
      assert.equal(res.status, 200, `${url}: ${JSON.stringify(res.body)}`);
      assertConforms(schemaPath, res.body);
    }
    const moderator = moderatorsOf(sim.world, channel)[0]!;
    const modToken = sim.auth.issueUser(clientId, moderator, ['user:read:moderated_channels']).accessToken;
    const moderated = await get(`/helix/moderation/channels?user_id=${sim.world.userId(moderator)}&first=100`, { 'client-id': clientId, authorization: `Bearer ${modToken}` });
    assert.equal(moderated.status, 200, JSON.stringify(moderated.body));
    assertConforms('/moderation/channels', moderated.body);
    assert.ok(moderated.body.data.some((c: { broadcaster_id: string }) => c.broadcaster_id === id));
    const chatters = await get(`/helix/chat/chatters?broadcaster_id=${id}&moderator_id=${id}&first=1000`, asUser);
    assert.equal(chatters.body.total, sim.world.viewersNow(channel));
    // without started_at Twitch documents empty strings, which its own schema's date-time format rejects
    const allTime = await get('/helix/bits/leaderboard?count=5&period=all', asUser);
    assert.deepEqual(allTime.body.date_range, { started_at: '', ended_at: '' });
    assert.ok(allTime.body.data.length >= 1);
    const withoutPermission = await get(`/helix/channels/followers?broadcaster_id=${id}`);
    assert.deepEqual(withoutPermission.body.data, [], 'an app token sees only the total');
    assert.equal(withoutPermission.body.total, sim.world.followerCount(channel));
  });

  test("Twitch's own /streams examples parse through Lurk's wire types, and so do the simulator's pages", async () => {
    const examples = openapi.paths['/streams'].get.responses['200'].content['application/json'].examples;
    for (const example of Object.values(examples) as { value: unknown }[]) {
      const page = parseStreamsPage(example.value);
      assert.ok(page.data.length >= 1);
    }
    const ours = parseStreamsPage((await get('/helix/streams?first=5')).body);
    assert.equal(ours.data.length, 5);
    assert.ok(ours.pagination.cursor);
    assert.throws(() => parseStreamsPage({ data: [{ id: 1 }] }), /data\[0\]\.id should be a string/);
  });

  test("bad requests get Twitch's error shape", async () => {
    const cases: [string, number, RegExp, Record<string, string>?][] = [
      ['/helix/streams?first=101', 400, /first/],
      ['/helix/streams?type=vod', 400, /type/],
      ['/helix/streams?after=garbage', 400, /cursor/],
      [`/helix/streams?${Array.from({ length: 101 }, (_, i) => `user_id=${i}`).join('&')}`, 400, /100 of each parameter/],
      ['/helix/users', 400, /id|login/],
      ['/helix/games', 400, /Missing required parameter/],
      ['/helix/chat/chatters?broadcaster_id=1001&moderator_id=1001', 401, /user access token/],
      ['/helix/streams', 401, /Missing Client ID or OAuth token/, {}],
      ['/helix/streams', 401, /Invalid OAuth token/, { 'client-id': 'x', authorization: 'Bearer nope' }],
      ['/helix/nothing', 404, /Not Found/],
    ];
    for (const [url, status, message, h] of cases) {
      const res = await get(url, h ?? headers);
      assert.equal(res.status, status, url);
      assert.equal(res.body.status, status);
      assert.equal(typeof res.body.error, 'string');
      assert.match(res.body.message, message, url);
    }
  });
});

describe('OAuth', () => {
  test('wrong secrets, bad tokens and revocation answer as id.twitch.tv does', async () => {
    const { clientId } = credentials(sim);
    const wrong = await fetch(`${base}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&client_id=${clientId}&client_secret=nope`,
    });
    assert.equal(wrong.status, 403);
    assert.deepEqual(await wrong.json(), { status: 403, message: 'invalid client secret' });
    const unknown = await fetch(`${base}/auth/token?grant_type=client_credentials&client_id=nobody&client_secret=x`, { method: 'POST' });
    assert.equal(unknown.status, 400);
    const badRefresh = await fetch(`${base}/oauth2/token?grant_type=refresh_token&refresh_token=nope&client_id=${clientId}&client_secret=${credentials(sim).clientSecret}`, { method: 'POST' });
    assert.deepEqual(await badRefresh.json(), { error: 'Bad Request', status: 400, message: 'Invalid refresh token' });
    const invalid = await fetch(`${base}/oauth2/validate`, { headers: { authorization: 'OAuth nope' } });
    assert.equal(invalid.status, 401);
    const own = await appToken(sim);
    const revoke = await fetch(`${base}/oauth2/revoke`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `client_id=${clientId}&token=${own.token}` });
    assert.equal(revoke.status, 200);
    assert.equal((await get('/helix/games/top', own.headers)).status, 401);
    const again = await fetch(`${base}/oauth2/revoke?client_id=${clientId}&token=${own.token}`, { method: 'POST' });
    assert.deepEqual(await again.json(), { status: 400, message: 'Invalid token' });
  });

  test('the consent page escapes what it echoes, and Cancel redirects with access_denied', async () => {
    const { clientId } = credentials(sim);
    const page = await fetch(
      `${base}/oauth2/authorize?client_id=${clientId}&redirect_uri=${encodeURIComponent('http://127.0.0.1:9/cb')}&response_type=code&scope=${encodeURIComponent('<script>alert(1)</script>')}&state=${encodeURIComponent('"><b>')}`,
    );
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.doesNotMatch(html, /<script>alert/);
    assert.match(html, /&lt;script&gt;/);
    const form = await consentForm(sim, { client_id: clientId, redirect_uri: 'http://127.0.0.1:9/cb', response_type: 'code', state: 's1' });
    const deny = await submitConsent(sim, { ...form, decision: 'deny' });
    const location = new URL(deny.headers.get('location')!);
    assert.equal(location.searchParams.get('error'), 'access_denied');
    assert.equal(location.searchParams.get('state'), 's1');
  });
});

describe('/_sim', () => {
  test('the clock steps, and truth endpoints answer', async () => {
    const before = (await (await fetch(`${base}/_sim/world`)).json()) as { time_ms: number };
    const stepped = await fetch(`${base}/_sim/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance_seconds: 120 }) });
    const after = (await stepped.json()) as { time_ms: number };
    assert.equal(after.time_ms, before.time_ms + 120_000);
    const from = new Date(before.time_ms).toISOString();
    const to = new Date(after.time_ms).toISOString();
    const truth = (await (await fetch(`${base}/_sim/truth/watchtime?from=${from}&to=${to}&by=streamer`)).json()) as { rows: { hours: number; user_login: string }[]; total_hours: number };
    assert.ok(truth.total_hours > 0);
    const messages = (await (await fetch(`${base}/_sim/truth/messages?from=${from}&to=${to}&limit=10`)).json()) as { total: number; messages: { sentiment: string }[] };
    assert.ok(messages.total > 0);
    assert.ok(['positive', 'neutral', 'negative'].includes(messages.messages[0]!.sentiment));
    const bad = await fetch(`${base}/_sim/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ speed: -1 }) });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'bad_request');
    const badRange = await fetch(`${base}/_sim/truth/moves?from=yesterday`);
    assert.equal(badRange.status, 400);
    const eventsub = (await (await fetch(`${base}/_sim/eventsub`)).json()) as { subscriptions: unknown[]; sessions: unknown[] };
    assert.ok(Array.isArray(eventsub.subscriptions) && Array.isArray(eventsub.sessions));
    const reconnect = (await (await fetch(`${base}/_sim/eventsub/reconnect`, { method: 'POST' })).json()) as { sessions: number };
    assert.equal(reconnect.sessions, 0);
    const revoke = await fetch(`${base}/_sim/eventsub/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subscription_id: 'nope', status: 'user_removed' }),
    });
    assert.equal(revoke.status, 404);
  });

  test('a triggered raid moves viewers, and faults switch on and off', async () => {
    const live = [...sim.world.liveChannelList()].sort((a, b) => sim.world.viewersNow(b) - sim.world.viewersNow(a));
    const [from, to] = [live[0]!, live[1]!];
    const res = await fetch(`${base}/_sim/trigger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'channel.raid', broadcaster_user_id: sim.world.userId(from), to_broadcaster_user_id: sim.world.userId(to) }),
    });
    assert.equal(res.status, 200);
    assert.equal(sim.world.viewersNow(from) < live.length * 1000, true);
    sim.advance(10_000);
    const moves = (await (await fetch(`${base}/_sim/truth/moves?from=${new Date(sim.world.now() - 11_000).toISOString()}`)).json()) as { moves: { cause: string; to: { login: string } }[] };
    assert.ok(moves.moves.some((m) => m.cause === 'raid' && m.to.login === sim.world.login(to)));
    const faults = await fetch(`${base}/_sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rate5xx: 1 }) });
    assert.equal(((await faults.json()) as { rate5xx: number }).rate5xx, 1);
    const failing = await get('/helix/games/top');
    assert.ok(failing.status >= 500);
    await fetch(`${base}/_sim/faults`, { method: 'DELETE' });
    await waitFor('helix to answer again', async () => ((await get('/helix/games/top')).status === 200 ? true : undefined));
  });
});
