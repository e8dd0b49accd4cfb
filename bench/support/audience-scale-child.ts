// Child process of the Audience bench's scale part, run with --expose-gc so collections can be
// forced and the heap read cleanly, one side a process so neither's garbage weighs on the other:
// `engine`, the engine's figures (measureEngineScale, audience-scale.ts); `naive`, the anchor on
// the same presences, a naive Map<channel, Map<user, {firstAt, lastAt}>>: its heap after a full
// collection, and the same hot-path signals applied to it (get the channel's map, get the user's
// entry, set lastAt). Prints one JSON line.
//   node --expose-gc --import tsx bench/support/audience-scale-child.ts engine|naive <channels> <users> <signalsPerUser>
import { performance } from 'node:perf_hooks';
import { measureEngineScale } from './audience-scale.js';
import { mulberry32 } from './streams.js';

const START = Date.UTC(2026, 11, 1, 18);

interface Entry {
  firstAt: number;
  lastAt: number;
}

export interface NaiveScale {
  presences: number;
  heapBytes: number;
  signalsPerSecond: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

/**
 * The same presences as measureEngineScale draws (its seed, its Zipf-like draw: channel k weighs
 * 1 / (k + 1), a second channel for half the users), and the same signals in the same order.
 */
function naiveScale(o: { channels: number; users: number; signalsPerUser: number }): NaiveScale {
  const rng = mulberry32(13);
  const channelNames = Array.from({ length: o.channels }, (_, k) => `audience_channel_${k}`);
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
  const homes = new Int32Array(o.users * 2).fill(-1);
  for (let u = 0; u < o.users; u++) {
    homes[2 * u] = draw();
    if (rng() < 0.5) {
      const second = draw();
      if (second !== homes[2 * u]) homes[2 * u + 1] = second;
    }
  }
  gc!();
  gc!();
  const held = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const before = held();
  const table = new Map<string, Map<string, Entry>>();
  for (const c of channelNames) table.set(c, new Map());
  let presences = 0;
  for (let u = 0; u < o.users; u++) {
    const login = `viewer_${u}`;
    const at = START + Math.floor((u / o.users) * 60_000);
    for (const h of [homes[2 * u]!, homes[2 * u + 1]!]) {
      if (h < 0) continue;
      table.get(channelNames[h]!)!.set(login, { firstAt: at, lastAt: at });
      presences++;
    }
  }
  gc!();
  gc!();
  const heapBytes = held() - before;

  const sample = Math.min(o.users, 200_000);
  const logins = Array.from({ length: sample }, () => '');
  const chans: string[] = [];
  const order = Array.from({ length: sample }, () => Math.floor(rng() * o.users));
  for (let i = 0; i < sample; i++) chans.push(channelNames[homes[2 * order[i]!]!]!);
  const total = o.users * o.signalsPerUser;
  let done = 0;
  let elapsed = 0;
  let at = START + 62_000;
  while (done < total) {
    for (let i = 0; i < sample; i++) logins[i] = `viewer_${order[i]}`;
    const n = Math.min(sample, total - done);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const room = table.get(chans[i]!)!;
      const e = room.get(logins[i]!);
      if (e) e.lastAt = at;
      else room.set(logins[i]!, { firstAt: at, lastAt: at });
    }
    elapsed += performance.now() - t0;
    done += n;
    at += 10;
  }
  if (table.size !== o.channels) throw new Error('the naive table lost its channels');
  return { presences, heapBytes, signalsPerSecond: total / (elapsed / 1000) };
}

const side = process.argv[2];
const [channels = 10_000, users = 1_000_000, signalsPerUser = 5] = process.argv.slice(3).map(Number);
const o = { channels, users, signalsPerUser };
if (side !== 'engine' && side !== 'naive') throw new Error('the first argument is engine or naive');
process.stdout.write(`${JSON.stringify(side === 'engine' ? measureEngineScale(o) : naiveScale(o))}\n`);
