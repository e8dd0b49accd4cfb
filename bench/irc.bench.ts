// IRC throughput: chat the simulated world generates, rendered by the simulator's IRC server
// and received by one TCP connection (target ≥ 50,000 messages/s), against the rate at which the
// same world generates chat with nobody connected (the ceiling the IRC layer can reach).
import { fork } from 'node:child_process';
import path from 'node:path';
import { createLogger } from '../src/core/logger.js';
import { ircProtocol } from '../src/sim/protocols/irc/index.js';
import { Simulator } from '../src/sim/simulator.js';
import type { BenchContext, Figure } from './lib.js';

interface ReaderCounts {
  lines: number;
  bytes: number;
}

/** lines per second a reader receives over `seconds`, after it has started receiving */
async function measure(reader: ReturnType<typeof fork>, seconds: number): Promise<{ linesPerSecond: number; bytesPerLine: number }> {
  let latest: ReaderCounts = { lines: 0, bytes: 0 };
  reader.on('message', (m: ReaderCounts) => (latest = m));
  while (latest.lines < 1000) await new Promise((r) => setTimeout(r, 50));
  const start = { ...latest, at: performance.now() };
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const end = { ...latest, at: performance.now() };
  const lines = end.lines - start.lines;
  return { linesPerSecond: lines / ((end.at - start.at) / 1000), bytesPerLine: (end.bytes - start.bytes) / Math.max(1, lines) };
}

export default async function ircBench(ctx: BenchContext): Promise<Figure[]> {
  const seconds = ctx.quick ? 2 : 6;
  const support = path.join(ctx.root, 'bench/support');
  // a few very large channels, the busiest chat the world makes; 20 of them, because one
  // connection may JOIN only 20 channels per 10 s (Twitch's limit, which the simulator keeps)
  const sim = new Simulator({ seed: 7, channels: 20, live: 20, speed: 0, port: 0, ircPort: 0, ircWsPort: null, viewersPerLive: 6000, log: createLogger('warn') });
  sim.use(ircProtocol({ port: 0, wsPort: null }));
  const addresses = await sim.start();
  try {
    const rooms = [...sim.world.liveChannelList()].map((c) => sim.world.login(c));
    const reader = fork(path.join(support, 'irc-reader.mjs'), [String(addresses.ircPort), ...rooms], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 500));
    ctx.log(`world at speed 2000, one connection in ${rooms.length} rooms, ${seconds} s…`);
    sim.setSpeed(2000);
    const world = await measure(reader, seconds);
    sim.setSpeed(0);
    reader.kill();

    ctx.log('anchor: the same world generating chat with no IRC client…');
    let generated = 0;
    const count = sim.world.onChat(() => generated++);
    sim.setSpeed(2000);
    await new Promise((r) => setTimeout(r, 500));
    const g0 = generated;
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const anchor = { linesPerSecond: (generated - g0) / ((performance.now() - t0) / 1000) };
    sim.setSpeed(0);
    count();
    return [
      {
        name: 'sim IRC: world chat delivered to one TCP connection (target ≥ 50,000/s)',
        value: world.linesPerSecond,
        unit: 'lines/s',
        anchor: 'chat messages/s the same world generates with no client',
        anchorValue: anchor.linesPerSecond,
        better: 'higher',
        note: `20 live channels of ~6,000 viewers at world speed 2000; ~${Math.round(world.bytesPerLine)} bytes per line with tags`,
      },
    ];
  } finally {
    await sim.stop();
  }
}
