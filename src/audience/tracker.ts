// Audience's presence engine (the contract and the definitions are in engine.ts). Pure and in
// memory: the clock comes in as arguments. Built for 10,000 channels and a million users: users
// and channels are interned to integer ids, presences live in typed arrays (no object per
// presence), each user's presences are a singly linked list (one or two long for nearly every
// user; the one found is moved to the front so a bot in many rooms stays cheap when it repeats
// itself), each channel's a doubly linked list. Expiry is a queue of one-second buckets with a lazy
// re-check: a presence is queued once for its due time and, when its bucket comes, either expires
// or is queued again for its new due time, so a signal never touches the queue.
//
// How the definitions are read where engine.ts leaves a choice:
// - a PART's end is the PART's time; but a PART in A arriving at most MEMBERSHIP_LAG_MS after the
//   first signal in B (no signal in A since) still makes the move, left at B's first signal:
//   Twitch sends JOIN/PART late and in batches, so the two halves of one switch can come in either
//   order; so too when B's first signal found no departure to wait on (a silent member of A last
//   seen more than the window before, a user known in A only by that PART) and B has no move in
//   yet. A presence found expired when its user shows up again (no tick has said so yet) ends at
//   its last signal, lingerMs before, as a tick would have ended it.
// - an arrival takes the most recent departure before it; that departure is then held by it while
//   the candidate is pending (no other arrival takes it), freed if the candidate is withdrawn, and
//   spent once confirmed: one departure makes one move, however many rooms the user opens after.
// - a PART of a user with no presence in the channel (a room past 1,000 users sends no NAMES or
//   JOIN, and its PARTs resume once it falls below, as at its stream's end) is a presence that
//   ended at the PART, begun at some unknown time before: the leaving half of a move, never the
//   arriving one. A PART at most windowMs after the user's presence there closed (a repeat) adds
//   nothing. A PART read in the same instant as the first signal in B (one batch) precedes it.
// - "in A at the raid": A began no later than the raid (a presence known only by its PART: any
//   time before it) and closed (PART, stream end, or last signal + linger) no earlier than
//   RAID_PART_SLACK_MS before it.
//
// A presence's slot outlives its end by windowMs (a later first signal elsewhere can still match
// it as the leaving half of a move) and by CHAT_KEEP_MS after its last chat (activeChatters counts
// chatters over the last 10 minutes even with a shorter linger). A user whose last slot is freed is
// forgotten and their slot in the user table reused: the table holds only users seen within the
// linger, the window or the last 10 minutes of chat, which is what bounds memory over days.
import type { ActivityRow, AudienceEngine, AudienceEngineOptions, EngineEnded, EngineEvidence, EngineMove, EngineRaid, EngineTick, RaidReport } from './engine.js';
import type { SignalKind } from './types.js';

const KINDS: readonly SignalKind[] = ['chat', 'notice', 'join', 'part', 'names', 'chatters', 'raid'];
/** a kind's index in KINDS, -1 for anything else (a switch: no property lookup that 'toString' could answer) */
function kindIndex(kind: string): number {
  switch (kind) {
    case 'chat':
      return 0;
    case 'notice':
      return 1;
    case 'join':
      return 2;
    case 'part':
      return 3;
    case 'names':
      return 4;
    case 'chatters':
      return 5;
    case 'raid':
      return 6;
    default:
      return -1;
  }
}
const PART = 3;

const F_USED = 1;
const F_OPEN = 2;
const F_BASELINE = 4;
const F_TOUCHED = 8;
const F_PARTED = 16;
/** already the leaving half of a confirmed move: one departure makes one move */
const F_CONSUMED = 32;
/** seen by JOIN or NAMES: in a room that sends membership, it lasts until its PART */
const F_MEMBER = 64;
/** already the arriving half of a move (or pending as one): a late PART elsewhere does not make another */
const F_ARRIVED = 128;
const JOIN = 2;
const NAMES = 4;

const NONE = -1;
const KEY_NONE = -2147483648;
const KEY_KEPT = -2147483647;
const BUCKET_MS = 1000;
/** the longest login a user record holds (Twitch's are at most 25) */
const USER_CHARS = 27;
/** a user record's length byte: a free slot, a user forgotten, a login kept as a string beside the table */
const EMPTY = 0;
const TOMBSTONE = 254;
const ODD_USER = 255;

/** a closed presence with chat is kept this long after its last chat, for activeChatters' default */
const CHAT_KEEP_MS = 600_000;
/** the same raid from EventSub and the chat notice: reports of one pair this close are one */
const RAID_DEDUPE_MS = 5 * 60_000;
/** raids are kept this long after they happened: a move they caused may be confirmed only when a JOIN presence in A ends */
const RAID_KEEP_MS = 13 * 3_600_000;
/** the longest a JOIN or NAMES presence lasts without a signal while its room sends membership (a PART may be lost) */
const MEMBER_LINGER_MS = 12 * 3_600_000;
/** users who left this soon before a stream's end are its audience (its PARTs arrive before stream.offline) */
const ENDED_SLACK_MS = 120_000;
/** a PART in A this soon after the user's first signal in B still makes the move (membership lines come late, in batches) */
const MEMBERSHIP_LAG_MS = 30_000;
/** a PART this soon before the raid still counts as being in A at the raid: Twitch's PARTs for a raid arrive around its time */
const RAID_PART_SLACK_MS = 30_000;

/** a raid as the engine reports it, with what it keeps to count it */
interface RaidRecord extends EngineRaid {
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
  /** the room sends JOIN/PART (it has sent some, and no one has said it grew past 1,000 users since): its JOIN and NAMES presences wait for their PART */
  private readonly chMembers: boolean[] = [];

  // users: interned, ids reused once a user holds nothing. The user table is open addressing over
  // 32-byte records (the head of the user's presence list, then the login's length and bytes), a
  // user's id being its slot: a lookup reads one record, where a Map of a million strings costs
  // several cache misses (measured ~3 times slower). A user who holds nothing leaves a tombstone;
  // growing or clearing tombstones rebuilds the table and renumbers users (their presences with
  // them). Logins that are not short ASCII (never a Twitch login but in a test) keep their string
  // beside the table and are compared as strings.
  private uSize = 0;
  private uMask = 0;
  private uI = new Int32Array(0);
  private uB = new Uint8Array(0);
  private uMark = new Uint32Array(0);
  private mark = 0;
  private userCount = 0;
  private tombstones = 0;
  private oddNames = new Map<number, string>();
  /** the hash of the login last looked up, for the insert that may follow */
  private lastHash = 0;

  // presences: the fields the hot path reads in one 32-byte record (two a cache line): last and
  // last chat (Float64 0, 1), channel, next of the user's list, pending candidate (Int32 4, 5, 6),
  // flags, first and last kind (bytes 28, 29, 30); the rest a struct of arrays
  private cap = 0;
  private hF = new Float64Array(0);
  private hI = new Int32Array(0);
  private hB = new Uint8Array(0);
  private pUser = new Int32Array(0);
  private pFirst = new Float64Array(0);
  /** the end a move is measured from: the PART, or the last signal */
  private pEnd = new Float64Array(0);
  /** when it actually stopped being open (PART, stream end, last signal + linger): "in A at the raid" */
  private pClosed = new Float64Array(0);
  private pNextC = new Int32Array(0);
  private pPrevC = new Int32Array(0);
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
  /** moves that left in the last ENDED_SLACK_MS: a stream ending now counts them as its audience's */
  private recentMoves: EngineMove[] = [];

  constructor(o: AudienceEngineOptions) {
    this.linger = o.lingerMs;
    this.window = o.windowMs;
    this.warmup = o.warmupMs ?? 120_000;
    this.follow = o.endedFollowMs ?? 30 * 60_000;
    this.retention = o.retentionAfterMs ?? [10 * 60_000, 30 * 60_000];
    this.grow(1024);
    this.rebuildUsers(2048);
  }

  // ---- channels ----

  watch(channel: string, now: number): void {
    this.base(now);
    let c = this.chIds.get(channel);
    if (c === undefined) {
      c = this.chName.length;
      const own = ownString(channel);
      this.chIds.set(own, c);
      this.chName.push(own);
      this.chWatched.push(false);
      this.chWatchedAt.push(now);
      this.chHead.push(NONE);
      this.chOpen.push(0);
      this.chMembers.push(false);
    }
    if (this.chWatched[c]) return;
    this.chWatched[c] = true;
    this.chWatchedAt[c] = now;
    // whether the room sends membership is learnt again: its NAMES at the join says so
    this.chMembers[c] = false;
  }

  unwatch(channel: string, _now: number): void {
    const c = this.chIds.get(channel);
    if (c === undefined || !this.chWatched[c]) return;
    this.chWatched[c] = false;
    let p = this.chHead[c]!;
    while (p !== NONE) {
      const next = this.pNextC[p]!;
      const b = this.hI[(p << 3) + 6]!;
      if (b !== NONE) this.pFrom[b] = NONE;
      const a = this.pFrom[p]!;
      if (a !== NONE) this.hI[(a << 3) + 6] = NONE;
      this.hI[(p << 3) + 6] = NONE;
      this.pFrom[p] = NONE;
      this.free(p);
      p = next;
    }
    this.endedRecs = this.endedRecs.filter((r) => r.channel !== channel);
  }

  membership(channel: string, sends: boolean): void {
    const c = this.chIds.get(channel);
    if (c !== undefined) this.chMembers[c] = sends;
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
    const k = kindIndex(kind);
    if (k < 0 || k === PART) return;
    const member = k === JOIN || k === NAMES;
    if (member) this.chMembers[c] = true;
    let u = this.findUser(user);
    if (u === NONE) u = this.newUser(user);
    const p = this.findOpen(u, c);
    if (p !== NONE) {
      if (at - this.hF[p << 2]! < this.lingerOf(p)) {
        if (member) this.hB[(p << 5) + 28] = this.hB[(p << 5) + 28]! | F_MEMBER;
        if (at >= this.hF[p << 2]!) {
          this.hF[p << 2] = at;
          this.hB[(p << 5) + 30] = k;
        }
        if (k <= 1 && at > this.hF[(p << 2) + 1]!) this.hF[(p << 2) + 1] = at;
        const f = this.hB[(p << 5) + 28]!;
        if ((f & F_TOUCHED) === 0) {
          this.hB[(p << 5) + 28] = f | F_TOUCHED;
          this.touched.push(p);
        }
        const b = this.hI[(p << 3) + 6]!;
        // the user is seen in A again after arriving in B: they watch both
        if (b !== NONE && at >= this.pFirst[b]!) {
          this.hI[(p << 3) + 6] = NONE;
          this.pFrom[b] = NONE;
        }
        return;
      }
      // expired by now though no tick has said so yet: it ended, and this starts a new one
      this.expire(p, at);
    }
    this.begin(u, c, k, at);
  }

  part(channel: string, user: string, at: number): void {
    const c = this.chIds.get(channel);
    if (c === undefined || !this.chWatched[c]) return;
    this.chMembers[c] = true;
    let u = this.findUser(user);
    if (u === NONE) u = this.newUser(user);
    const p = this.findOpen(u, c);
    if (p === NONE || at - this.hF[p << 2]! >= this.lingerOf(p)) {
      if (p !== NONE) this.expire(p, at);
      // a user never seen here (a room past 1,000 users sent no NAMES or JOIN; its PARTs resume
      // once it falls below, as at its stream's end): the PART alone says they were here until now
      if (!this.leftLately(u, c, at)) this.lateSwitch(this.beginParted(u, c, at), u, c, at);
      return;
    }
    const f = this.hB[(p << 5) + 28]!;
    if ((f & F_TOUCHED) === 0) {
      this.hB[(p << 5) + 28] = f | F_TOUCHED;
      this.touched.push(p);
    }
    const pending = this.hI[(p << 3) + 6] !== NONE;
    this.close(p, Math.max(at, this.hF[p << 2]!), Math.max(at, this.hF[p << 2]!), true);
    if (!pending) this.lateSwitch(p, u, c, at);
  }

  /**
   * a PART in A that settled no pending move: an arrival elsewhere at most MEMBERSHIP_LAG_MS before
   * it (no move into it yet, the user not seen in A since it began) is the same switch, read late —
   * the arrival found no departure to pend on when it came (a silent member of A, last seen more
   * than the window before, or a user known in A only by this PART); left when B began
   */
  private lateSwitch(a: number, u: number, c: number, at: number): void {
    const partOnly = this.hB[(a << 5) + 29] === PART;
    const lastA = this.hF[a << 2]!;
    let best = NONE;
    for (let q = this.uI[u << 3]!; q !== NONE; q = this.hI[(q << 3) + 5]!) {
      if (q === a || this.hI[(q << 3) + 4] === c) continue;
      const f = this.hB[(q << 5) + 28]!;
      if ((f & F_OPEN) === 0 || (f & (F_BASELINE | F_ARRIVED)) !== 0 || this.pFrom[q] !== NONE) continue;
      const first = this.pFirst[q]!;
      if (first < at - MEMBERSHIP_LAG_MS || first > at || (!partOnly && lastA >= first)) continue;
      if (best === NONE || first < this.pFirst[best]!) best = q;
    }
    if (best === NONE) return;
    this.pEnd[a] = this.pFirst[best]!;
    this.confirm(a, best);
  }

  /** the user's open presence in the channel, moved to the front of their list; NONE when none */
  private findOpen(u: number, c: number): number {
    let prev = NONE;
    let p = this.uI[u << 3]!;
    while (p !== NONE) {
      if (this.hI[(p << 3) + 4] === c && (this.hB[(p << 5) + 28]! & F_OPEN) !== 0) {
        if (prev !== NONE) {
          this.hI[(prev << 3) + 5] = this.hI[(p << 3) + 5]!;
          this.hI[(p << 3) + 5] = this.uI[u << 3]!;
          this.uI[u << 3] = p;
        }
        return p;
      }
      prev = p;
      p = this.hI[(p << 3) + 5]!;
    }
    return NONE;
  }

  /** whether the user's departure from the channel is already known: a presence there closed at most windowMs before `at` */
  private leftLately(u: number, c: number, at: number): boolean {
    for (let q = this.uI[u << 3]!; q !== NONE; q = this.hI[(q << 3) + 5]!)
      if (this.hI[(q << 3) + 4] === c && (this.hB[(q << 5) + 28]! & F_OPEN) === 0 && at - this.pEnd[q]! <= this.window) return true;
    return false;
  }

  /** a presence known only by its PART: begun at some unknown time before it (first kind PART), ended at it; never an arrival */
  private beginParted(u: number, c: number, at: number): number {
    this.base(at);
    const p = this.alloc();
    this.pUser[p] = u;
    this.hI[(p << 3) + 4] = c;
    this.pFirst[p] = at;
    this.hF[p << 2] = at;
    this.hF[(p << 2) + 1] = Number.NEGATIVE_INFINITY;
    this.pEnd[p] = at;
    this.pClosed[p] = at;
    this.hB[(p << 5) + 28] = F_USED | F_TOUCHED | F_PARTED | F_MEMBER;
    this.touched.push(p);
    this.hB[(p << 5) + 29] = PART;
    this.hB[(p << 5) + 30] = PART;
    this.link(p, u, c);
    this.enqueue(p, this.freeDue(p));
    return p;
  }

  /** a new presence, with no move pending, at the head of its user's list and its channel's */
  private link(p: number, u: number, c: number): void {
    this.hI[(p << 3) + 6] = NONE;
    this.pFrom[p] = NONE;
    this.hI[(p << 3) + 5] = this.uI[u << 3]!;
    this.uI[u << 3] = p;
    const head = this.chHead[c]!;
    this.pNextC[p] = head;
    this.pPrevC[p] = NONE;
    if (head !== NONE) this.pPrevC[head] = p;
    this.chHead[c] = p;
  }

  private begin(u: number, c: number, k: number, at: number): void {
    this.base(at);
    const p = this.alloc();
    this.pUser[p] = u;
    this.hI[(p << 3) + 4] = c;
    this.pFirst[p] = at;
    this.hF[p << 2] = at;
    this.hF[(p << 2) + 1] = k <= 1 ? at : Number.NEGATIVE_INFINITY;
    this.pEnd[p] = 0;
    this.pClosed[p] = 0;
    const baseline = at - this.chWatchedAt[c]! < this.warmup;
    this.hB[(p << 5) + 28] = F_USED | F_OPEN | F_TOUCHED | (baseline ? F_BASELINE : 0) | (k === JOIN || k === NAMES ? F_MEMBER : 0);
    this.touched.push(p);
    this.hB[(p << 5) + 29] = k;
    this.hB[(p << 5) + 30] = k;
    this.link(p, u, c);
    this.chOpen[c]!++;
    this.enqueue(p, at + this.linger);
    if (!baseline) this.matchArrival(u, p, c, at);
  }

  /** a new presence in B: the user's most recent departure elsewhere within the window before it */
  private matchArrival(u: number, b: number, c: number, at: number): void {
    let best = NONE;
    let bestEnd = Number.NEGATIVE_INFINITY;
    for (let q = this.uI[u << 3]!; q !== NONE; q = this.hI[(q << 3) + 5]!) {
      if (q === b || this.hI[(q << 3) + 4] === c) continue;
      let f = this.hB[(q << 5) + 28]!;
      if ((f & F_OPEN) !== 0 && at - this.hF[q << 2]! >= this.lingerOf(q)) {
        this.expire(q, at);
        f = this.hB[(q << 5) + 28]!;
      }
      if ((f & F_CONSUMED) !== 0 || this.hI[(q << 3) + 6] !== NONE) continue;
      const end = (f & F_OPEN) !== 0 ? this.hF[q << 2]! : this.pEnd[q]!;
      // a PART read in the same instant as the arrival (one batch) is the same switch, as it is
      // when the arrival comes first (close()); a signal in A at that instant is not
      if ((end < at || (end === at && (f & F_PARTED) !== 0)) && at - end <= this.window && end > bestEnd) {
        best = q;
        bestEnd = end;
      }
    }
    if (best === NONE) return;
    if ((this.hB[(best << 5) + 28]! & F_OPEN) === 0) this.confirm(best, b);
    else {
      this.hI[(best << 3) + 6] = b;
      this.pFrom[b] = best;
    }
  }

  // ---- ends ----

  /** ended without a PART at its last signal; closed (for a raid's "in A at the raid") when its linger ran out, or at `now` if sooner */
  private expire(p: number, now = Number.POSITIVE_INFINITY): void {
    const last = this.hF[p << 2]!;
    this.close(p, last, Math.min(last + this.lingerOf(p), now), false);
  }

  /** how long the presence lasts after its last signal: until its PART (within reason) when it is a member of a room sending membership */
  private lingerOf(p: number): number {
    if ((this.hB[(p << 5) + 28]! & F_MEMBER) === 0) return this.linger;
    return this.chMembers[this.hI[(p << 3) + 4]!] ? MEMBER_LINGER_MS : this.linger;
  }

  private close(p: number, end: number, closedAt: number, parted: boolean): void {
    this.hB[(p << 5) + 28] = (this.hB[(p << 5) + 28]! & ~F_OPEN) | (parted ? F_PARTED : 0);
    this.pEnd[p] = end;
    this.pClosed[p] = closedAt;
    this.chOpen[this.hI[(p << 3) + 4]!]!--;
    const b = this.hI[(p << 3) + 6]!;
    if (b !== NONE) {
      const first = this.pFirst[b]!;
      if (end < first && first - end <= this.window) this.confirm(p, b);
      else if (parted && end - first <= MEMBERSHIP_LAG_MS) {
        // Twitch delivers PARTs late and in batches: one this soon after the first signal in B (with
        // none in A since) is the same switch, and the user is taken to have left A when B began
        this.pEnd[p] = first;
        this.confirm(p, b);
      } else {
        this.hI[(p << 3) + 6] = NONE;
        this.pFrom[b] = NONE;
      }
    }
    this.enqueue(p, this.freeDue(p));
  }

  private freeDue(p: number): number {
    return Math.max(this.pEnd[p]! + this.window, this.hF[(p << 2) + 1]! + CHAT_KEEP_MS) + 1;
  }

  private confirm(a: number, b: number): void {
    this.hI[(a << 3) + 6] = NONE;
    this.pFrom[b] = NONE;
    this.hB[(a << 5) + 28] = this.hB[(a << 5) + 28]! | F_CONSUMED;
    this.hB[(b << 5) + 28] = this.hB[(b << 5) + 28]! | F_ARRIVED;
    const user = this.nameOf(this.pUser[a]!);
    const from = this.chName[this.hI[(a << 3) + 4]!]!;
    const to = this.chName[this.hI[(b << 3) + 4]!]!;
    const leftAt = this.pEnd[a]!;
    const joinedAt = this.pFirst[b]!;
    const evidence: EngineEvidence[] = [{ channel: from, kind: KINDS[this.hB[(a << 5) + 30]!]!, at: this.hF[a << 2]! }];
    if ((this.hB[(a << 5) + 28]! & F_PARTED) !== 0) evidence.push({ channel: from, kind: 'part', at: this.pClosed[a]! });
    evidence.push({ channel: to, kind: KINDS[this.hB[(b << 5) + 29]!]!, at: joinedAt });
    let raid: RaidRecord | undefined;
    const first = this.pFirst[a]!;
    const closed = this.pClosed[a]!;
    for (const r of this.raids) {
      if (r.from !== from || r.to !== to || r.at > joinedAt || joinedAt - r.at > this.window) continue;
      // a presence known only by its PART began at some unknown time before it: in A at the raid if it closed around it
      if ((first > r.at && this.hB[(a << 5) + 29] !== PART) || closed < r.at - RAID_PART_SLACK_MS) continue;
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
    this.recentMoves.push(move);
    for (const e of this.endedRecs) this.countEnded(e, move);
  }

  /** a move out of an ended stream by one of its audience, within the follow-up time, counts to its destinations */
  private countEnded(e: EndedRecord, move: EngineMove): void {
    if (e.channel !== move.from || !e.audience.has(move.user) || move.joinedAt - e.endedAt > this.follow) return;
    const raid = move.cause === 'raid';
    e.moves++;
    if (raid) e.raidMoves++;
    e.followedUsers.add(move.user);
    let d = e.destinations.get(move.to);
    if (!d) {
      d = { count: 0, raid: 0 };
      e.destinations.set(move.to, d);
    }
    d.count++;
    if (raid) d.raid++;
    e.dirty = true;
  }

  streamEnded(channel: string, at: number): void {
    const c = this.chIds.get(channel);
    if (c === undefined || !this.chWatched[c]) return;
    const audience = new Set<string>();
    const ending: number[] = [];
    for (let p = this.chHead[c]!; p !== NONE; p = this.pNextC[p]!) {
      if ((this.hB[(p << 5) + 28]! & F_OPEN) === 0) {
        // left just before the end (the end's PARTs come before stream.offline does): audience too
        if (this.pEnd[p]! >= at - ENDED_SLACK_MS) audience.add(this.nameOf(this.pUser[p]!));
        continue;
      }
      if (at - this.hF[p << 2]! >= this.lingerOf(p)) this.expire(p, at);
      else {
        ending.push(p);
        audience.add(this.nameOf(this.pUser[p]!));
      }
    }
    // the record first: the moves its closing confirms are its audience's
    const rec: EndedRecord = { channel, endedAt: at, audience, followedUsers: new Set(), moves: 0, raidMoves: 0, destinations: new Map(), dirty: true };
    this.endedRecs.push(rec);
    // and the moves of those who left just before, confirmed already
    for (const m of this.recentMoves) if (m.leftAt >= at - ENDED_SLACK_MS) this.countEnded(rec, m);
    for (const p of ending) this.close(p, this.hF[p << 2]!, at, false);
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
      const u = this.findUser(login);
      if (u === NONE) continue;
      for (let p = this.uI[u << 3]!; p !== NONE; p = this.hI[(p << 3) + 5]!) {
        if (this.hI[(p << 3) + 4] !== c || this.pFirst[p]! > t) continue;
        const f = this.hB[(p << 5) + 28]!;
        const open = (f & F_OPEN) !== 0 ? this.hF[p << 2]! + this.lingerOf(p) > t : this.pClosed[p]! > t;
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
    if (this.recentMoves.length > 0) this.recentMoves = this.recentMoves.filter((m) => m.leftAt >= now - ENDED_SLACK_MS);
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
    const f = this.hB[(p << 5) + 28]!;
    if ((f & F_USED) === 0) return;
    if ((f & F_OPEN) !== 0) {
      const linger = this.lingerOf(p);
      const due = this.hF[p << 2]! + linger;
      if (due <= now) this.expire(p, now);
      // a member's room may stop sending membership (it grew past 1,000): looked at again within the usual linger
      else this.enqueue(p, linger === this.linger ? due : Math.min(due, now + this.linger));
      return;
    }
    let due = this.freeDue(p);
    let a = this.pFrom[p]!;
    // the arriving half of a pending move is kept until its A is settled: settled now if A's linger is over
    if (a !== NONE && (this.hB[(a << 5) + 28]! & F_OPEN) !== 0 && now - this.hF[a << 2]! >= this.lingerOf(a)) {
      this.expire(a, now);
      a = this.pFrom[p]!;
    }
    // (looked at again within the usual linger: a member A's may shorten when its room stops sending membership)
    if (a !== NONE) due = Math.max(due, Math.min(this.hF[a << 2]! + this.lingerOf(a), now + this.linger) + 1);
    if (due <= now) this.free(p);
    else this.enqueue(p, due);
  }

  // ---- slots and users ----

  /** the user's id, NONE when not held; leaves the login's hash in lastHash */
  findUser(login: string): number {
    const n = login.length;
    let h = 0x811c9dc5 | 0;
    let any = 0;
    for (let i = 0; i < n; i++) {
      const ch = login.charCodeAt(i);
      any |= ch;
      h = Math.imul(h ^ ch, 0x01000193);
    }
    this.lastHash = h;
    const odd = n > USER_CHARS || n === 0 || any > 127;
    const b = this.uB;
    const mask = this.uMask;
    for (let u = h & mask; ; u = (u + 1) & mask) {
      const o = u << 5;
      const len = b[o + 4]!;
      if (len === EMPTY) return NONE;
      if (len === ODD_USER) {
        if (odd && this.oddNames.get(u) === login) return u;
        continue;
      }
      if (len !== n || odd) continue;
      let same = true;
      for (let j = 0; j < n; j++)
        if (b[o + 5 + j] !== login.charCodeAt(j)) {
          same = false;
          break;
        }
      if (same) return u;
    }
  }

  /** a new user, right after findUser(login) found none */
  private newUser(login: string): number {
    if ((this.userCount + this.tombstones + 1) * 2 > this.uSize) {
      this.rebuildUsers((this.userCount + 1) * 4 > this.uSize ? this.uSize * 2 : this.uSize);
      this.findUser(login); // the hash again (unchanged), for the rebuilt table
    }
    const mask = this.uMask;
    const b = this.uB;
    let u = this.lastHash & mask;
    let tomb = NONE;
    for (; b[(u << 5) + 4] !== EMPTY; u = (u + 1) & mask) if (tomb === NONE && b[(u << 5) + 4] === TOMBSTONE) tomb = u;
    if (tomb !== NONE) {
      u = tomb;
      this.tombstones--;
    }
    this.store(u, login);
    this.userCount++;
    return u;
  }

  private store(u: number, login: string): void {
    const o = u << 5;
    this.uI[u << 3] = NONE;
    this.uMark[u] = 0;
    const n = login.length;
    let ascii = n > 0 && n <= USER_CHARS;
    for (let i = 0; ascii && i < n; i++) if (login.charCodeAt(i) > 127) ascii = false;
    if (!ascii) {
      this.uB[o + 4] = ODD_USER;
      this.oddNames.set(u, ownString(login));
      return;
    }
    this.uB[o + 4] = n;
    for (let i = 0; i < n; i++) this.uB[o + 5 + i] = login.charCodeAt(i);
  }

  /** a fresh table of `size` slots with every user in it, their presences renumbered with them */
  private rebuildUsers(size: number): void {
    const oldI = this.uI;
    const oldB = this.uB;
    const oldOdd = this.oddNames;
    const oldSize = this.uSize;
    const buffer = new ArrayBuffer(size * 32);
    this.uI = new Int32Array(buffer);
    this.uB = new Uint8Array(buffer);
    this.uMark = new Uint32Array(size);
    this.uSize = size;
    this.uMask = size - 1;
    this.oddNames = new Map();
    this.tombstones = 0;
    const mask = this.uMask;
    for (let old = 0; old < oldSize; old++) {
      const o = old << 5;
      const len = oldB[o + 4]!;
      if (len === EMPTY || len === TOMBSTONE) continue;
      let h = 0x811c9dc5 | 0;
      const odd = len === ODD_USER ? oldOdd.get(old)! : undefined;
      if (odd !== undefined) for (let i = 0; i < odd.length; i++) h = Math.imul(h ^ odd.charCodeAt(i), 0x01000193);
      else for (let i = 0; i < len; i++) h = Math.imul(h ^ oldB[o + 5 + i]!, 0x01000193);
      let u = h & mask;
      while (this.uB[(u << 5) + 4] !== EMPTY) u = (u + 1) & mask;
      this.uB.set(oldB.subarray(o, o + 32), u << 5);
      if (odd !== undefined) this.oddNames.set(u, odd);
      for (let p = oldI[old << 3]!; p !== NONE; p = this.hI[(p << 3) + 5]!) this.pUser[p] = u;
    }
  }

  private forgetUser(u: number): void {
    this.userCount--;
    this.tombstones++;
    this.uB[(u << 5) + 4] = TOMBSTONE;
    this.oddNames.delete(u);
  }

  private nameOf(u: number): string {
    const o = u << 5;
    const n = this.uB[o + 4]!;
    if (n === ODD_USER) return this.oddNames.get(u)!;
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.uB[o + 5 + i]!);
    return s;
  }

  private alloc(): number {
    let p = this.freeSlots.pop();
    if (p === undefined) {
      if (this.nextSlot >= this.cap) this.grow(Math.ceil(this.cap * 1.5));
      p = this.nextSlot++;
    }
    this.used++;
    return p;
  }

  private free(p: number): void {
    const f = this.hB[(p << 5) + 28]!;
    const u = this.pUser[p]!;
    const c = this.hI[(p << 3) + 4]!;
    if ((f & F_TOUCHED) !== 0) this.captured.push(this.row(p));
    if ((f & F_OPEN) !== 0) this.chOpen[c]!--;
    // a pending move loses either half with it: no pointer may outlive the slot, which is reused
    const from = this.pFrom[p]!;
    if (from !== NONE && this.hI[(from << 3) + 6] === p) this.hI[(from << 3) + 6] = NONE;
    const to = this.hI[(p << 3) + 6]!;
    if (to !== NONE && this.pFrom[to] === p) this.pFrom[to] = NONE;
    this.pFrom[p] = NONE;
    this.hI[(p << 3) + 6] = NONE;
    // out of the user's list
    let prev = NONE;
    for (let q = this.uI[u << 3]!; q !== NONE; q = this.hI[(q << 3) + 5]!) {
      if (q === p) {
        if (prev === NONE) this.uI[u << 3] = this.hI[(p << 3) + 5]!;
        else this.hI[(prev << 3) + 5] = this.hI[(p << 3) + 5]!;
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
    this.hB[(p << 5) + 28] = 0;
    this.pKey[p] = KEY_NONE;
    this.freeSlots.push(p);
    this.used--;
    if (this.uI[u << 3] === NONE) this.forgetUser(u);
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
    const hot = new ArrayBuffer(cap * 32);
    new Uint8Array(hot).set(this.hB);
    this.hF = new Float64Array(hot);
    this.hI = new Int32Array(hot);
    this.hB = new Uint8Array(hot);
    this.pUser = g32(this.pUser);
    this.pFirst = g64(this.pFirst);
    this.pEnd = g64(this.pEnd);
    this.pClosed = g64(this.pClosed);
    this.pNextC = g32(this.pNextC);
    this.pPrevC = g32(this.pPrevC);
    this.pFrom = g32(this.pFrom, NONE);
    this.pKey = g32(this.pKey, KEY_NONE);
    this.cap = cap;
  }

  // ---- reads ----

  private row(p: number): ActivityRow {
    return { channel: this.chName[this.hI[(p << 3) + 4]!]!, user: this.nameOf(this.pUser[p]!), firstAt: this.pFirst[p]!, lastAt: this.hF[p << 2]! };
  }

  drainActivity(): ActivityRow[] {
    const rows = this.captured;
    this.captured = [];
    for (const p of this.touched) {
      const f = this.hB[(p << 5) + 28]!;
      if ((f & F_TOUCHED) === 0) continue;
      this.hB[(p << 5) + 28] = f & ~F_TOUCHED;
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
      const t = this.hF[(p << 2) + 1]!;
      if (t < since || t > now) continue;
      const u = this.pUser[p]!;
      if (this.uMark[u] === this.mark) continue;
      this.uMark[u] = this.mark;
      n++;
    }
    return n;
  }

  memory(): { users: number; presences: number; bytes: number } {
    // a slot: its 32-byte hot record, 3 Float64 and 5 Int32 cold fields; a user: their 32-byte
    // record, a mark and two table Int32 (the table kept at most half full); the queue's plain
    // arrays hold 8 bytes an entry
    const slotBytes = this.cap * (32 + 3 * 8 + 5 * 4) + (this.freeSlots.length + this.touched.length) * 8;
    const userBytes = this.uSize * (32 + 4) + this.oddNames.size * 120;
    const queueBytes = this.queued * 8 + this.buckets.size * 32;
    return { users: this.userCount, presences: this.used, bytes: slotBytes + userBytes + queueBytes + this.chName.length * 100 };
  }
}

function endedView(e: EndedRecord, final: boolean): EngineEnded {
  const destinations = [...e.destinations].map(([channel, d]) => ({ channel, count: d.count, raid: d.raid })).sort((a, b) => b.count - a.count || (a.channel < b.channel ? -1 : 1));
  return { channel: e.channel, endedAt: e.endedAt, audience: e.audience.size, followed: e.followedUsers.size, moves: e.moves, raidMoves: e.raidMoves, destinations, final };
}
