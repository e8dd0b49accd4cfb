// The event socket of a real Lurk on its simulator: the feed authorises it (a session whose
// favourite the channel is), greets it, and a cheer triggered in the simulated world arrives as an
// event frame; refusals are HTTP answers to the handshake.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import type { Lurk } from '../../src/app.js';
import { LIVE_SOCKET_PATH } from '../../src/live/push.js';
import type { LivePush } from '../../src/live/types.js';
import { waitFor } from '../helpers/app.js';
import { type TestDatabase, tempSqlite } from '../helpers/db.js';
import { type LiveLogin, liveLogin } from '../helpers/live-session.js';
import { eventSubLurk, MASTER_KEY, simPost } from '../intake/helpers.js';

let db: TestDatabase;
let lurk: Lurk;
let base: string;
let me: LiveLogin;
let channel: { id: string; login: string };
let other: string;
const sockets: WebSocket[] = [];

before(async () => {
  db = await tempSqlite();
  ({ lurk } = await eventSubLurk({ DATABASE_URL: db.url, LURK_SIM_SPEED: '0' }));
  base = await lurk.start();
  const world = lurk.simulator!.world;
  const live = [...world.liveChannelList()].filter((c) => world.viewersNow(c) > 0).sort((a, b) => world.viewersNow(b) - world.viewersNow(a));
  channel = { id: world.userId(live[0]!), login: world.login(live[0]!) };
  other = world.login(live[1]!);
  me = await liveLogin(lurk, MASTER_KEY, { id: '990000002', login: 'socket_tester' });
  const added = await fetch(`${base}/api/live/favourites`, { method: 'POST', headers: me.headers(base), body: JSON.stringify({ login: channel.login }) });
  assert.equal(added.status, 201, await added.text());
});

after(async () => {
  for (const s of sockets) s.terminate();
  await lurk?.stop();
  await db?.drop();
});

const url = (query: string) => `${base.replace('http', 'ws')}${LIVE_SOCKET_PATH}${query}`;

function refusal(query: string, headers: Record<string, string> = {}): Promise<{ status: number; code: string }> {
  const ws = new WebSocket(url(query), { headers });
  sockets.push(ws);
  return new Promise((resolve, reject) => {
    ws.on('open', () => reject(new Error('the socket opened')));
    ws.on('error', () => {});
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, code: (JSON.parse(body) as { error: { code: string } }).error.code }));
    });
  });
}

test('a favourite greets with its hello, then a triggered cheer arrives as an event frame; a ping gets a pong', async () => {
  const ws = new WebSocket(url(`?channel=${channel.login.toUpperCase()}`), { headers: { cookie: me.cookie } });
  sockets.push(ws);
  const frames: LivePush[] = [];
  ws.on('message', (data) => frames.push(JSON.parse(String(data)) as LivePush));
  await waitFor('the hello', () => frames.length > 0 || undefined);
  const hello = frames[0]!;
  assert.equal(hello.type, 'hello');
  assert.equal(hello.type === 'hello' && hello.channel, channel.login);
  assert.equal(lurk.live.hub.size, 1);

  await simPost(lurk, '/_sim/trigger', { type: 'channel.cheer', broadcaster_user_id: channel.id });
  const cheer = await waitFor('the cheer', () => frames.find((f) => f.type === 'event' && f.event.type === 'cheer'));
  assert.equal(cheer.type === 'event' && cheer.event.channel, channel.login);

  ws.send(JSON.stringify({ type: 'ping' }));
  await waitFor('the pong', () => frames.some((f) => f.type === 'pong') || undefined);
});

test('without a session the handshake is a 401, for a channel that is not a favourite a 404, and no socket is kept', async () => {
  const before = lurk.live.hub.size;
  assert.deepEqual(await refusal(`?channel=${channel.login}`), { status: 401, code: 'not_logged_in' });
  assert.deepEqual(await refusal(`?channel=${other}`, { cookie: me.cookie }), { status: 404, code: 'not_found' });
  assert.equal(lurk.live.hub.size, before);
});

test('a foreign page cannot open the socket (the origin guard refuses the upgrade)', async () => {
  const refused = await refusal(`?channel=${channel.login}`, { cookie: me.cookie, origin: 'https://attacker.example' });
  assert.equal(refused.status, 403);
});
