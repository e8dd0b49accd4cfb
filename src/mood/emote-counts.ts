// One channel's emote counts for the 1-, 5- and 15-minute windows and the open minute, kept exact
// at second resolution without a scan per snapshot: each use is counted in every window when it
// arrives and taken out of a window when its second leaves it. The uses wait in a ring (second,
// emote id) whose three read positions move forward with the windows' starts, so a snapshot costs
// a pass over the distinct emotes, not over the messages.
import type { EmoteCount } from './types.js';

/** the windows' lengths, shortest first (their starts leave the ring in that order) */
export const EMOTE_WINDOWS = [60, 300, 900] as const;
const LONGEST = EMOTE_WINDOWS.length - 1;
const MINUTE = 3;
const SLOTS = 4;

export class EmoteCounts {
  private readonly ids = new Map<string, number>();
  private names: (string | undefined)[] = [];
  private readonly free: number[] = [];
  /** by emote id then window (0, 1, 2), then the open minute (3): an emote's four counts share a cache line */
  private counts: Int32Array = new Int32Array(16 * SLOTS);
  /** emote ids used in the open minute, each once */
  private minuteIds: number[] = [];
  /** the uses' ring: (second, emote id) pairs */
  private occ: Int32Array = new Int32Array(2 * 64);
  /** uses written so far, and per window the uses already taken out (absolute positions) */
  private head = 0;
  private readonly tails = [0, 0, 0];

  add(name: string, sec: number): void {
    let id = this.ids.get(name);
    if (id === undefined) id = this.intern(name);
    const counts = this.counts;
    const at = id * SLOTS;
    counts[at]!++;
    counts[at + 1]!++;
    counts[at + 2]!++;
    if (counts[at + MINUTE]!++ === 0) this.minuteIds.push(id);
    if (this.head - this.tails[LONGEST]! === this.occ.length >> 1) this.growRing();
    const slot = (this.head & ((this.occ.length >> 1) - 1)) << 1;
    this.occ[slot] = sec;
    this.occ[slot + 1] = id;
    this.head++;
  }

  /** takes out of window `w` every use at or before `lastGoneSec`; call shorter windows first */
  evict(w: number, lastGoneSec: number): void {
    const counts = this.counts;
    const occ = this.occ;
    const mask = (occ.length >> 1) - 1;
    let tail = this.tails[w]!;
    while (tail < this.head && occ[(tail & mask) << 1]! <= lastGoneSec) {
      const id = occ[((tail & mask) << 1) + 1]!;
      counts[id * SLOTS + w]!--;
      if (w === LONGEST) this.release(id);
      tail++;
    }
    this.tails[w] = tail;
  }

  /** the `k` most used emotes of window `w` (0, 1, 2) or of the open minute (3), most used first */
  top(w: number, k: number): EmoteCount[] {
    const counts = this.counts;
    const count = (id: number) => counts[id * SLOTS + w]!;
    const best: number[] = [];
    const names = this.names;
    for (let id = 0; id < names.length; id++) {
      const c = count(id);
      if (c <= 0) continue;
      if (best.length === k && !outranks(c, names[id]!, count(best[k - 1]!), names[best[k - 1]!]!)) continue;
      let i = best.length === k ? k - 1 : best.length;
      while (i > 0 && outranks(c, names[id]!, count(best[i - 1]!), names[best[i - 1]!]!)) {
        best[i] = best[i - 1]!;
        i--;
      }
      best[i] = id;
    }
    return best.map((id) => ({ name: names[id]!, count: count(id) }));
  }

  /** the open minute's top `k`, then the minute's counts start again from zero */
  closeMinute(k: number): EmoteCount[] {
    const counts = this.counts;
    const minute = (id: number) => counts[id * SLOTS + MINUTE]!;
    const names = this.names;
    const ids = this.minuteIds.sort((a, b) => minute(b) - minute(a) || (names[a]! < names[b]! ? -1 : 1));
    const top = ids.slice(0, k).map((id) => ({ name: names[id]!, count: minute(id) }));
    for (const id of ids) {
      counts[id * SLOTS + MINUTE] = 0;
      this.release(id);
    }
    this.minuteIds = [];
    return top;
  }

  distinct(): number {
    return this.ids.size;
  }

  bytes(): number {
    let names = 0;
    for (const name of this.ids.keys()) names += 40 + 2 * name.length;
    return this.occ.byteLength + this.counts.byteLength + names + 8 * this.names.length;
  }

  private intern(name: string): number {
    const id = this.free.pop() ?? this.names.length;
    if ((id + 1) * SLOTS > this.counts.length) this.counts = grown(this.counts, 2 * this.counts.length);
    this.names[id] = name;
    this.ids.set(name, id);
    return id;
  }

  /** an emote no window and no open minute counts any more gives its id back */
  private release(id: number): void {
    if (this.counts[id * SLOTS + LONGEST] !== 0 || this.counts[id * SLOTS + MINUTE] !== 0) return;
    const name = this.names[id];
    if (name === undefined) return;
    this.ids.delete(name);
    this.names[id] = undefined;
    this.free.push(id);
  }

  private growRing(): void {
    const cap = this.occ.length; // pairs: twice the old capacity
    const occ = new Int32Array(2 * cap);
    const oldMask = (this.occ.length >> 1) - 1;
    for (let n = this.tails[LONGEST]!; n < this.head; n++) {
      occ[(n & (cap - 1)) << 1] = this.occ[(n & oldMask) << 1]!;
      occ[((n & (cap - 1)) << 1) + 1] = this.occ[((n & oldMask) << 1) + 1]!;
    }
    this.occ = occ;
  }
}

function outranks(count: number, name: string, otherCount: number, otherName: string): boolean {
  return count > otherCount || (count === otherCount && name < otherName);
}

function grown(a: Int32Array, length: number): Int32Array {
  const b = new Int32Array(length);
  b.set(a);
  return b;
}
