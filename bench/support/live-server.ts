// The Live bench's servers, each in a process of its own run with --expose-gc (its memory per
// client is its own growth, nothing else's):
//   hub:  Lurk's event socket hub (src/live/push.ts) in a Fastify server as Lurk's, with a source
//         that lets every socket watch one channel; pushes go through hub.publish
//   bare: a bare `ws` WebSocketServer broadcasting the same text to every client (ws's README way)
//   argv[2]: 'hub' | 'bare'
import websocket from '@fastify/websocket';
import Fastify from 'fastify';
import { WebSocketServer } from 'ws';
import { createLogger } from '../../src/core/logger.js';
import { createMetrics } from '../../src/core/metrics.js';
import type { LiveSocketSource } from '../../src/live/parts.js';
import { LIVE_SOCKET_PATH, LiveHub } from '../../src/live/push.js';
import type { LivePush } from '../../src/live/types.js';
import { installErrorHandling } from '../../src/web/errors.js';

export const BENCH_CHANNEL = 'bench_channel';

export type LiveServerCommand = { cmd: 'memory' } | { cmd: 'send'; push: LivePush } | { cmd: 'close' };
export type LiveServerMessage = { type: 'ready'; url: string } | { type: 'memory'; rss: number; heapUsed: number; external: number; clients: number } | { type: 'sent'; at: number; tookMs: number };

const now = () => performance.timeOrigin + performance.now();
const send = (message: LiveServerMessage) => process.send?.(message);

/** after two full collections, what this process holds */
export function memory(clients: number): LiveServerMessage {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { type: 'memory', rss: m.rss, heapUsed: m.heapUsed, external: m.external + m.arrayBuffers, clients };
}

async function hubServer(): Promise<{ url: string; publish(push: LivePush): void; size(): number; close(): Promise<void> }> {
  const hub = new LiveHub({ maxClients: 1_000_000, log: createLogger('warn'), metrics: createMetrics() });
  const app = Fastify();
  installErrorHandling(app);
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  const source: LiveSocketSource = {
    authorize: async () => BENCH_CHANNEL,
    hello: async (channel) => ({ type: 'hello', channel, events: [], chat: [] }),
  };
  await hub.register(app, source);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: `${base.replace('http', 'ws')}${LIVE_SOCKET_PATH}?channel=${BENCH_CHANNEL}`,
    publish: (push) => hub.publish(BENCH_CHANNEL, push),
    size: () => hub.size,
    close: async () => {
      await hub.close();
      await app.close();
    },
  };
}

async function bareServer(): Promise<{ url: string; publish(push: LivePush): void; size(): number; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  wss.on('connection', (ws) => ws.send(JSON.stringify({ type: 'hello', channel: BENCH_CHANNEL, events: [], chat: [] })));
  const { port } = wss.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}/`,
    publish: (push) => {
      const text = JSON.stringify(push);
      for (const client of wss.clients) client.send(text);
    },
    size: () => wss.clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

if (process.argv[1]?.endsWith('live-server.ts')) {
  const server = process.argv[2] === 'bare' ? await bareServer() : await hubServer();
  process.on('message', async (command: LiveServerCommand) => {
    if (command.cmd === 'memory') send(memory(server.size()));
    else if (command.cmd === 'send') {
      const at = now();
      server.publish(command.push);
      send({ type: 'sent', at, tookMs: now() - at });
    } else {
      await server.close();
      process.exit(0);
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', url: server.url });
}
