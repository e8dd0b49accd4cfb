// Audience's presence engine (the contract and the definitions are in engine.ts). Pure and in
// memory: the clock comes in as arguments. Built for 10,000 channels and a million users: users
// and channels are interned to integer ids, presences live in a struct of typed arrays (no object
// per presence), each user's presences are a singly linked list (one or two long for nearly every
// user; the one found is moved to the front so a bot in many rooms stays cheap when it repeats
// itself), each channel's a doubly linked list. Expiry is a queue of one-second buckets with a lazy
// re-check: a presence is queued once for its due time and, when its bucket comes, either expires
// or is queued again for its new due time, so a signal never touches the queue.
//
// A presence's slot outlives its end by windowMs (a later first signal elsewhere can still match
// it as the leaving half of a move) and by CHAT_KEEP_MS after its last chat (activeChatters counts
// chatters over the last 10 minutes even with a shorter linger). A user whose last slot is freed is
// forgotten and their id reused: the intern map holds only users seen within the linger, the
// window or the last 10 minutes of chat, which is what bounds memory over days.
import type { ActivityRow, AudienceEngine, AudienceEngineOptions, EngineEnded, EngineEvidence, EngineMove, EngineRaid, EngineTick, RaidReport } from './engine.js';
import type { SignalKind } from './types.js';

const KINDS: readonly SignalKind[] = ['chat', 'notice', 'join', 'part', 'names', 'chatters', 'raid'];
const KIND_INDEX: Record<string, number> = { chat: 0, notice: 1, join: 2, part: 3, names: 4, chatters: 5, raid: 6 };
const PART = 3;

const F_USED = 1;
const F_OPEN = 2;
const F_BASELINE = 4;
const F_TOUCHED = 8;
const F_PARTED = 16;
/** already the leaving half of a confirmed move: one departure makes one move */
const F_CONSUMED = 32;

const NONE = -1;
const KEY_NONE = -2147483648;
const KEY_KEPT = -2147483647;
const BUCKET_MS = 1000;

/** a closed presence with chat is kept this long after its last chat, for activeChatters' default */
const CHAT_KEEP_MS = 600_000;
/** the same raid from EventSub and the chat notice: reports of one pair this close are one */
const RAID_DEDUPE_MS = 5 * 60_000;
/** raids are forgotten this long after they happened (after their 30-minute retention) */
const RAID_KEEP_MS = 60 * 60_000;
/** a PART this soon before the raid still counts as being in A at the raid: Twitch's PARTs for a raid arrive around its time */
const RAID_PART_SLACK_MS = 30_000;

interface RaidRecord {
  id: string;
  from: string;
  to: string;
  at: number;
  viewers: number;
  sources: ('eventsub' | 'chat')[];
  raidersSeen: number;
  retained10m: number | null;
  retained30m: number | null;
  raiders: string[];
  dirty: boolean;
}

interface EndedRecord {
  channel: string;
  endedAt: number;
  audience: Set<string>;
  followedUsers: Set<string>;
  moves: number;
  raidMoves: number;
  destinations: Map<string, { count: number; raid: number }>;
  dirty: boolean;
}

export function createAudienceEngine(options: AudienceEngineOptions): AudienceEngine {
  return new Tracker(options);
}

/** a fresh copy of a login: a key sliced out of an IRC line would otherwise keep the whole line alive */
function ownString(s: string): string {
  return s.length >= 13 ? Buffer.from(s, 'utf8').toString('utf8') : s;
}

class Tracker implements AudienceEngine {
  private readonly linger: number;
  private readonly window: number;
  private readonly warmup: number;
  private readonly follow: number;
  private readonly retention: readonly [number, number];

  // channels: few (thousands), plain arrays; ids are never reused
  private readonly chIds = new Map<string, number>();
  private readonly chName: string[] = [];
  private readonly chWatched: boolean[] = [];
  private readonly chWatchedAt: number[] = [];
  private readonly chHead: number[] = [];
  private readonly chOpen: number[] = [];

  // users: interned, ids reused once a user holds nothing
  private readonly userIds = new Map<string, number>();
  private uName: (string | undefined)[] = [];
  private uHead = new Int32Array(1024).fill(NONE);
  private uMark = new Uint32Array(1024);
  private mark = 0;
  private readonly freeUsers: number[] = [];

  // presences: a struct of arrays
  private cap = 0;
  private pUser = new Int32Array(0);
  private pChan = new Int32Array(0);
  private pFirst = new Float64Array(0);
  private pLast = new Float64Array(0);
  private pLastChat = new Float64Array(0);
  /** the end a move is measured from: the PART, or the last signal */
  private pEnd = new Float64Array(0);
  /** when it actually stopped being open (PART, stream end, last signal + linger): "in A at the raid" */
  private pClosed = new Float64Array(0);
  private pFlags = new Uint8Array(0);
  private pFirstKind = new Uint8Array(0);
  private pLastKind = new Uint8Array(0);
  private pNextU = new Int32Array(0);
  private pNextC = new Int32Array(0);
  private pPrevC = new Int32Array(0);
  /** as A: the presence in B of a pending candidate move */
  private pCand = new Int32Array(0);
  /** as B: the presence in A of its pending candidate move */
  private pFrom = new Int32Array(0);
  /** the bucket of its one valid queue entry */
  private pKey = new Int32Array(0);
  private freeSlots: number[] = [];
  private nextSlot = 0;
  private used = 0;

  // the expiry queue
  private readonly buckets = new Map<number, number[]>();
  private queued = 0;
  private baseMs = Number.NaN;
  private nextKey = 0;
  private processing = KEY_NONE;
  private deferred: number[] = [];

  // drain
  private touched: number[] = [];
  private captured: ActivityRow[] = [];

  private movesOut: EngineMove[] = [];
  private raids: RaidRecord[] = [];
  private endedRecs: EndedRecord[] = [];

  constructor(o: AudienceEngineOptions) {
    this.linger = o.lingerMs;
    this.window = o.windowMs;
    this.warmup = o.warmupMs ?? 120_000;
    this.follow = o.endedFollowMs ?? 30 * 60_000;
    this.retention = o.retentionAfterMs ?? [10 * 60_000, 30 * 60_000];
    this.grow(1024);
  }

  // ---- channels ----

  watch(channel: string, now: number): void {
    this.base(now);
    let c = this.chIds.get(channel);
    if (c === undefined) {
      c = this.chName.length;
      this.chIds.set(ownString(channel), c);
      this.chName.push(channel);
      this.chWatched.push(false);
      this.chWatchedAt.push(now);
      this.chHead.push(NONE);
      this.chOpen.push(0);
    }
    if (this.chWatched[c]) return;
    this.chWatched[c] = true;
    this.chWatchedAt[c] = now;
  }

  unwatch(channel: string, _now: number): void {
    const c = this.chIds.get(channel);
    if (c === undefined || !this.chWatched[c]) return;
    this.chWatched[c] = false;
    let p = this.chHead[c]!;
    while (p !== NONE) {
      const next = this.pNextC[p]!;
      const b = this.pCand[p]!;
      if (b !== NONE) this.pFrom[b] = NONE;
      const a = this.pFrom[p]!;
      if (a !== NONE) this.pCand[a] = NONE;
      this.pCand[p] = NONE;
      this.pFrom[p] = NONE;
      this.free(p);
      p = next;
    }
    this.endedRecs = this.endedRecs.filter((r) => r.channel !== channel);
  }

  isWatched(channel: string): boolean {
    const c = this.chIds.get(channel);
    return c !== undefined && this.chWatched[c] === true;
  }

  watched(): string[] {
    const out: string[] = [];
    for (let c = 0; c < this.chName.length; c++) if (this.chWatched[c]) out.push(this.chName[c]!);
    return out;
  }

  // ---- the hot path ----

  signal(channel: string, user: string, kind: Exclude<SignalKind, 'part'>, at: number): void {
    const c = this.chIds.get(channel);
    if (c === undefined || !this.chWatched[c]) return;
    const k = KIND_INDEX[kind];
    if (k === undefined || k === PART) return;
    let u = this.userIds.get(user);
    if (u === undefined) u = this.newUser(user);
    const p = this.findOpen(u, c);
    if (p !== NONE) {
      if (at - this.pLast[p]! < this.linger) {
        if (at >= this.pLast[p]!) {
          this.pLast[p] = at;
          this.pLastKind[p] = k;
        }
        if (k <= 1 && at > this.pLastChat[p]!) this.pLastChat[p] = at;
        const f = this.pFlags[p]!;
        if ((f & F_TOUCHED) === 0) {
          this.pFlags[p] = f | F_TOUCHED;
          this.touched.push(p);
        }
        const b = this.pCand[p]!;
        // the user is seen in A again after arriving in B: they watch both
        if (b !== NONE && at >= this.pFirst[b]!) {
          this.pCand[p] = NONE;
          this.pFrom[b] = NONE;
        }
        return;
      }
      // expired by now though no tick has said so yet: it ended, and this starts a new one
      this.expire(p);
    }
    this.begin(u, c, k, at);
  }

  part(channel: string, user: string, at: number): void {
    const c = this.chIds.get(channel);
    if (c === undefined || !this.chWatched[c]) return;
    const u = this.userIds.get(user);
    if (u === undefined) return;
    const p = this.findOpen(u, c);
    if (p === NONE) return;
    if (at - this.pLast[p]! >= this.linger) {
      this.expire(p);
      return;
    }
    const f = this.pFlags[p]!;
    if ((f & F_TOUCHED) === 0) {
      this.pFlags[p] = f | F_TOUCHED;
      this.touched.push(p);
    }
    this.close(p, Math.max(at, this.pLast[p]!), Math.max(at, this.pLast[p]!), true);
  }

  /** the user's open presence in the channel, moved to the front of their list; NONE when none */
  private findOpen(u: number, c: number): number {
    let prev = NONE;
    let p = this.uHead[u]!;
    while (p !== NONE) {
      if (this.pChan[p] === c && (this.pFlags[p]! & F_OPEN) !== 0) {
        if (prev !== NONE) {
          this.pNextU[prev] = this.pNextU[p]!;
          this.pNextU[p] = this.uHead[u]!;
          this.uHead[u] = p;
        }
        return p;
      }
      prev = p;
      p = this.pNextU[p]!;
    }
    return NONE;
  }

  private begin(u: number, c: number, k: number, at: number): void {
    this.base(at);
    const p = this.alloc();
    this.pUser[p] = u;
    this.pChan[p] = c;
    this.pFirst[p] = at;
    this.pLast[p] = at;
    this.pLastChat[p] = k <= 1 ? at : Number.NEGATIVE_INFINITY;
    this.pEnd[p] = 0;
    this.pClosed[p] = 0;
    const baseline = at - this.chWatchedAt[c]! < this.warmup;
    this.pFlags[p] = F_USED | F_OPEN | F_TOUCHED | (baseline ? F_BASELINE : 0);
    this.touched.push(p);
    this.pFirstKind[p] = k;
    this.pLastKind[p] = k;
    this.pCand[p] = NONE;
    this.pFrom[p] = NONE;
    this.pNextU[p] = this.uHead[u]!;
    this.uHead[u] = p;
    const head = this.chHead[c]!;
    this.pNextC[p] = head;
    this.pPrevC[p] = NONE;
    if (head !== NONE) this.pPrevC[head] = p;
    this.chHead[c] = p;
    this.chOpen[c]!++;
    this.enqueue(p, at + this.linger);
    if (!baseline) this.matchArrival(u, p, c, at);
  }

  /** a new presence in B: the user's most recent departure elsewhere within the window before it */
  private matchArrival(u: number, b: number, c: number, at: number): void {
    let best = NONE;
    let bestEnd = Number.NEGATIVE_INFINITY;
    for (let q = this.uHead[u]!; q !== NONE; q = this.pNextU[q]!) {
      if (q === b || this.pChan[q] === c) continue;
      let f = this.pFlags[q]!;
      if ((f & F_OPEN) !== 0 && at - this.pLast[q]! >= this.linger) {
        this.expire(q);
        f = this.pFlags[q]!;
      }
      if ((f & F_CONSUMED) !== 0 || this.pCand[q] !== NONE) continue;
      const end = (f & F_OPEN) !== 0 ? this.pLast[q]! : this.pEnd[q]!;
      if (end < at && at - end <= this.window && end > bestEnd) {
        best = q;
        bestEnd = end;
      }
    }
    if (best === NONE) return;
    if ((this.pFlags[best]! & F_OPEN) === 0) this.confirm(best, b);
    else {
      this.pCand[best] = b;
      this.pFrom[b] = best;
    }
  }

  // ---- ends ----

  private expire(p: number): void {
    this.close(p, this.pLast[p]!, this.pLast[p]! + this.linger, false);
  }

  private close(p: number, end: number, closedAt: number, parted: boolean): void {
    this.pFlags[p] = (this.pFlags[p]! & ~F_OPEN) | (parted ? F_PARTED : 0);
    this.pEnd[p] = end;
    this.pClosed[p] = closedAt;
    this.chOpen[this.pChan[p]!]!--;
    const b = this.pCand[p]!;
    if (b !== NONE) {
      const first = this.pFirst[b]!;
      if (end < first && first - end <= this.window) this.confirm(p, b);
      else {
        this.pCand[p] = NONE;
        this.pFrom[b] = NONE;
      }
    }
    this.enqueue(p, this.freeDue(p));
  }

  private freeDue(p: number): number {
    return Math.max(this.pEnd[p]! + this.window, this.pLastChat[p]! + CHAT_KEEP_MS) + 1;
  }

  private confirm(a: number, b: number): void {
    this.pCand[a] = NONE;
    this.pFrom[b] = NONE;
    this.pFlags[a] = this.pFlags[a]! | F_CONSUMED;
    const user = this.uName[this.pUser[a]!]!;
    const from = this.chName[this.pChan[a]!]!;
    const to = this.chName[this.pChan[b]!]!;
    const leftAt = this.pEnd[a]!;
    const joinedAt = this.pFirst[b]!;
    const evidence: EngineEvidence[] = [{ channel: from, kind: KINDS[this.pLastKind[a]!]!, at: this.pLast[a]! }];
    if ((this.pFlags[a]! & F_PARTED) !== 0) evidence.push({ channel: from, kind: 'part', at: leftAt });
    evidence.push({ channel: to, kind: KINDS[this.pFirstKind[b]!]!, at: joinedAt });
    let raid: RaidRecord | undefined;
    const first = this.pFirst[a]!;
    const closed = this.pClosed[a]!;
    for (const r of this.raids) {
      if (r.from !== from || r.to !== to || r.at > joinedAt || joinedAt - r.at > this.window) continue;
      if (first > r.at || closed < r.at - RAID_PART_SLACK_MS) continue;
      if (raid === undefined || r.at > raid.at) raid = r;
    }
    const move: EngineMove = { user, from, to, leftAt, joinedAt, cause: raid ? 'raid' : 'organic', evidence };
    if (raid) {
      move.raidId = raid.id;
      raid.raidersSeen++;
      raid.raiders.push(user);
      raid.dirty = true;
    }
    this.movesOut.push(move);
    for (const e of this.endedRecs) {
      if (e.channel !== from || !e.audience.has(user) || joinedAt - e.endedAt > this.follow) continue;
      e.moves++;
      if (raid) e.raidMoves++;
      e.followedUsers.add(user);
      let d = e.destinations.get(to);
      if (!d) {
        d = { count: 0, raid: 0 };
        e.destinations.set(to, d);
      }
      d.count++;
      if (raid) d.raid++;
      e.dirty = true;
    }
  }

  streamEnded(channel: string, at: number): void {
    const c = this.chIds.get(channel);
    if (c === undefined || !this.chWatched[c]) return;
    const audience = new Set<string>();
    const ending: number[] = [];
    for (let p = this.chHead[c]!; p !== NONE; p = this.pNextC[p]!) {
      if ((this.pFlags[p]! & F_OPEN) === 0) continue;
      if (at - this.pLast[p]! >= this.linger) this.expire(p);
      else {
        ending.push(p);
        audience.add(this.uName[this.pUser[p]!]!);
      }
    }
    // the record first: the moves its closing confirms are its audience's
    const rec: EndedRecord = { channel, endedAt: at, audience, followedUsers: new Set(), moves: 0, raidMoves: 0, destinations: new Map(), dirty: true };
    this.endedRecs.push(rec);
    for (const p of ending) this.close(p, this.pLast[p]!, at, false);
  }

  // ---- raids ----

  raid(report: RaidReport): void {
    for (const r of this.raids) {
      if (r.from !== report.from || r.to !== report.to || Math.abs(r.at - report.at) > RAID_DEDUPE_MS) continue;
      if (!r.sources.includes(report.source)) {
        r.sources.push(report.source);
        r.dirty = true;
      }
      if (report.viewers > r.viewers) {
        r.viewers = report.viewers;
        r.dirty = true;
      }
      return;
    }
    this.raids.push({
      id: `${report.from}>${report.to}@${Math.floor(report.at / 1000)}`,
      from: report.from,
      to: report.to,
      at: report.at,
      viewers: report.viewers,
      sources: [report.source],
      raidersSeen: 0,
      retained10m: null,
      retained30m: null,
      raiders: [],
      dirty: true,
    });
  }

  /** raiders with a presence in the channel open at time t */
  private retainedAt(r: RaidRecord, t: number): number {
    const c = this.chIds.get(r.to);
    if (c === undefined) return 0;
    let n = 0;
    for (const login of new Set(r.raiders)) {
      const u = this.userIds.get(login);
      if (u === undefined) continue;
      for (let p = this.uHead[u]!; p !== NONE; p = this.pNextU[p]!) {
        if (this.pChan[p] !== c || this.pFirst[p]! > t) continue;
        const f = this.pFlags[p]!;
        const open = (f & F_OPEN) !== 0 ? this.pLast[p]! + this.linger > t : this.pClosed[p]! > t;
        if (open) {
          n++;
          break;
        }
      }
    }
    return n;
  }

  // ---- the tick ----

  tick(now: number): EngineTick {
    this.base(now);
    // retention before expiry: a presence due before the retention time is still open in the table
    for (const r of this.raids) {
      if (r.retained10m === null && now >= r.at + this.retention[0]) {
        r.retained10m = this.retainedAt(r, r.at + this.retention[0]);
        r.dirty = true;
      }
      if (r.retained30m === null && now >= r.at + this.retention[1]) {
        r.retained30m = this.retainedAt(r, r.at + this.retention[1]);
        r.dirty = true;
      }
    }
    this.runQueue(now);
    const raids: EngineRaid[] = [];
    for (const r of this.raids) {
      if (!r.dirty) continue;
      r.dirty = false;
      raids.push({ id: r.id, from: r.from, to: r.to, at: r.at, viewers: r.viewers, sources: [...r.sources], raidersSeen: r.raidersSeen, retained10m: r.retained10m, retained30m: r.retained30m });
    }
    this.raids = this.raids.filter((r) => now < r.at + Math.max(RAID_KEEP_MS, this.retention[1]) || r.retained30m === null);
    const ended: EngineEnded[] = [];
    const keep: EndedRecord[] = [];
    for (const e of this.endedRecs) {
      const final = now >= e.endedAt + this.follow;
      if (e.dirty || final) ended.push(endedView(e, final));
      e.dirty = false;
      if (!final) keep.push(e);
    }
    this.endedRecs = keep;
    const moves = this.movesOut;
    this.movesOut = [];
    return { moves, raids, ended };
  }

  private base(t: number): void {
    if (Number.isNaN(this.baseMs)) {
      this.baseMs = t;
      this.nextKey = 0;
    }
  }

  private keyOf(t: number): number {
    const k = Math.floor((t - this.baseMs) / BUCKET_MS);
    return Math.max(-2147483000, Math.min(k, 2147483000));
  }

  private enqueue(p: number, due: number): void {
    let k = this.keyOf(due);
    if (k < this.nextKey) k = this.nextKey;
    if (k === this.processing) {
      // into the bucket being run: after its pass, so the pass meets each presence once
      this.pKey[p] = KEY_KEPT;
      this.deferred.push(p);
      return;
    }
    this.pKey[p] = k;
    let b = this.buckets.get(k);
    if (b === undefined) {
      b = [];
      this.buckets.set(k, b);
    }
    b.push(p);
    this.queued++;
  }

  private runQueue(now: number): void {
    const nowKey = this.keyOf(now);
    let k = this.nextKey;
    while (k <= nowKey) {
      // enqueues never go below the bucket being run, so none is left behind
      this.nextKey = k;
      const list = this.buckets.get(k);
      if (list !== undefined) {
        this.buckets.delete(k);
        this.queued -= list.length;
        this.processing = k;
        for (let i = 0; i < list.length; i++) {
          const p = list[i]!;
          if (this.pKey[p] !== k) continue;
          this.pKey[p] = KEY_NONE;
          this.visit(p, now);
        }
        this.processing = KEY_NONE;
        const again = this.deferred;
        if (again.length > 0) {
          this.deferred = [];
          for (const p of again) this.pKey[p] = k;
          this.buckets.set(k, again);
          this.queued += again.length;
          // an earlier second is wholly due: run it again (what is left in now's second waits)
          if (k < nowKey) continue;
        }
      }
      if (k === nowKey) break;
      k = nowKey - k > 4096 ? this.nextBucketAfter(k, nowKey) : k + 1;
    }
    this.nextKey = nowKey;
  }

  /** a long gap between ticks: the next bucket there is rather than every second of it */
  private nextBucketAfter(k: number, nowKey: number): number {
    let next = nowKey;
    for (const key of this.buckets.keys()) if (key > k && key < next) next = key;
    return next;
  }

  private visit(p: number, now: number): void {
    const f = this.pFlags[p]!;
    if ((f & F_USED) === 0) return;
    if ((f & F_OPEN) !== 0) {
      const due = this.pLast[p]! + this.linger;
      if (due <= now) this.expire(p);
      else this.enqueue(p, due);
      return;
    }
    let due = this.freeDue(p);
    const a = this.pFrom[p]!;
    // the arriving half of a pending move is kept until its A is settled
    if (a !== NONE) due = Math.max(due, this.pLast[a]! + this.linger + 1);
    if (due <= now) this.free(p);
    else this.enqueue(p, due);
  }

  // ---- slots and users ----

  private newUser(login: string): number {
    let u = this.freeUsers.pop();
    if (u === undefined) {
      u = this.uName.length;
      if (u >= this.uHead.length) {
        const head = new Int32Array(this.uHead.length * 2).fill(NONE);
        head.set(this.uHead);
        this.uHead = head;
        const mark = new Uint32Array(this.uHead.length);
        mark.set(this.uMark);
        this.uMark = mark;
      }
      this.uName.push(undefined);
    }
    const own = ownString(login);
    this.uName[u] = own;
    this.uHead[u] = NONE;
    this.uMark[u] = 0;
    this.userIds.set(own, u);
    return u;
  }

  private alloc(): number {
    let p = this.freeSlots.pop();
    if (p === undefined) {
      if (this.nextSlot >= this.cap) this.grow(this.cap * 2);
      p = this.nextSlot++;
    }
    this.used++;
    return p;
  }

  private free(p: number): void {
    const f = this.pFlags[p]!;
    const u = this.pUser[p]!;
    const c = this.pChan[p]!;
    if ((f & F_TOUCHED) !== 0) this.captured.push(this.row(p));
    if ((f & F_OPEN) !== 0) this.chOpen[c]!--;
    // out of the user's list
    let prev = NONE;
    for (let q = this.uHead[u]!; q !== NONE; q = this.pNextU[q]!) {
      if (q === p) {
        if (prev === NONE) this.uHead[u] = this.pNextU[p]!;
        else this.pNextU[prev] = this.pNextU[p]!;
        break;
      }
      prev = q;
    }
    // out of the channel's
    const pc = this.pPrevC[p]!;
    const nc = this.pNextC[p]!;
    if (pc === NONE) this.chHead[c] = nc;
    else this.pNextC[pc] = nc;
    if (nc !== NONE) this.pPrevC[nc] = pc;
    this.pFlags[p] = 0;
    this.pKey[p] = KEY_NONE;
    this.freeSlots.push(p);
    this.used--;
    if (this.uHead[u] === NONE) {
      const name = this.uName[u]!;
      this.userIds.delete(name);
      this.uName[u] = undefined;
      this.freeUsers.push(u);
    }
  }

  private grow(cap: number): void {
    const g32 = (a: Int32Array, fill?: number) => {
      const n = new Int32Array(cap);
      if (fill !== undefined) n.fill(fill);
      n.set(a);
      return n;
    };
    const g64 = (a: Float64Array) => {
      const n = new Float64Array(cap);
      n.set(a);
      return n;
    };
    const g8 = (a: Uint8Array) => {
      const n = new Uint8Array(cap);
      n.set(a);
      return n;
    };
    this.pUser = g32(this.pUser);
    this.pChan = g32(this.pChan);
    this.pFirst = g64(this.pFirst);
    this.pLast = g64(this.pLast);
    this.pLastChat = g64(this.pLastChat);
    this.pEnd = g64(this.pEnd);
    this.pClosed = g64(this.pClosed);
    this.pFlags = g8(this.pFlags);
    this.pFirstKind = g8(this.pFirstKind);
    this.pLastKind = g8(this.pLastKind);
    this.pNextU = g32(this.pNextU);
    this.pNextC = g32(this.pNextC);
    this.pPrevC = g32(this.pPrevC);
    this.pCand = g32(this.pCand, NONE);
    this.pFrom = g32(this.pFrom, NONE);
    this.pKey = g32(this.pKey, KEY_NONE);
    this.cap = cap;
  }

  // ---- reads ----

  private row(p: number): ActivityRow {
    return { channel: this.chName[this.pChan[p]!]!, user: this.uName[this.pUser[p]!]!, firstAt: this.pFirst[p]!, lastAt: this.pLast[p]! };
  }

  drainActivity(): ActivityRow[] {
    const rows = this.captured;
    this.captured = [];
    for (const p of this.touched) {
      const f = this.pFlags[p]!;
      if ((f & F_TOUCHED) === 0) continue;
      this.pFlags[p] = f & ~F_TOUCHED;
      rows.push(this.row(p));
    }
    this.touched = [];
    return rows;
  }

  present(channel: string): number {
    const c = this.chIds.get(channel);
    return c === undefined || !this.chWatched[c] ? 0 : this.chOpen[c]!;
  }

  activeChatters(channel: string, now: number, sinceMs = 600_000): number {
    const c = this.chIds.get(channel);
    if (c === undefined || !this.chWatched[c]) return 0;
    const since = now - sinceMs;
    // a user may hold a closed and an open presence in one channel: counted once
    this.mark = (this.mark + 1) >>> 0 || 1;
    let n = 0;
    for (let p = this.chHead[c]!; p !== NONE; p = this.pNextC[p]!) {
      const t = this.pLastChat[p]!;
      if (t < since || t > now) continue;
      const u = this.pUser[p]!;
      if (this.uMark[u] === this.mark) continue;
      this.uMark[u] = this.mark;
      n++;
    }
    return n;
  }

  memory(): { users: number; presences: number; bytes: number } {
    // per slot: 8 Float64 fields' worth (5 × 8) + 8 Int32 (8 × 4) + 3 Uint8; per user an intern map
    // entry, its login and the id arrays (~90 bytes measured with V8's Map and short strings)
    const slotBytes = this.cap * (5 * 8 + 8 * 4 + 3) + (this.freeSlots.length + this.touched.length) * 8;
    const userBytes = this.userIds.size * 90 + this.uHead.length * 8 + this.uName.length * 8 + this.freeUsers.length * 8;
    const queueBytes = this.queued * 8 + this.buckets.size * 32;
    return { users: this.userIds.size, presences: this.used, bytes: slotBytes + userBytes + queueBytes + this.chName.length * 100 };
  }
}

function endedView(e: EndedRecord, final: boolean): EngineEnded {
  const destinations = [...e.destinations].map(([channel, d]) => ({ channel, count: d.count, raid: d.raid })).sort((a, b) => b.count - a.count || (a.channel < b.channel ? -1 : 1));
  return { channel: e.channel, endedAt: e.endedAt, audience: e.audience.size, followed: e.followedUsers.size, moves: e.moves, raidMoves: e.raidMoves, destinations, final };
}
