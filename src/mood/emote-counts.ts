// One channel's emote counts for the 1-, 5- and 15-minute windows and the open minute, kept exact
// at second resolution without a scan per snapshot: each use is counted in every window when it
// arrives and taken out of a window when its second leaves it. The uses wait in a ring of
// (second, emote id, uses) entries, one per emote per second it was used in (a hundred "KEKW" in
// one second are one entry), whose three read positions move forward with the windows' starts.
// A snapshot costs a pass over the distinct emotes, not over the messages, and the ring holds at
// most one entry per emote per second of the last 15 minutes.
import type { EmoteCount } from './types.js';

/** the windows' lengths, shortest first (their starts leave the ring in that order) */
export const EMOTE_WINDOWS = [60, 300, 900] as const;
const LONGEST = EMOTE_WINDOWS.length - 1;
// an emote's slots: its count in each window (0, 1, 2), in the open minute, and its ring entry of the latest second
const MINUTE = 3;
const LAST_SEC = 4;
const LAST_SLOT = 5;
const SLOTS = 6;
/** a ring entry: second, emote id, uses */
const ENTRY = 3;
const NO_SECOND = -0x7fffffff;

export class EmoteCounts {
  private readonly ids = new Map<string, number>();
  private names: (string | undefined)[] = [];
  private readonly free: number[] = [];
  /** by emote id, SLOTS each: an emote's counts share a cache line */
  private counts: Int32Array = new Int32Array(16 * SLOTS);
  /** emote ids used in the open minute, each once */
  private minuteIds: number[] = [];
  private ring: Int32Array = new Int32Array(ENTRY * 64);
  private capacity = 64;
  /** entries written so far, and per window the entries already taken out (absolute positions) */
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
    // the current second's entry is in every window still, so it can take one more use
    if (counts[at + LAST_SEC] === sec) {
      this.ring[counts[at + LAST_SLOT]! + 2]!++;
      return;
    }
    if (this.head - this.tails[LONGEST]! === this.capacity) this.growRing();
    const slot = (this.head & (this.capacity - 1)) * ENTRY;
    this.ring[slot] = sec;
    this.ring[slot + 1] = id;
    this.ring[slot + 2] = 1;
    counts[at + LAST_SEC] = sec;
    counts[at + LAST_SLOT] = slot;
    this.head++;
  }

  /** takes out of window `w` every use at or before `lastGoneSec`; call shorter windows first */
  evict(w: number, lastGoneSec: number): void {
    const counts = this.counts;
    const ring = this.ring;
    const mask = this.capacity - 1;
    let tail = this.tails[w]!;
    while (tail < this.head) {
      const slot = (tail & mask) * ENTRY;
      if (ring[slot]! > lastGoneSec) break;
      const id = ring[slot + 1]!;
      counts[id * SLOTS + w]! -= ring[slot + 2]!;
      if (w === LONGEST) this.release(id);
      tail++;
    }
    this.tails[w] = tail;
  }

  /** the `k` most used emotes of window `w` (0, 1, 2) or of the open minute (3), most used first */
  top(w: number, k: number): EmoteCount[] {
    const counts = this.counts;
    const names = this.names;
    const best: number[] = [];
    let kth = 0;
    for (let id = 0; id < names.length; id++) {
      const c = counts[id * SLOTS + w]!;
      if (c <= 0 || (best.length === k && c < kth)) continue;
      const name = names[id]!;
      if (best.length === k && !outranks(c, name, kth, names[best[k - 1]!]!)) continue;
      let i = best.length === k ? k - 1 : best.length;
      while (i > 0 && outranks(c, name, counts[best[i - 1]! * SLOTS + w]!, names[best[i - 1]!]!)) {
        best[i] = best[i - 1]!;
        i--;
      }
      best[i] = id;
      kth = counts[best[best.length - 1]! * SLOTS + w]!;
    }
    return best.map((id) => ({ name: names[id]!, count: counts[id * SLOTS + w]! }));
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
    return this.ring.byteLength + this.counts.byteLength + names + 8 * this.names.length;
  }

  private intern(name: string): number {
    const id = this.free.pop() ?? this.names.length;
    if ((id + 1) * SLOTS > this.counts.length) this.counts = grown(this.counts, 2 * this.counts.length);
    this.counts[id * SLOTS + LAST_SEC] = NO_SECOND;
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
    const capacity = 2 * this.capacity;
    const ring = new Int32Array(ENTRY * capacity);
    for (let n = this.tails[LONGEST]!; n < this.head; n++) {
      const from = (n & (this.capacity - 1)) * ENTRY;
      const to = (n & (capacity - 1)) * ENTRY;
      ring[to] = this.ring[from]!;
      ring[to + 1] = this.ring[from + 1]!;
      ring[to + 2] = this.ring[from + 2]!;
    }
    // the entries moved: the next use of an emote this second starts a new one
    for (let at = LAST_SEC; at < this.counts.length; at += SLOTS) this.counts[at] = NO_SECOND;
    this.ring = ring;
    this.capacity = capacity;
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
