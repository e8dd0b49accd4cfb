// One channel's emote counts for the 1-, 5- and 15-minute windows and the open minute, kept exact
// at second resolution without a scan per snapshot: each use is counted in every window when it
// arrives and taken out of a window when its second leaves it. The uses wait in a ring (second,
// emote id) whose three read positions move forward with the windows' starts, so a snapshot costs
// a pass over the distinct emotes, not over the messages.
import type { EmoteCount } from './types.js';

/** the windows' lengths, shortest first (their starts leave the ring in that order) */
export const EMOTE_WINDOWS = [60, 300, 900] as const;
const LONGEST = EMOTE_WINDOWS.length - 1;

export class EmoteCounts {
  private readonly ids = new Map<string, number>();
  private names: (string | undefined)[] = [];
  private readonly free: number[] = [];
  /** per window, then the open minute (index 3), counts by emote id */
  private counts: Int32Array[] = [new Int32Array(16), new Int32Array(16), new Int32Array(16), new Int32Array(16)];
  /** emote ids used in the open minute, each once */
  private minuteIds: number[] = [];
  private occSec = new Float64Array(64);
  private occId = new Int32Array(64);
  /** uses written so far, and per window the uses already taken out (absolute positions) */
  private head = 0;
  private readonly tails = [0, 0, 0];

  add(name: string, sec: number): void {
    let id = this.ids.get(name);
    if (id === undefined) id = this.intern(name);
    const minute = this.counts[3]!;
    this.counts[0]![id]!++;
    this.counts[1]![id]!++;
    this.counts[2]![id]!++;
    if (minute[id]!++ === 0) this.minuteIds.push(id);
    if (this.head - this.tails[LONGEST]! === this.occId.length) this.growRing();
    const at = this.head & (this.occId.length - 1);
    this.occSec[at] = sec;
    this.occId[at] = id;
    this.head++;
  }

  /** takes out of window `w` every use at or before `lastGoneSec`; call shorter windows first */
  evict(w: number, lastGoneSec: number): void {
    const counts = this.counts[w]!;
    const mask = this.occId.length - 1;
    let tail = this.tails[w]!;
    while (tail < this.head && this.occSec[tail & mask]! <= lastGoneSec) {
      const id = this.occId[tail & mask]!;
      counts[id]!--;
      if (w === LONGEST) this.release(id);
      tail++;
    }
    this.tails[w] = tail;
  }

  /** the `k` most used emotes of window `w` (0, 1, 2) or of the open minute (3), most used first */
  top(w: number, k: number): EmoteCount[] {
    const counts = this.counts[w]!;
    const best: number[] = [];
    const names = this.names;
    for (let id = 0; id < names.length; id++) {
      const c = counts[id]!;
      if (c <= 0) continue;
      if (best.length === k && !outranks(c, names[id]!, counts[best[k - 1]!]!, names[best[k - 1]!]!)) continue;
      let i = best.length === k ? k - 1 : best.length;
      while (i > 0 && outranks(c, names[id]!, counts[best[i - 1]!]!, names[best[i - 1]!]!)) {
        best[i] = best[i - 1]!;
        i--;
      }
      best[i] = id;
    }
    return best.map((id) => ({ name: names[id]!, count: counts[id]! }));
  }

  /** the open minute's top `k`, then the minute's counts start again from zero */
  closeMinute(k: number): EmoteCount[] {
    const minute = this.counts[3]!;
    const names = this.names;
    const ids = this.minuteIds.sort((a, b) => minute[b]! - minute[a]! || (names[a]! < names[b]! ? -1 : 1));
    const top = ids.slice(0, k).map((id) => ({ name: names[id]!, count: minute[id]! }));
    for (const id of ids) {
      minute[id] = 0;
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
    return this.occSec.byteLength + this.occId.byteLength + 4 * this.counts[0]!.byteLength + names + 8 * this.names.length;
  }

  private intern(name: string): number {
    const id = this.free.pop() ?? this.names.length;
    if (id >= this.counts[0]!.length) this.counts = this.counts.map((c) => grown(c, 2 * c.length));
    this.names[id] = name;
    this.ids.set(name, id);
    return id;
  }

  /** an emote no window and no open minute counts any more gives its id back */
  private release(id: number): void {
    if (this.counts[LONGEST]![id] !== 0 || this.counts[3]![id] !== 0) return;
    const name = this.names[id];
    if (name === undefined) return;
    this.ids.delete(name);
    this.names[id] = undefined;
    this.free.push(id);
  }

  private growRing(): void {
    const cap = 2 * this.occId.length;
    const sec = new Float64Array(cap);
    const ids = new Int32Array(cap);
    const oldMask = this.occId.length - 1;
    for (let n = this.tails[LONGEST]!; n < this.head; n++) {
      sec[n & (cap - 1)] = this.occSec[n & oldMask]!;
      ids[n & (cap - 1)] = this.occId[n & oldMask]!;
    }
    this.occSec = sec;
    this.occId = ids;
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
