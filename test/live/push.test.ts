// The event socket hub against real sockets: a Fastify server with @fastify/websocket and Lurk's
// error handling, `ws` clients. The socket source is a stand-in for the feed (which channel a
// request may watch, what its hello says) so that the hub's own rules can be driven directly.
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyRequest } from 'fastify';
import WebSocket from 'ws';
import { HttpError } from '../../src/core/errors.js';
import { createMetrics } from '../../src/core/metrics.js';
import { LIVE_SOCKET_PATH, LiveHub, MAX_BUFFERED, SKIP_CHAT_ABOVE } from '../../src/live/push.js';
import type { LiveSocketSource } from '../../src/live/parts.js';
import type { LiveEvent, LivePush } from '../../src/live/types.js';
import { installErrorHandling } from '../../src/web/errors.js';
import { memoryLogger, waitFor } from '../helpers/app.js';

type Frame = LivePush & { [key: string]: unknown };

class Source implements LiveSocketSource {
  hellos = 0;
  /** while set, hellos wait for it */
  gate: Promise<void> | undefined;
  async authorize(request: FastifyRequest): Promise<string> {
    const { channel } = request.query as { channel?: string };
    if (channel === undefined) throw new HttpError(401, 'not_logged_in', 'log in first');
    if (channel === 'nobody') throw new HttpError(404, 'not_found', `channel: ${channel} is not one of your favourites`);
    return channel;
  }
  async hello(channel: string): Promise<LivePush> {
    this.hellos++;
    await this.gate;
    return { type: 'hello', channel, events: [], chat: [] };
  }
}

function event(id: number, channel: string, message = ''): LiveEvent {
  return {
    id,
    channel,
    channel_id: '1',
    type: 'follow',
    at: '2026-12-01T12:00:00.000Z',
    user_id: '2',
    user_login: 'fan',
    user_name: 'Fan',
    anonymous: false,
    tier: null,
    months: null,
    streak: null,
    count: null,
    bits: null,
    viewers: null,
    message,
    title: null,
    category: null,
    sources: ['eventsub'],
    read_at: null,
    read_by: null,
  };
}

async function hubServer(t: { after(fn: () => Promise<void> | void): void }, options: { maxClients?: number; pingIntervalMs?: number; rateLimitPerMinute?: number } = {}) {
  const { log, lines } = memoryLogger('warn');
  const metrics = createMetrics();
  const hub = new LiveHub({
    maxClients: options.maxClients ?? 100,
    log,
    metrics,
    ...(options.pingIntervalMs ? { pingIntervalMs: options.pingIntervalMs } : {}),
    rateLimitPerMinute: options.rateLimitPerMinute ?? 0,
  });
  const app = Fastify();
  installErrorHandling(app);
  await app.register(websocket);
  const source = new Source();
  await hub.register(app, source);
  const serverSockets: import('ws').WebSocket[] = [];
  app.websocketServer.on('connection', (s: import('ws').WebSocket) => serverSockets.push(s));
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const url = (query: string) => `${base.replace('http', 'ws')}${LIVE_SOCKET_PATH}${query}`;
  const clients: WebSocket[] = [];
  t.after(async () => {
    for (const c of clients) c.terminate();
    await hub.close();
    await app.close();
  });
  const connect = (query: string, wsOptions: WebSocket.ClientOptions = {}) => {
    const ws = new WebSocket(url(query), wsOptions);
    clients.push(ws);
    const frames: Frame[] = [];
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Frame));
    ws.on('error', () => {});
    const raw = () => (ws as unknown as { _socket: Socket })._socket;
    return { ws, frames, closed, pause: () => raw().pause(), resume: () => raw().resume() };
  };
  const open = async (query: string, wsOptions: WebSocket.ClientOptions = {}) => {
    const c = connect(query, wsOptions);
    await waitFor('the hello', () => c.frames.length > 0 || undefined);
    return { ...c, server: serverSockets.at(-1)! };
  };
  return { hub, source, metrics, lines, url, connect, open, clients, serverSockets, app };
}

const turn = () => new Promise((r) => setImmediate(r));

test('the first frame is the hello; pushes reach the sockets of their channel only, in order', async (t) => {
  const { hub, open, metrics } = await hubServer(t);
  const a1 = await open('?channel=a');
  const a2 = await open('?channel=a');
  const b = await open('?channel=b');
  assert.deepEqual(a1.frames[0], { type: 'hello', channel: 'a', events: [], chat: [] });
  assert.equal(b.frames[0]?.type, 'hello');
  assert.equal(b.frames[0]?.channel, 'b');
  assert.equal(hub.size, 3);
  assert.deepEqual(hub.stats(), { clients: 3, channels: 2, skippedChat: 0, terminated: 0 });
  assert.equal((await metrics.liveSocketClients.get()).values[0]?.value, 3);

  hub.publish('a', { type: 'event', event: event(1, 'a') });
  hub.publish('a', { type: 'replay', event: event(1, 'a') });
  hub.publish('b', { type: 'event', event: event(2, 'b') });
  hub.publish('c', { type: 'event', event: event(3, 'c') });
  // a frame under 126 bytes has the short length form (the events above the 16-bit one)
  hub.publish('a', { type: 'availability', channel: 'a', availability: [], live: true });
  for (const c of [a1, a2]) await waitFor('the pushes of a', () => c.frames.length === 4 || undefined);
  await waitFor("b's push", () => b.frames.length === 2 || undefined);
  for (const c of [a1, a2])
    assert.deepEqual(c.frames.slice(1), [
      { type: 'event', event: event(1, 'a') },
      { type: 'replay', event: event(1, 'a') },
      { type: 'availability', channel: 'a', availability: [], live: true },
    ]);
  assert.deepEqual(b.frames.slice(1), [{ type: 'event', event: event(2, 'b') }]);

  a1.ws.close();
  await waitFor('the hub to forget the closed socket', () => hub.size === 2 || undefined);
  assert.equal((await metrics.liveSocketClients.get()).values[0]?.value, 2);
});

test('pushes published while the hello is being read follow it, none lost', async (t) => {
  const { hub, source, connect, serverSockets } = await hubServer(t);
  let open!: () => void;
  source.gate = new Promise((r) => (open = r));
  const c = connect('?channel=a');
  await waitFor('the socket to be accepted', () => (serverSockets.length === 1 && hub.size === 1) || undefined);
  hub.publish('a', { type: 'event', event: event(1, 'a') });
  hub.publish('a', { type: 'event', event: event(2, 'a') });
  open();
  await waitFor('three frames', () => c.frames.length === 3 || undefined);
  assert.deepEqual(
    c.frames.map((f) => (f.type === 'event' ? f.event.id : f.type)),
    ['hello', 1, 2],
  );
});

for (const [query, status, code] of [
  ['', 401, 'not_logged_in'],
  ['?channel=nobody', 404, 'not_found'],
] as const) {
  test(`an authorisation refused with ${status} answers the handshake with it as JSON, and no socket stays open`, async (t) => {
    const { hub, url, serverSockets } = await hubServer(t);
    const ws = new WebSocket(url(query));
    t.after(() => ws.terminate());
    const refused = await new Promise<{ status: number; body: string; socketClosed: Promise<void> }>((resolve, reject) => {
      ws.on('open', () => reject(new Error('the socket opened')));
      ws.on('error', () => {});
      ws.on('unexpected-response', (_req, res) => {
        const socketClosed = new Promise<void>((r) => res.socket.once('close', () => r()));
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, socketClosed }));
      });
    });
    assert.equal(refused.status, status);
    assert.equal((JSON.parse(refused.body) as { error: { code: string } }).error.code, code);
    // the server ends the connection: a refused handshake's socket is not kept
    await refused.socketClosed;
    assert.equal(serverSockets.length, 0);
    assert.equal(hub.size, 0);
  });
}

test('a JSON ping gets a pong; garbage, binary and oversized messages close the socket with 1008', async (t) => {
  const { hub, open } = await hubServer(t);
  const c = await open('?channel=a');
  c.ws.send(JSON.stringify({ type: 'ping' }));
  await waitFor('the pong', () => c.frames.some((f) => f.type === 'pong') || undefined);
  assert.equal(c.ws.readyState, WebSocket.OPEN);

  for (const bad of ['not json {', Buffer.from([1, 2, 3]), JSON.stringify({ type: 'ping', pad: 'x'.repeat(2000) })]) {
    const g = await open('?channel=a');
    g.ws.send(bad);
    assert.equal(await g.closed, 1008);
  }
  await waitFor('only the good client left', () => hub.size === 1 || undefined);
  assert.equal(c.ws.readyState, WebSocket.OPEN);
});

test('one socket more than maxClients is closed with 1013 and never greeted', async (t) => {
  const { hub, open, connect, source } = await hubServer(t, { maxClients: 2 });
  await open('?channel=a');
  await open('?channel=b');
  const third = connect('?channel=a');
  assert.equal(await third.closed, 1013);
  assert.deepEqual(third.frames, []);
  assert.equal(source.hellos, 2);
  assert.equal(hub.size, 2);
});

test('upgrades past the per-address limit are refused with 429 before any socket opens', async (t) => {
  const { hub, open, url } = await hubServer(t, { rateLimitPerMinute: 2 });
  await open('?channel=a');
  await open('?channel=a');
  const ws = new WebSocket(url('?channel=a'));
  t.after(() => ws.terminate());
  ws.on('error', () => {});
  const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
  assert.equal(status, 429);
  assert.equal(hub.size, 2);
});

test('a client that does not answer protocol pings is terminated; one that answers stays', async (t) => {
  const { hub, open, lines } = await hubServer(t, { pingIntervalMs: 100 });
  const live = await open('?channel=a');
  let pings = 0;
  live.ws.on('ping', () => pings++);
  const mute = await open('?channel=a', { autoPong: false });
  const code = await mute.closed;
  assert.equal(code, 1006, 'terminated, no close frame');
  await waitFor('three pings answered', () => pings >= 3 || undefined);
  assert.equal(live.ws.readyState, WebSocket.OPEN);
  assert.equal(hub.size, 1);
  assert.ok(lines().some((l) => /no pong since the last ping/.test(String(l.msg))));
});

test('a client that stops reading skips chat past 1 MB while events still queue, and is terminated before it holds 8 MB', async (t) => {
  const { hub, open, lines } = await hubServer(t);
  const reader = await open('?channel=a');
  const slow = await open('?channel=a');
  slow.pause();
  const pad = 'x'.repeat(64 * 1024);
  const chat = { type: 'chat', channel: 'a', lines: [{ id: 'l', user_login: 'u', user_name: 'U', color: '', text: pad, at: '2026-12-01T12:00:00.000Z' }] } satisfies LivePush;
  // events until the slow client is behind by more than the chat threshold
  let id = 0;
  while (slow.server.bufferedAmount <= SKIP_CHAT_ABOVE && id < 10_000) {
    hub.publish('a', { type: 'event', event: event(++id, 'a', pad) });
    await turn();
  }
  assert.ok(slow.server.bufferedAmount > SKIP_CHAT_ABOVE, 'the slow client fell behind');
  const before = slow.server.bufferedAmount;
  hub.publish('a', chat);
  assert.equal(slow.server.bufferedAmount, before, 'chat is not queued for a client that is behind');
  assert.equal(hub.stats().skippedChat, 1);
  hub.publish('a', { type: 'event', event: event(++id, 'a', pad) });
  assert.ok(slow.server.bufferedAmount > before, 'events still queue');

  let maxBuffered = 0;
  while (slow.server.readyState === slow.server.OPEN && id < 100_000) {
    hub.publish('a', { type: 'event', event: event(++id, 'a', pad) });
    maxBuffered = Math.max(maxBuffered, slow.server.bufferedAmount);
    await turn();
  }
  assert.notEqual(slow.server.readyState, slow.server.OPEN, `still open after ${id} events`);
  assert.ok(maxBuffered <= MAX_BUFFERED, `held ${maxBuffered} bytes`);
  assert.equal(hub.stats().terminated, 1);
  assert.ok(lines().some((l) => /would hold more than/.test(String(l.msg))));
  // the reader got every event and the chat line, in order
  await waitFor('every event at the reader', () => reader.frames.filter((f) => f.type === 'event').length === id || undefined);
  assert.equal(reader.frames.filter((f) => f.type === 'chat').length, 1);
  assert.equal(hub.size, 1);
});

test('close() ends every socket with 1001; closing the server ends them too', async (t) => {
  const first = await hubServer(t);
  const sockets = [await first.open('?channel=a'), await first.open('?channel=b'), await first.open('?channel=b')];
  const stuck = await first.open('?channel=a');
  stuck.pause(); // never reads the close frame: terminated after the grace
  await first.hub.close();
  for (const s of sockets) assert.equal(await s.closed, 1001);
  assert.equal(first.hub.size, 0);
  await waitFor('the stuck socket to be gone', () => stuck.server.readyState === stuck.server.CLOSED || undefined);

  const second = await hubServer(t);
  const s = await second.open('?channel=a');
  const stuckToo = await second.open('?channel=a');
  stuckToo.pause();
  // @fastify/websocket's own preClose closes its sockets first (1005, no reason): the hub's makes sure none stays
  await second.app.close();
  await s.closed;
  await waitFor('the stuck socket to be gone', () => stuckToo.server.readyState === stuckToo.server.CLOSED || undefined);
  assert.equal(second.hub.size, 0);
});
