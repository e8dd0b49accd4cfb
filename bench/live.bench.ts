// Live events (issue #14): delivery latency to N connected WebSocket clients and memory per
// client, each beside a bare `ws` broadcast to the same N clients in the same run. Every side runs
// in processes of its own (the fd limit is per process, and memory is each server's own growth):
// the server in one (--expose-gc), its N clients in another (bench/support/live-clients.ts), this
// process driving both over IPC. Clocks: performance.timeOrigin + performance.now() in each.
//
// 1. Hub: Lurk's event socket hub (src/live/push.ts) in a Fastify server as Lurk's, every client
//    watching one channel; latency from hub.publish() of an event push to its arrival. Anchor: a
//    bare ws WebSocketServer sending the same JSON text to every client (latency from the send loop).
// 2. Full path, when this build has login and the feed: a real Lurk in simulator mode (its own
//    process), logged in through the simulator's consent page as the broadcaster of one live
//    simulated channel, that channel a favourite; the N clients open /api/live/socket?channel= with
//    the session cookie; each event is a POST /_sim/trigger (channel.cheer unless
//    LURK_BENCH_LIVE_EVENT says another), latency from just before the POST to the event frame's
//    arrival (simulator → EventSub/chat → Lurk's feed → store → hub → client); an event pushed
//    again when its second source reads it counts at its first arrival. The world's own
//    events of the channel are told apart by Lurk's event id: an observer socket in this process
//    names the id of the first event after each trigger (the quietest live channel is used).
//    Anchor: the bare ws broadcast at the same N.
// Memory per client: growth of the server process's heap and buffers (external, array buffers)
// after full collections with the N clients connected, divided by N; the bare ws server's beside
// it. RSS growth is in the note: a process's RSS keeps pages that earlier work freed (Lurk's
// start, the simulator), so it says little per client.
//   LURK_BENCH_LIVE_CLIENTS=1000,10000 (default), LURK_BENCH_LIVE_MESSAGES=20 (measured, after 3 warm-up)
import WebSocket from 'ws';
import type { LiveEvent, LivePush } from '../src/live/types.js';
import type { BenchContext, Figure } from './lib.js';
import { startChild } from './support/live-children.js';
import { type DeliveryRun, type DeliveryTarget, deliver } from './support/live-delivery.js';
import type { LiveLurkCommand, LiveLurkMessage } from './support/live-lurk.js';
import type { LiveServerCommand, LiveServerMessage } from './support/live-server.js';

const now = () => performance.timeOrigin + performance.now();
const us = (n: number) => Math.round(n).toLocaleString('en-US');
const WARMUP = 3;

function envList(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const list = raw.split(',').map((s) => Number(s.trim()));
  if (list.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`${name} must list positive integers, not ${JSON.stringify(raw)}`);
  return list;
}

/** an event push as the feed sends it: a cheer with a message (about 500 bytes of JSON) */
function cheer(id: number): LivePush {
  const event: LiveEvent = {
    id,
    channel: 'bench_channel',
    channel_id: '41234567',
    type: 'cheer',
    at: new Date().toISOString(),
    user_id: '81234567',
    user_login: 'cheerful_viewer_42',
    user_name: 'Cheerful_Viewer_42',
    anonymous: false,
    tier: null,
    months: null,
    streak: null,
    count: null,
    bits: 100,
    viewers: null,
    message: 'Cheer100 great stream',
    title: null,
    category: null,
    sources: ['eventsub', 'chat'],
    read_at: null,
    read_by: null,
  };
  return { type: 'event', event };
}

async function serverSide(mode: 'hub' | 'bare', clients: number, messages: number, ctx: BenchContext): Promise<DeliveryRun> {
  const server = startChild<LiveServerCommand, LiveServerMessage>('live-server.ts', [mode], ctx.log);
  try {
    const { url } = await server.ask('ready');
    const target: DeliveryTarget = {
      url,
      memory: () => server.ask('memory', { cmd: 'memory' }),
      async send(i) {
        const sent = await server.ask('sent', { cmd: 'send', push: cheer(i + 1) });
        return { at: sent.at, id: i + 1, tookMs: sent.tookMs };
      },
    };
    return await deliver(target, { clients, messages, warmup: WARMUP, log: ctx.log });
  } finally {
    await server.stop({ cmd: 'close' });
  }
}

type LoginHelper = (lurkBase: string, login: string, features?: string) => Promise<{ cookie: string; csrf: string }>;

async function loginHelper(): Promise<LoginHelper | string> {
  try {
    const mod = (await import('../test/helpers/live.js' as string)) as { loginThroughSimulator?: LoginHelper };
    return mod.loginThroughSimulator ?? 'test/helpers/live.ts has no loginThroughSimulator';
  } catch (err) {
    return `no login helper in this build (${(err as Error).message.split('\n')[0]})`;
  }
}

/** the full path at each N, or why it could not run */
async function fullPath(ns: number[], messages: number, ctx: BenchContext): Promise<{ runs: Map<number, DeliveryRun>; channel: string } | { skipped: string }> {
  const login = await loginHelper();
  if (typeof login === 'string') return { skipped: login };
  const lurk = startChild<LiveLurkCommand, LiveLurkMessage>('live-lurk.ts', [], ctx.log);
  const observers: WebSocket[] = [];
  try {
    const ready = await lurk.ask('ready', undefined, 120_000);
    const channel = ready.live[0];
    if (!channel) return { skipped: 'the simulated world has no live channel' };
    const features = 'cheers,follows,subs';
    const session = await login(ready.base, channel.login, features);
    const headers = { cookie: session.cookie };
    const added = await fetch(`${ready.base}/api/live/favourites`, {
      method: 'POST',
      headers: { ...headers, 'x-csrf-token': session.csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ login: channel.login }),
    });
    if (added.status !== 201 && added.status !== 200) return { skipped: `POST /api/live/favourites answered ${added.status}: ${(await added.text()).slice(0, 200)}` };
    const url = `${ready.base.replace('http', 'ws')}/api/live/socket?channel=${channel.login}`;
    const type = process.env.LURK_BENCH_LIVE_EVENT ?? 'channel.cheer';

    // one socket here reads every frame: Lurk's id of the first event after each trigger is that trigger's
    const seen: { id: number; at: number }[] = [];
    const observer = new WebSocket(url, { headers });
    observers.push(observer);
    observer.on('message', (data) => {
      const push = JSON.parse(String(data)) as LivePush;
      // an event pushed again (its second source read it) is not the next trigger's
      if (push.type === 'event' && push.event.id > (seen.at(-1)?.id ?? 0)) seen.push({ id: push.event.id, at: now() });
    });
    await new Promise<void>((resolve, reject) => {
      observer.once('open', () => resolve());
      observer.once('unexpected-response', (_req, res) => reject(new Error(`the observer socket was refused: HTTP ${res.statusCode}`)));
      observer.once('error', reject);
    });
    const trigger = async (): Promise<{ at: number; id: number } | undefined> => {
      const from = seen.length;
      const at = now();
      const res = await fetch(`${ready.sim}/_sim/trigger`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type, broadcaster_user_id: channel.userId }) });
      if (!res.ok) throw new Error(`/_sim/trigger answered ${res.status}: ${await res.text()}`);
      const deadline = performance.now() + 10_000;
      while (performance.now() < deadline) {
        const next = seen.slice(from).find((s) => s.at >= at);
        if (next) return { at, id: next.id };
        await new Promise((r) => setTimeout(r, 5));
      }
      return undefined;
    };
    // the feed subscribes after the favourite is added: events flow once the first one arrives
    const warmDeadline = performance.now() + 90_000;
    let flowing = false;
    while (!flowing && performance.now() < warmDeadline) flowing = (await trigger()) !== undefined;
    if (!flowing) return { skipped: `no {type:'event'} frame within 90 s of triggering ${type} in ${channel.login}` };
    ctx.log(`full path: ${type} in ${channel.login} reaches the socket`);

    const runs = new Map<number, DeliveryRun>();
    for (const n of ns) {
      ctx.log(`full path: ${us(n)} clients…`);
      const target: DeliveryTarget = {
        url,
        headers,
        memory: () => lurk.ask('memory', { cmd: 'memory' }),
        async send() {
          const sent = await trigger();
          if (!sent) throw new Error(`a triggered ${type} never reached the observer socket`);
          return sent;
        },
      };
      runs.set(n, await deliver(target, { clients: n, messages, warmup: WARMUP, log: ctx.log }));
    }
    return { runs, channel: channel.login };
  } finally {
    for (const o of observers) o.terminate();
    await lurk.stop({ cmd: 'close' });
  }
}

const ms = (n: number) => Number(n.toFixed(2));

export default async function live(ctx: BenchContext) {
  const ns = envList('LURK_BENCH_LIVE_CLIENTS', ctx.quick ? [200] : [1000, 10_000]);
  const [messages] = envList('LURK_BENCH_LIVE_MESSAGES', [ctx.quick ? 5 : 20]);
  const figures: Figure[] = [];
  const hub = new Map<number, DeliveryRun>();
  const bare = new Map<number, DeliveryRun>();
  for (const n of ns) {
    ctx.log(`hub: ${us(n)} clients…`);
    hub.set(n, await serverSide('hub', n, messages!, ctx));
    ctx.log(`bare ws: ${us(n)} clients…`);
    bare.set(n, await serverSide('bare', n, messages!, ctx));
  }
  const full = await fullPath(ns, messages!, ctx);
  if ('skipped' in full) ctx.log(`full path skipped: ${full.skipped}`);

  const anchor = (n: number) => `bare ws broadcast, same ${us(n)} clients and message size`;
  for (const n of ns) {
    const h = hub.get(n)!;
    const b = bare.get(n)!;
    const f = 'runs' in full ? full.runs.get(n) : undefined;
    if (f) {
      for (const p of ['p50', 'p99'] as const) {
        figures.push({
          name: `live: delivery ${p}, simulator event → socket client, ${us(n)} clients${p === 'p99' && n >= 10_000 ? ' (goal ≤ 50 ms)' : ''}`,
          value: ms(f[p]),
          unit: 'ms',
          anchor: anchor(n),
          anchorValue: ms(b[p]),
          better: 'lower',
          note: `${f.messages} events, ${us(f.connected)} of ${us(n)} connected, ${f.missing} frames missing, max ${ms(f.max)} ms`,
        });
      }
    }
    for (const p of ['p50', 'p99'] as const) {
      figures.push({
        name: `live: delivery ${p}, hub.publish → socket client, ${us(n)} clients`,
        value: ms(h[p]),
        unit: 'ms',
        anchor: anchor(n),
        anchorValue: ms(b[p]),
        better: 'lower',
        note: `${h.messages} pushes, ${us(h.connected)} of ${us(n)} connected (${h.processes} client processes), ${h.missing} frames missing, max ${ms(h.max)} ms, publish() ${ms(h.sendMs ?? Number.NaN)} ms (bare: max ${ms(b.max)} ms, send loop ${ms(b.sendMs ?? Number.NaN)} ms)`,
      });
    }
    const server = f ?? h;
    const held = (r: DeliveryRun) => r.heapPerClient + r.externalPerClient;
    figures.push({
      name: `live: memory per connected client, ${f ? 'Lurk' : 'hub server'} heap and buffers, ${us(n)} clients`,
      value: Math.round(held(server)),
      unit: 'bytes',
      anchor: 'bare ws server, same clients',
      anchorValue: Math.round(held(b)),
      better: 'lower',
      note: `growth after full collections ÷ clients; RSS growth ${us(server.rssPerClient)} B per client (bare ${us(b.rssPerClient)} B), RSS keeps what earlier work freed${f ? `; the hub alone: ${us(held(h))} B` : ''}`,
    });
  }
  return {
    figures,
    details: {
      clients: ns,
      messages,
      warmup: WARMUP,
      hub: Object.fromEntries(hub),
      bare: Object.fromEntries(bare),
      full: 'runs' in full ? { channel: full.channel, runs: Object.fromEntries(full.runs) } : full,
    },
  };
}
