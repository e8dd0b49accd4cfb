// The chat pool over the wire: chat the simulated world generates, read by Lurk's pool (in a
// process of its own) and delivered as chat.message items to its bus, against the rate at which
// the same world generates chat with nobody connected (goal ≥ 0.95 of it); and what a wanted
// channel costs the pool in memory, beside a bare Map of the same logins.
import { fork } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { InProcessBus } from '../src/core/bus.js';
import { SystemClock } from '../src/core/clock.js';
import { createLogger } from '../src/core/logger.js';
import { ircProtocol } from '../src/sim/protocols/irc/index.js';
import { Simulator } from '../src/sim/simulator.js';
import { ChatPool } from '../src/twitch/chat/pool.js';
import type { BenchContext, Figure } from './lib.js';

interface Counts {
  lines: number;
  joined: number;
}

async function linesPerSecond(count: () => number, seconds: number): Promise<number> {
  const l0 = count();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  return (count() - l0) / ((performance.now() - t0) / 1000);
}

/** the garbage collector, exposed for this process even when node was started without --expose-gc */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** heap bytes per item that `build` keeps, over `n` items */
function heapPer(n: number, build: (logins: string[]) => unknown): number {
  const logins = Array.from({ length: n }, (_, i) => `channel_${i}`);
  const gc = collector();
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = build(logins);
  gc();
  const bytes = process.memoryUsage().heapUsed - before;
  // held until measured, so the collector cannot take it first
  void kept;
  return bytes / n;
}

export default async function chatPoolBench(ctx: BenchContext): Promise<Figure[]> {
  const seconds = ctx.quick ? 2 : 6;
  // the world of bench/irc.bench.ts: 20 very large channels, the busiest chat it makes
  const sim = new Simulator({ seed: 7, channels: 20, live: 20, speed: 0, port: 0, ircPort: 0, ircWsPort: null, viewersPerLive: 6000, log: createLogger('warn') });
  sim.use(ircProtocol({ port: 0, wsPort: null }));
  const addresses = await sim.start();
  const figures: Figure[] = [];
  try {
    const rooms = [...sim.world.liveChannelList()].map((c) => sim.world.login(c));
    let latest: Counts = { lines: 0, joined: 0 };
    const reader = fork(path.join(ctx.root, 'bench/support/pool-reader.ts'), [String(addresses.ircPort), ...rooms], { stdio: 'ignore', execArgv: ['--import', 'tsx'] });
    reader.on('message', (m: Counts) => (latest = m));
    while (latest.joined < rooms.length) await new Promise((r) => setTimeout(r, 50));
    ctx.log(`world at speed 2000, the pool in ${rooms.length} rooms, ${seconds} s…`);
    sim.setSpeed(2000);
    while (latest.lines < 1000) await new Promise((r) => setTimeout(r, 50));
    const pool = await linesPerSecond(() => latest.lines, seconds);
    sim.setSpeed(0);
    reader.kill();

    ctx.log('anchor: the same world generating chat with no IRC client…');
    let generated = 0;
    const off = sim.world.onChat(() => generated++);
    sim.setSpeed(2000);
    await new Promise((r) => setTimeout(r, 500));
    const anchor = await linesPerSecond(() => generated, seconds);
    sim.setSpeed(0);
    off();
    figures.push({
      name: 'chat pool: world chat delivered to the bus as chat.message (goal ≥ 0.95 of the world)',
      value: pool,
      unit: 'messages/s',
      anchor: 'chat messages/s the same world generates with no client',
      anchorValue: anchor,
      better: 'higher',
      note: '20 live channels of ~6,000 viewers at world speed 2000; the pool in its own process, one anonymous connection',
    });
  } finally {
    await sim.stop();
  }

  const n = ctx.quick ? 10_000 : 100_000;
  const silent = createLogger('warn', new Writable({ write: (_c, _e, done) => done() }));
  const perChannel = heapPer(n, (logins) => {
    const pool = new ChatPool({ bus: new InProcessBus(), clock: new SystemClock(), log: silent });
    pool.want('bench', logins);
    return pool;
  });
  const bare = heapPer(n, (logins) => new Map(logins.map((l) => [l, {}])));
  figures.push({
    name: 'chat pool: memory per wanted channel',
    value: perChannel,
    unit: 'bytes',
    anchor: 'a Map of the same logins to empty objects',
    anchorValue: bare,
    better: 'lower',
    note: `${n.toLocaleString('en-US')} channels, heap after a full GC; connections add a socket and buffers per 100 channels`,
  });
  return figures;
}
