// What Audience's presence engine costs at the scale it is built for: 10,000 watched channels and a
// million users each present in one or two of them (channels drawn Zipf-like, as audiences are),
// measured as heap kept after a full collection, then the hot path's rate on that table: signals
// of users already present (the common case, a last-signal update), fresh strings as the parser
// makes them, and what one tick costs. Runnable on its own:
//   node --expose-gc --import tsx bench/support/audience-scale.ts [channels] [users] [signalsPerUser]
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createAudienceEngine } from '../../src/audience/tracker.js';
import { mulberry32 } from './streams.js';

/** the scale world's first signal */
export const START = Date.UTC(2026, 11, 1, 18);

export interface EngineScale {
  channels: number;
  users: number;
  presences: number;
  /** heap and array buffers kept by the engine after a full collection (what it holds, logins included) */
  heapBytes: number;
  bytesPerUser: number;
  /** the engine's own estimate (memory().bytes) */
  estimatedBytes: number;
  /** signals of users drawn uniformly from the million: every one a cache miss, the worst case */
  signalsPerSecond: number;
  /** signals as chat has them, 90% from 2% of the users */
  hotSignalsPerSecond: number;
  /** one tick after 5 s on the full table (expiry queue run, nothing due but what is due) */
  tickMs: number;
  /** the tick that meets every presence of the build due at once (re-queued or expired) */
  dueTickMs: number;
}

/** the garbage collector, exposed for this process even when node was started without --expose-gc */
function collector(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * The world both sides of the scale part measure (the engine here, the naive anchor in
 * audience-scale-child.ts): the channels' names, each user's one or two channels (`homes[2u]`,
 * `homes[2u + 1]`, -1 for none) and the generator that drew them, to draw the signals' users on.
 */
export function scaleWorld(o: { channels: number; users: number }): { rng: () => number; channelNames: string[]; homes: Int32Array } {
  const rng = mulberry32(13);
  const channelNames = Array.from({ length: o.channels }, (_, k) => `audience_channel_${k}`);
  // Zipf-ish: channel k's weight 1 / (k + 1); drawn by inverting the harmonic cumulative
  const cumulative = new Float64Array(o.channels);
  let sum = 0;
  for (let k = 0; k < o.channels; k++) cumulative[k] = sum += 1 / (k + 1);
  const draw = () => {
    const x = rng() * sum;
    let lo = 0;
    let hi = o.channels - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  // a second channel for half the users
  const homes = new Int32Array(o.users * 2).fill(-1);
  for (let u = 0; u < o.users; u++) {
    homes[2 * u] = draw();
    if (rng() < 0.5) {
      const second = draw();
      if (second !== homes[2 * u]) homes[2 * u + 1] = second;
    }
  }
  return { rng, channelNames, homes };
}

/** heap and array buffers in use: typed arrays' backing stores are outside heapUsed, counted with them */
export function heldBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

export function measureEngineScale(o: { channels: number; users: number; signalsPerUser: number }): EngineScale {
  const gc = collector();
  const { rng, channelNames, homes } = scaleWorld(o);
  gc();
  gc();
  const before = heldBytes();
  const engine = createAudienceEngine({ lingerMs: 600_000, windowMs: 600_000 });
  for (const c of channelNames) engine.watch(c, START);
  for (let u = 0; u < o.users; u++) {
    // fresh strings, as the parser makes them
    const login = `viewer_${u}`;
    const at = START + Math.floor((u / o.users) * 60_000);
    engine.signal(channelNames[homes[2 * u]!]!, login, 'names', at);
    if (homes[2 * u + 1]! >= 0) engine.signal(channelNames[homes[2 * u + 1]!]!, login, 'chat', at);
  }
  engine.drainActivity();
  engine.tick(START + 61_000);
  gc();
  gc();
  const heapBytes = heldBytes() - before;
  const mem = engine.memory();

  // the hot path: updates of existing presences, users in a random order (the worst case for
  // the caches: a million users' records). Fresh strings, sliced out of an IRC line as Lurk's
  // parser does, made a small batch at a time just before they are used (outside the timing):
  // in Lurk the line has just been parsed, so it is in the cache, not 30 MB away
  const BATCH = 1024;
  const logins = Array.from({ length: BATCH }, () => '');
  const chans = Array.from({ length: BATCH }, () => '');
  let at = START + 62_000;
  /** signals/s of `total` signals by users `pick` draws */
  const rate = (total: number, pick: () => number): number => {
    let done = 0;
    let elapsed = 0;
    while (done < total) {
      const n = Math.min(BATCH, total - done);
      for (let i = 0; i < n; i++) {
        const u = pick();
        const login = `viewer_${u}`;
        const line = `:${login}!${login}@${login}.tmi.twitch.tv PRIVMSG #${channelNames[homes[2 * u]!]} :hello there`;
        logins[i] = line.slice(1, line.indexOf('!'));
        const hash = line.indexOf('#');
        chans[i] = line.slice(hash + 1, line.indexOf(' ', hash));
      }
      const t0 = performance.now();
      for (let i = 0; i < n; i++) engine.signal(chans[i]!, logins[i]!, 'chat', at);
      elapsed += performance.now() - t0;
      done += n;
      if (done % (BATCH * 64) === 0) at += 1000;
    }
    return total / (elapsed / 1000);
  };
  const signalsPerSecond = rate(o.users * o.signalsPerUser, () => Math.floor(rng() * o.users));
  // chat as it is: most lines come from the few who chat a lot (here 90% from 2% of the users)
  const hot = Math.max(1, Math.floor(o.users / 50));
  const hotSignalsPerSecond = rate(o.users * o.signalsPerUser, () => (rng() < 0.9 ? Math.floor(rng() * hot) : Math.floor(rng() * o.users)));
  const t1 = performance.now();
  engine.tick(at + 5000);
  const tickMs = performance.now() - t1;
  // the heaviest tick there is: every presence of the build comes due in one go (a linger after
  // Lurk's start, all of them met in its first minute), each re-queued or expired
  const t2 = performance.now();
  engine.tick(START + 61_000 + 600_000);
  const dueTickMs = performance.now() - t2;
  // keep the engine alive through the measurements
  if (engine.memory().presences === 0) throw new Error('the engine lost its presences');
  return {
    channels: o.channels,
    users: mem.users,
    presences: mem.presences,
    heapBytes,
    bytesPerUser: heapBytes / o.users,
    estimatedBytes: mem.bytes,
    signalsPerSecond,
    hotSignalsPerSecond,
    tickMs,
    dueTickMs,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [channels = 10_000, users = 1_000_000, signalsPerUser = 5] = process.argv.slice(2).map(Number);
  const r = measureEngineScale({ channels, users, signalsPerUser });
  const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;
  console.log(`channels ${r.channels}, users ${r.users}, presences ${r.presences}`);
  console.log(`heap kept ${mb(r.heapBytes)} (${r.bytesPerUser.toFixed(0)} B/user); the engine's estimate ${mb(r.estimatedBytes)}`);
  console.log(
    `signals on existing presences: ${(r.signalsPerSecond / 1e6).toFixed(2)} M/s users drawn uniformly, ${(r.hotSignalsPerSecond / 1e6).toFixed(2)} M/s 90% from 2% of them; one tick ${r.tickMs.toFixed(1)} ms, the tick where all ${r.presences} come due ${r.dueTickMs.toFixed(0)} ms`,
  );
}
