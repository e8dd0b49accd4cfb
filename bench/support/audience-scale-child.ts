// Child process of the Audience bench's scale part, run with --expose-gc so collections can be
// forced and the heap read cleanly, one side a process so neither's garbage weighs on the other:
// `engine`, the engine's figures (measureEngineScale, audience-scale.ts); `naive`, the anchor on
// the same presences, a naive Map<channel, Map<user, {firstAt, lastAt}>>: its heap after a full
// collection, and the same hot-path signals applied to it (get the channel's map, get the user's
// entry, set lastAt). Prints one JSON line.
//   node --expose-gc --import tsx bench/support/audience-scale-child.ts engine|naive <channels> <users> <signalsPerUser>
import { performance } from 'node:perf_hooks';
import { heldBytes, measureEngineScale, START, scaleWorld } from './audience-scale.js';

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
 * The same presences as measureEngineScale draws (scaleWorld: its seed, its Zipf-like draw), and
 * the same signals in the same order.
 */
function naiveScale(o: { channels: number; users: number; signalsPerUser: number }): NaiveScale {
  const { rng, channelNames, homes } = scaleWorld(o);
  gc!();
  gc!();
  const before = heldBytes();
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
  const heapBytes = heldBytes() - before;

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
