// The live hub against real sockets: a client that stops reading (its TCP socket paused) must not
// make the server buffer without bound. The source is a stand-in so that the test can push large
// snapshots and moments as fast as the sockets take them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import websocket from '@fastify/websocket';
import Fastify from 'fastify';
import WebSocket from 'ws';
import { LiveHub, type LiveSource, MAX_BUFFERED, MAX_SKIPPED_SNAPSHOTS, SKIP_SNAPSHOT_ABOVE } from '../../src/mood/live.js';
import type { TickListener } from '../../src/mood/service.js';
import type { MoodChannelDetail, MoodChannelSummary, MoodMoment } from '../../src/mood/types.js';
import { waitFor } from '../helpers/app.js';

const PAD = 'x'.repeat(256 * 1024);

class Source implements LiveSource {
  tickListeners: TickListener[] = [];
  now = () => 1_800_000_000_000;
  summaries(): MoodChannelSummary[] {
    return [{ login: 'a', pad: PAD } as unknown as MoodChannelSummary];
  }
  details(_now: number, only?: string): MoodChannelDetail[] {
    return [{ login: only ?? 'a', pad: PAD } as unknown as MoodChannelDetail];
  }
  onTick(listener: TickListener) {
    this.tickListeners.push(listener);
    return () => {};
  }
  onChannelsChange() {
    return () => {};
  }
  tick(moments: MoodMoment[] = []) {
    for (const l of this.tickListeners) l(this.now(), moments);
  }
}

function moment(n: number, pad = ''): MoodMoment {
  return { id: `m${n}`, login: 'a', pad } as unknown as MoodMoment;
}

async function liveServer(t: { after(fn: () => Promise<void> | void): void }) {
  const source = new Source();
  const warnings: string[] = [];
  const hub = new LiveHub(source, { warn: (_d, message) => warnings.push(message) });
  const app = Fastify();
  await app.register(websocket);
  const serverSockets: import('ws').WebSocket[] = [];
  app.get<{ Querystring: { channel?: string } }>('/live', { websocket: true }, (socket, request) => {
    serverSockets.push(socket);
    hub.add(socket, request.query.channel);
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const clients: WebSocket[] = [];
  t.after(async () => {
    for (const c of clients) c.terminate();
    hub.close();
    await app.close();
  });
  const open = async (query = '') => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/live${query}`);
    clients.push(ws);
    const pushes: { type: string; moment?: { id: string } }[] = [];
    ws.on('message', (data) => pushes.push(JSON.parse(String(data))));
    ws.on('error', () => {});
    await waitFor('the channels push', () => pushes.length > 0 || undefined);
    const server = serverSockets.at(-1)!;
    return {
      ws,
      pushes,
      server,
      pause: () => (ws as unknown as { _socket: import('node:net').Socket })._socket.pause(),
      resume: () => (ws as unknown as { _socket: import('node:net').Socket })._socket.resume(),
    };
  };
  return { source, hub, warnings, open };
}

const turn = () => new Promise((r) => setImmediate(r));

test('a client that stops reading loses its snapshots, never holds more than the threshold and one snapshot, and is terminated when it stays behind', async (t) => {
  const { source, hub, warnings, open } = await liveServer(t);
  const c = await open('?channel=a');
  const snapshotBytes = Buffer.byteLength(JSON.stringify({ type: 'windows', at: new Date(source.now()).toISOString(), channels: source.details(0, 'a') }));
  c.pause();
  let ticks = 0;
  let maxBuffered = 0;
  while (c.server.readyState === c.server.OPEN && ticks < 10_000) {
    source.tick();
    ticks++;
    maxBuffered = Math.max(maxBuffered, c.server.bufferedAmount);
    await turn();
  }
  assert.notEqual(c.server.readyState, c.server.OPEN, `still open after ${ticks} ticks`);
  assert.equal(hub.size, 0);
  assert.ok(maxBuffered > SKIP_SNAPSHOT_ABOVE, `the buffer filled (${maxBuffered} bytes)`);
  assert.ok(maxBuffered <= SKIP_SNAPSHOT_ABOVE + snapshotBytes, `held ${maxBuffered} bytes`);
  assert.ok(ticks > MAX_SKIPPED_SNAPSHOTS);
  assert.match(warnings.join('\n'), new RegExp(`${MAX_SKIPPED_SNAPSHOTS} snapshots skipped in a row`));
});

test('moments are never skipped: a client behind gets every moment once it reads again, and fewer snapshots than ticks', async (t) => {
  const { source, hub, open } = await liveServer(t);
  const c = await open();
  c.pause();
  let ticks = 0;
  while (c.server.bufferedAmount <= SKIP_SNAPSHOT_ABOVE && ticks < 10_000) {
    source.tick();
    ticks++;
    await turn();
  }
  assert.ok(c.server.bufferedAmount > SKIP_SNAPSHOT_ABOVE, 'the client fell behind');
  const sent = Array.from({ length: 10 }, (_, i) => moment(i));
  for (const m of sent) {
    source.tick([m]);
    ticks++;
    await turn();
  }
  c.resume();
  await waitFor('every moment', () => c.pushes.filter((p) => p.type === 'moment').length === sent.length || undefined);
  assert.deepEqual(
    c.pushes.filter((p) => p.type === 'moment').map((p) => p.moment?.id),
    sent.map((m) => m.id),
  );
  // a socket for every channel gets summaries, never windows
  assert.equal(c.pushes.filter((p) => p.type === 'windows').length, 0);
  const snapshots = c.pushes.filter((p) => p.type === 'summaries').length;
  assert.ok(snapshots > 0);
  assert.ok(snapshots < ticks, `${snapshots} snapshots for ${ticks} ticks`);
  assert.equal(hub.size, 1);
  assert.equal(c.ws.readyState, WebSocket.OPEN);
});

test('a client that would hold more than the hard cap of moments is terminated before it does', async (t) => {
  const { source, hub, warnings, open } = await liveServer(t);
  const c = await open('?channel=b');
  c.pause();
  let n = 0;
  let maxBuffered = 0;
  while (c.server.readyState === c.server.OPEN && n < 10_000) {
    source.tick([{ ...moment(n++, PAD), login: 'b' }]);
    maxBuffered = Math.max(maxBuffered, c.server.bufferedAmount);
    await turn();
  }
  assert.notEqual(c.server.readyState, c.server.OPEN, `still open after ${n} moments`);
  assert.equal(hub.size, 0);
  assert.ok(maxBuffered > SKIP_SNAPSHOT_ABOVE, `the buffer filled (${maxBuffered} bytes)`);
  assert.ok(maxBuffered <= MAX_BUFFERED, `held ${maxBuffered} bytes`);
  assert.match(warnings.join('\n'), /would hold more than/);
});
