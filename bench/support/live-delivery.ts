// One delivery run of the Live bench: N clients (a child process, live-clients.ts) on one server,
// its memory before and after they connected, then messages sent one at a time (the next once
// every client has the last, or after a timeout), each client noting when each arrived.
import { percentile, startChild } from './live-children.js';
import type { LiveClientsCommand, LiveClientsMessage, LiveClientsOptions } from './live-clients.js';

export interface ServerMemory {
  rss: number;
  heapUsed: number;
  external: number;
}

export interface DeliveryTarget {
  url: string;
  headers?: Record<string, string>;
  memory(): Promise<ServerMemory>;
  /** sends (or triggers) message `i`; resolves with the time it was sent (performance.timeOrigin + performance.now()) and the id of the event the clients will get */
  send(i: number): Promise<{ at: number; id: number; tookMs?: number }>;
}

export interface DeliveryRun {
  clients: number;
  processes: number;
  connected: number;
  connectSeconds: number;
  messages: number;
  /** ms from the send (or trigger) to the frame's arrival, over every client and measured message */
  p50: number;
  p99: number;
  max: number;
  /** frames that never arrived within the wait */
  missing: number;
  /** the server's own time in its send call (hub.publish, the bare broadcast loop), median ms; null when the send is a trigger */
  sendMs: number | null;
  /** growth with the clients connected, after full collections, per client */
  rssPerClient: number;
  heapPerClient: number;
  externalPerClient: number;
}

export interface DeliveryOptions {
  clients: number;
  messages: number;
  /** first messages not measured */
  warmup: number;
  /** client processes (default: one per 5,000 clients) */
  processes?: number;
  /** per message: how long to wait for every client to have it */
  waitMs?: number;
  log(message: string): void;
}

/**
 * Clients one process holds by default. One process reading 10,000 frames in turn adds its own
 * time per frame to every later client's latency, which clients on their own machines would not.
 */
const CLIENTS_PER_PROCESS = 5000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function deliver(target: DeliveryTarget, o: DeliveryOptions): Promise<DeliveryRun> {
  const before = await target.memory();
  const processes = o.processes ?? Math.max(1, Math.ceil(o.clients / CLIENTS_PER_PROCESS));
  const started = performance.now();
  const children = Array.from({ length: processes }, (_, k) => {
    const share = Math.floor(o.clients / processes) + (k < o.clients % processes ? 1 : 0);
    const options: LiveClientsOptions = { url: target.url, clients: share, ...(target.headers ? { headers: target.headers } : {}) };
    return startChild<LiveClientsCommand, LiveClientsMessage>('live-clients.ts', [JSON.stringify(options)], o.log);
  });
  // every child's answer to the same question, summed or concatenated
  const all = <T extends LiveClientsMessage['type']>(type: T, command?: LiveClientsCommand) => Promise.all(children.map((c) => c.ask(type, command)));
  try {
    const each = await all('connected');
    const connected = { clients: each.reduce((n, c) => n + c.clients, 0), failed: each.reduce((n, c) => n + c.failed, 0), firstError: each.find((c) => c.firstError)?.firstError ?? null };
    const connectSeconds = (performance.now() - started) / 1000;
    if (connected.failed > 0) o.log(`${connected.failed} of ${o.clients} clients failed to connect (first: ${connected.firstError})`);
    if (connected.clients === 0) throw new Error(`no client connected to ${target.url}: ${connected.firstError}`);
    await sleep(500);
    const after = await target.memory();
    const total = o.warmup + o.messages;
    const sentAt = new Map<number, number>();
    const sendMs: number[] = [];
    let missing = 0;
    const waitMs = o.waitMs ?? 10_000;
    for (let i = 0; i < total; i++) {
      const { at, id, tookMs } = await target.send(i);
      if (i >= o.warmup) {
        sentAt.set(id, at);
        if (tookMs !== undefined) sendMs.push(tookMs);
      }
      const deadline = performance.now() + waitMs;
      for (;;) {
        const counts = await all('count', { cmd: 'count', id });
        const count = { clients: counts.reduce((n, c) => n + c.clients, 0), open: counts.reduce((n, c) => n + c.open, 0) };
        if (count.clients >= connected.clients) break;
        if (performance.now() > deadline) {
          missing += connected.clients - count.clients;
          o.log(`message ${i} (event ${id}): ${connected.clients - count.clients} clients without it after ${waitMs} ms (${count.open} open)`);
          break;
        }
        await sleep(10);
      }
      await sleep(30);
    }
    const arrivals = (await all('report', { cmd: 'report' })).flatMap((r) => r.arrivals);
    const latencies: number[] = [];
    for (const mine of arrivals) {
      for (let k = 0; k < mine.length; k += 2) {
        const at = sentAt.get(mine[k]!);
        if (at !== undefined) latencies.push(mine[k + 1]! - at);
      }
    }
    latencies.sort((a, b) => a - b);
    const n = connected.clients;
    return {
      clients: o.clients,
      processes,
      connected: n,
      connectSeconds,
      messages: o.messages,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? Number.NaN,
      missing,
      sendMs:
        sendMs.length > 0
          ? percentile(
              sendMs.sort((a, b) => a - b),
              50,
            )
          : null,
      rssPerClient: (after.rss - before.rss) / n,
      heapPerClient: (after.heapUsed - before.heapUsed) / n,
      externalPerClient: (after.external - before.external) / n,
    };
  } finally {
    await Promise.all(children.map((c) => c.stop({ cmd: 'close' })));
  }
}
