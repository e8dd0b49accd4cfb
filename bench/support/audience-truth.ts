// Audience's accuracy against the simulator's truth: the true moves (/_sim/truth/moves), the
// matcher that pairs reported moves with them, and the rule that says which true moves Lurk could
// have seen on the wire at all. Both methods (Lurk's and the seed method) are scored with the same
// matcher over the same signals.
//
// The matcher. A reported move (user, A → B, left_at L, joined_at J) claims: the user was last
// seen in A at L and first seen in B at J, and moved in between. It matches a true move of the same
// user from A to B when
//   true left_at   ≥ L − slack      (the user really was still in A when last seen there),
//   true joined_at ≤ J + slack      (the user really was in B when first seen there),
//   true joined_at ≥ J − lateness   (seen in B at most `lateness` after arriving: a stale report
//                                    does not match a much older move),
// each true move matched at most once (reported moves in order of J, each taking the unmatched
// candidate whose arrival is closest to its J). `slack` absorbs the clock difference between the
// world's step and Lurk's read (a few simulated seconds at high speed); `lateness` is the move
// window, the longest a method may wait for a sign of B.
import type { SignalLog, WireKind } from './audience-signals.js';

export interface TrueMove {
  user: string;
  from: string;
  to: string;
  leftAt: number;
  joinedAt: number;
  cause: 'organic' | 'raid';
}

export interface ReportedMove {
  user: string;
  from: string;
  to: string;
  leftAt: number;
  joinedAt: number;
}

interface TruthPage {
  total: number;
  moves: { user_login: string; from: { login: string }; to: { login: string }; left_at: string; joined_at: string; cause: 'organic' | 'raid' }[];
}

/** true moves whose arrival lies in [from, to), fetched an hour at a time from /_sim/truth/moves */
export async function fetchTrueMoves(simUrl: string, from: number, to: number): Promise<TrueMove[]> {
  const out: TrueMove[] = [];
  const HOUR = 3_600_000;
  for (let t = from; t < to; t += HOUR) {
    const end = Math.min(to, t + HOUR);
    const q = new URLSearchParams({ from: new Date(t).toISOString(), to: new Date(end).toISOString(), limit: '1000000' });
    const res = await fetch(`${simUrl}/_sim/truth/moves?${q}`);
    if (!res.ok) throw new Error(`/_sim/truth/moves: HTTP ${res.status} ${await res.text()}`);
    const page = (await res.json()) as TruthPage;
    if (page.total > page.moves.length) throw new Error(`/_sim/truth/moves: ${page.total} moves in an hour, more than one page`);
    for (const m of page.moves) {
      const joinedAt = Date.parse(m.joined_at);
      // the endpoint answers moves that arrived at or after `from` and left before `to`: a move
      // that left in this hour and arrived in the next belongs to the next
      if (joinedAt >= end) continue;
      out.push({ user: m.user_login, from: m.from.login, to: m.to.login, leftAt: Date.parse(m.left_at), joinedAt, cause: m.cause });
    }
  }
  return out;
}

export interface MatchOptions {
  slackMs: number;
  latenessMs: number;
}

const key = (user: string, from: string, to: string) => `${user}\u0000${from}\u0000${to}`;

/** which reported moves match a true move, and which true moves were matched (see the header) */
export function matchMoves(reported: readonly ReportedMove[], truth: readonly TrueMove[], o: MatchOptions): { reportedMatched: boolean[]; trueMatched: boolean[] } {
  const byKey = new Map<string, number[]>();
  truth.forEach((m, i) => {
    const k = key(m.user, m.from, m.to);
    const list = byKey.get(k);
    if (list) list.push(i);
    else byKey.set(k, [i]);
  });
  const trueMatched = truth.map(() => false);
  const reportedMatched = reported.map(() => false);
  const order = reported.map((_, i) => i).sort((a, b) => reported[a]!.joinedAt - reported[b]!.joinedAt);
  for (const i of order) {
    const r = reported[i]!;
    const candidates = byKey.get(key(r.user, r.from, r.to));
    if (!candidates) continue;
    let best = -1;
    for (const j of candidates) {
      if (trueMatched[j]) continue;
      const m = truth[j]!;
      if (m.leftAt < r.leftAt - o.slackMs || m.joinedAt > r.joinedAt + o.slackMs || m.joinedAt < r.joinedAt - o.latenessMs) continue;
      // the true arrival closest to the reported one
      if (best < 0 || Math.abs(m.joinedAt - r.joinedAt) < Math.abs(truth[best]!.joinedAt - r.joinedAt)) best = j;
    }
    if (best >= 0) {
      trueMatched[best] = true;
      reportedMatched[i] = true;
    }
  }
  return { reportedMatched, trueMatched };
}

export interface SeenOptions {
  lingerMs: number;
  windowMs: number;
  warmupMs: number;
  slackMs: number;
}

export type Visibility = 'seeable' | 'watched' | 'unwatched';

/**
 * Could Lurk have seen this true move on the wire? "watched": both channels' chat was joined, A's
 * when the user left it and B's when the user arrived. "seeable", on top of that:
 *  - a signal of the user in A (chat, notice, JOIN, NAMES, or the PART itself) in
 *    [left_at − linger, left_at + slack]; the latest of them is the last sight L;
 *  - a signal of the user in B in [joined_at − slack, L + window]: the first sight J (the engine's
 *    window runs from the last sight in A);
 *  - B's chat joined at least `warmup` before J (presences seen sooner are the channel's baseline,
 *    its NAMES at the join among them: nobody can tell who just arrived);
 *  - the user's presence in B was not still open: no signal of the user in B in the `linger`
 *    before joined_at other than a PART (else nothing on the wire says the user arrived).
 */
export function visibility(m: TrueMove, log: SignalLog, o: SeenOptions, sight?: { a?: WireKind; b?: WireKind }): Visibility {
  const a = log.channelId(m.from);
  const b = log.channelId(m.to);
  if (a === undefined || b === undefined) return 'unwatched';
  if (log.watchedSince(a, m.leftAt) === undefined || log.watchedSince(b, m.joinedAt) === undefined) return 'unwatched';
  const user = log.userId(m.user);
  if (user === undefined) return 'watched';
  const signals = log.ofUser(user);
  let lastA = Number.NaN;
  for (const i of signals) {
    const at = log.timeAt(i);
    if (at > m.leftAt + o.slackMs) break;
    if (log.channelAt(i) === a && at >= m.leftAt - o.lingerMs) {
      lastA = at;
      if (sight) sight.a = log.kindAt(i);
    }
  }
  if (Number.isNaN(lastA) || log.watchedSince(a, lastA) === undefined) return 'watched';
  let firstB = Number.NaN;
  let before = -1;
  for (const i of signals) {
    const at = log.timeAt(i);
    if (log.channelAt(i) !== b) continue;
    if (at < m.joinedAt - o.slackMs) {
      before = i;
      continue;
    }
    if (at > lastA + o.windowMs) break;
    if (log.kindAt(i) === 'part') continue;
    firstB = at;
    if (sight) sight.b = log.kindAt(i);
    break;
  }
  // still open in B from before: its last signal there within linger of the arrival, not a PART
  if (before >= 0 && log.timeAt(before) >= m.joinedAt - o.lingerMs && log.kindAt(before) !== 'part') return 'watched';
  if (Number.isNaN(firstB)) return 'watched';
  const since = log.watchedSince(b, firstB);
  if (since === undefined || firstB - since < o.warmupMs) return 'watched';
  return 'seeable';
}

/**
 * whether the user's last sight in A was a PART that came more than `linger` after any other
 * signal of theirs there (a lurker listed by NAMES or JOIN who sat silent past the linger): a
 * presence that ends `linger` after its last signal has ended before that PART
 */
export function partAfterLinger(m: TrueMove, log: SignalLog, o: SeenOptions): boolean {
  const a = log.channelId(m.from);
  const user = log.userId(m.user);
  if (a === undefined || user === undefined) return false;
  let part = Number.NaN;
  let other = Number.NEGATIVE_INFINITY;
  for (const i of log.ofUser(user)) {
    const at = log.timeAt(i);
    if (at > m.leftAt + o.slackMs) break;
    if (log.channelAt(i) !== a) continue;
    if (log.kindAt(i) === 'part') part = at >= m.leftAt - o.slackMs ? at : Number.NaN;
    else other = at;
  }
  return !Number.isNaN(part) && part - other > o.lingerMs;
}

export interface Scores {
  reported: number;
  matched: number;
  precision: number;
  /** true moves in the period */
  truth: number;
  watched: number;
  seeable: number;
  recallSeeable: number;
  recallWatched: number;
  recallAll: number;
  /** of the reported moves, how many arrive within 60 s of the true arrival (a stricter timing) */
  precisionWithin60s: number;
  /** unmatched reported moves the world's own JOIN/PART show as a re-arrival (see WorldMembership) */
  rearrivals: number;
  /** precision counting those re-arrivals as right: what the world did, beside what its truth calls a move */
  precisionWorld: number;
  /** seeable true moves missed whose last sight in A was a PART more than linger after the user's other signals there */
  missedPartAfterLinger: number;
  /** reported moves and matched ones by their gap J − L: up to 60 s, 120 s, 300 s, and beyond */
  byGap: { upToSeconds: number; reported: number; matched: number }[];
  /** seeable true moves by what showed them: JOIN/PART/NAMES at both ends, or chat at one end at least */
  bySight: Record<'membership' | 'chat', { seeable: number; matched: number }>;
  /** by cause: true moves seeable and matched */
  byCause: Record<'organic' | 'raid', { seeable: number; matched: number }>;
}

/**
 * Scores a method's moves. Precision counts the reported moves arriving within [from, to);
 * recall the true moves arriving within it; both are matched against every true move given
 * (fetch a margin around the period, so a move at its edge finds its truth).
 */
export function score(
  reported: readonly ReportedMove[],
  truth: readonly TrueMove[],
  log: SignalLog,
  world: WorldMembership | undefined,
  period: { from: number; to: number },
  o: MatchOptions & SeenOptions,
): Scores {
  const { reportedMatched, trueMatched } = matchMoves(reported, truth, o);
  const strict = matchMoves(reported, truth, { ...o, latenessMs: 60_000 }).reportedMatched;
  const inPeriod = (t: number) => t >= period.from && t < period.to;
  let nReported = 0;
  let nMatched = 0;
  let nStrict = 0;
  let nRearrivals = 0;
  const byGap = [60, 120, 300, Number.POSITIVE_INFINITY].map((upToSeconds) => ({ upToSeconds, reported: 0, matched: 0 }));
  reported.forEach((r, i) => {
    if (!inPeriod(r.joinedAt)) return;
    nReported++;
    const gap = byGap.find((g) => r.joinedAt - r.leftAt <= g.upToSeconds * 1000)!;
    gap.reported++;
    if (reportedMatched[i]) gap.matched++;
    if (reportedMatched[i]) nMatched++;
    else if (world?.rearrival(r, o)) nRearrivals++;
    if (strict[i]) nStrict++;
  });
  let nTruth = 0;
  let nWatched = 0;
  let nSeeable = 0;
  let mAll = 0;
  let mWatched = 0;
  let mSeeable = 0;
  let missedLate = 0;
  const byCause = { organic: { seeable: 0, matched: 0 }, raid: { seeable: 0, matched: 0 } };
  const bySight = { membership: { seeable: 0, matched: 0 }, chat: { seeable: 0, matched: 0 } };
  const membership = (k: WireKind | undefined) => k === 'join' || k === 'part' || k === 'names';
  truth.forEach((m, j) => {
    if (!inPeriod(m.joinedAt)) return;
    nTruth++;
    const sight: { a?: WireKind; b?: WireKind } = {};
    const v = visibility(m, log, o, sight);
    const hit = trueMatched[j]!;
    if (hit) mAll++;
    if (v !== 'unwatched') {
      nWatched++;
      if (hit) mWatched++;
    }
    if (v === 'seeable') {
      nSeeable++;
      byCause[m.cause].seeable++;
      const by = bySight[membership(sight.a) && membership(sight.b) ? 'membership' : 'chat'];
      by.seeable++;
      if (hit) {
        mSeeable++;
        byCause[m.cause].matched++;
        by.matched++;
      } else if (partAfterLinger(m, log, o)) missedLate++;
    }
  });
  const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.NaN);
  return {
    reported: nReported,
    matched: nMatched,
    precision: ratio(nMatched, nReported),
    truth: nTruth,
    watched: nWatched,
    seeable: nSeeable,
    recallSeeable: ratio(mSeeable, nSeeable),
    recallWatched: ratio(mWatched, nWatched),
    recallAll: ratio(mAll, nTruth),
    precisionWithin60s: ratio(nStrict, nReported),
    rearrivals: nRearrivals,
    precisionWorld: ratio(nMatched + nRearrivals, nReported),
    missedPartAfterLinger: missedLate,
    byGap,
    bySight,
    byCause,
  };
}

/**
 * Every JOIN and PART of the world itself (World.onMembership, every room, any size): what really
 * happened, planned moves or not. The simulator's arrivals draw any idle viewer, one who left a
 * channel moments before included, and its truth does not call that a move; nothing on the wire
 * tells it from one. This record lets the bench say how many of a method's unmatched moves are
 * such re-arrivals.
 */
export class WorldMembership {
  /** user index → [channel index, kind (0 join, 1 part), at, …] */
  private readonly byUser = new Map<number, number[]>();

  constructor(private readonly indexOf: (login: string) => number | undefined) {}

  push(user: number, channel: number, kind: 0 | 1, at: number): void {
    let list = this.byUser.get(user);
    if (!list) this.byUser.set(user, (list = []));
    list.push(channel, kind, at);
  }

  /**
   * how late Lurk read the world's JOINs and PARTs: for each JOIN or PART signal in the log, its
   * time less the world's latest such event of that user in that room at or before it (ms)
   */
  membershipLags(log: SignalLog): number[] {
    const lags: number[] = [];
    for (let i = 0; i < log.size; i++) {
      const kind = log.kindAt(i);
      if (kind !== 'join' && kind !== 'part') continue;
      const user = this.indexOf(log.userNames[log.userAt(i)]!);
      const channel = this.indexOf(log.channelNames[log.channelAt(i)]!);
      const list = user === undefined ? undefined : this.byUser.get(user);
      if (!list || channel === undefined) continue;
      const code = kind === 'join' ? 0 : 1;
      const at = log.timeAt(i);
      let best = Number.NaN;
      for (let j = 0; j < list.length; j += 3) if (list[j] === channel && list[j + 1] === code && list[j + 2]! <= at) best = list[j + 2]!;
      if (!Number.isNaN(best)) lags.push(at - best);
    }
    return lags.sort((a, b) => a - b);
  }

  /**
   * whether the world shows the user's first PART of A at or after L − slack followed by a JOIN of
   * B next (no other room between), at most `lateness` before J and no later than J + slack
   */
  rearrival(r: ReportedMove, o: MatchOptions): boolean {
    const user = this.indexOf(r.user);
    const a = this.indexOf(r.from);
    const b = this.indexOf(r.to);
    const list = user === undefined ? undefined : this.byUser.get(user);
    if (!list || a === undefined || b === undefined) return false;
    for (let i = 0; i < list.length; i += 3) {
      if (list[i] !== a || list[i + 1] !== 1 || list[i + 2]! < r.leftAt - o.slackMs) continue;
      for (let j = i + 3; j < list.length; j += 3) {
        if (list[j + 1] !== 0) continue;
        const at = list[j + 2]!;
        return list[j] === b && at <= r.joinedAt + o.slackMs && at >= r.joinedAt - o.latenessMs;
      }
      return false;
    }
    return false;
  }
}
