// The engine's moves against a naive reference over thousands of random signals: the reference
// rebuilds every presence from the whole event log with plain objects, then applies the
// definitions of engine.ts to each arrival in time order (O(n²), which is fine at this size).
// Both must agree on every move, its times and its cause.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../bench/support/streams.js';
import type { EngineMove, RaidReport } from '../../src/audience/engine.js';
import { createAudienceEngine } from '../../src/audience/tracker.js';

const LINGER = 120_000;
const WINDOW = 45_000;
const WARMUP = 20_000;
const RAID_SLACK = 30_000;
const MEMBERSHIP_LAG = 30_000;
const MEMBER_LINGER = 12 * 3_600_000;
const T0 = Date.UTC(2026, 11, 1, 12);

type Ev =
  | { t: number; type: 'signal'; ch: string; user: string; kind: 'chat' | 'join' | 'names' | 'raid' }
  | { t: number; type: 'part'; ch: string; user: string }
  | { t: number; type: 'end'; ch: string }
  | { t: number; type: 'raid'; report: RaidReport }
  | { t: number; type: 'watch'; ch: string }
  | { t: number; type: 'quiet'; ch: string }
  | { t: number; type: 'tick' };

interface RefPresence {
  user: string;
  ch: string;
  first: number;
  signals: number[];
  baseline: boolean;
  /** seen by JOIN or NAMES: lasts until its PART while the room sends membership */
  member: boolean;
  /** known only by its PART: begun at some unknown time before it, never an arrival */
  partOnly: boolean;
  open: boolean;
  parted: boolean;
  end: number;
  closedAt: number;
}

function generate(seed: number, count: number, channels: number, users: number): Ev[] {
  const rnd = mulberry32(seed);
  const chs = Array.from({ length: channels }, (_, i) => `c${i}`);
  const late = new Set(chs.slice(-3)); // watched later: their own warm-up
  const where = Array.from({ length: users }, () => chs[Math.floor(rnd() * channels)]!);
  const evs: Ev[] = chs.filter((c) => !late.has(c)).map((ch) => ({ t: T0, type: 'watch', ch }) as Ev);
  let t = T0 + 1;
  let lateWatched = false;
  let nextTick = T0 + 5000;
  const pick = () => chs[Math.floor(rnd() * channels)]!;
  for (let i = 0; i < count; i++) {
    t += 1 + Math.floor(rnd() * 600);
    while (nextTick < t) {
      evs.push({ t: nextTick, type: 'tick' });
      nextTick += 5000 + Math.floor(rnd() * 3000);
    }
    if (!lateWatched && i > count / 3) {
      lateWatched = true;
      for (const ch of late) evs.push({ t: t++, type: 'watch', ch });
    }
    const u = Math.floor(rnd() * users);
    const user = `user${u}`;
    const r = rnd();
    if (r < 0.55) evs.push({ t, type: 'signal', ch: where[u]!, user, kind: rnd() < 0.8 ? 'chat' : 'join' });
    else if (r < 0.7) {
      // a move: maybe a PART first, maybe (late) PART after, maybe back in the old channel later
      const from = where[u]!;
      const to = pick();
      where[u] = to;
      const partFirst = rnd();
      // a PART read in the same instant as the arrival (one batch), or a moment before it
      if (partFirst < 0.1) evs.push({ t, type: 'part', ch: from, user });
      else if (partFirst < 0.4) evs.push({ t: t++, type: 'part', ch: from, user });
      if (partFirst >= 0.1) t += Math.floor(rnd() * 30_000);
      evs.push({ t, type: 'signal', ch: to, user, kind: rnd() < 0.5 ? 'chat' : 'join' });
      if (rnd() < 0.15) evs.push({ t: ++t, type: 'part', ch: from, user });
    } else if (r < 0.8)
      evs.push({ t, type: 'signal', ch: pick(), user, kind: 'chat' }); // another channel at once
    else if (r < 0.88) evs.push({ t, type: 'part', ch: where[u]!, user });
    else if (r < 0.9) evs.push({ t, type: 'signal', ch: `unwatched${u % 3}`, user, kind: 'chat' });
    else if (r < 0.99) evs.push({ t, type: 'signal', ch: where[u]!, user, kind: 'names' });
    else if (r < 0.994) evs.push({ t, type: 'end', ch: pick() });
    else {
      // a raid: a reported pair (sometimes twice), and a good part of the users in A following it
      const from = pick();
      const to = pick();
      if (from === to) continue;
      // some PARTs come before the raid's report (within RAID_SLACK or not), the others after it
      const followers: string[] = [];
      for (let v = 0; v < users; v++) if (where[v] === from && rnd() < 0.7) followers.push(`user${v}`);
      const early = followers.filter(() => rnd() < 0.3);
      for (const user of early) evs.push({ t: ++t, type: 'part', ch: from, user });
      if (early.length > 0) t += Math.floor(rnd() * 45_000);
      evs.push({ t, type: 'raid', report: { from, to, at: t, viewers: Math.floor(rnd() * 100), source: 'eventsub' } });
      if (rnd() < 0.7) evs.push({ t: ++t, type: 'raid', report: { from, to, at: t, viewers: Math.floor(rnd() * 100), source: 'chat' } });
      for (const user of followers) {
        if (!early.includes(user) && rnd() < 0.6) evs.push({ t: ++t, type: 'part', ch: from, user });
        where[Number(user.slice(4))] = to;
        evs.push({ t: (t += 1 + Math.floor(rnd() * 2000)), type: 'signal', ch: to, user, kind: rnd() < 0.5 ? 'raid' : 'join' });
      }
    }
  }
  // long after: every room quiet (JOIN presences linger out), every move settled
  // every room grows past 1,000 users (no more membership: JOIN presences linger out), then long after
  for (const ch of chs) evs.push({ t: ++t, type: 'quiet', ch });
  evs.push({ t: t + 10 * (LINGER + WINDOW), type: 'tick' });
  return evs;
}

/** the reference: presences rebuilt from the log, then the definitions applied to each arrival */
function reference(evs: Ev[]): string[] {
  const watchedAt = new Map<string, number>();
  const open = new Map<string, RefPresence>();
  const all: RefPresence[] = [];
  const raids: { from: string; to: string; at: number; sources: Set<string> }[] = [];
  // rooms that sent a membership line since they were watched
  const sendsMembership = new Set<string>();
  const lingerOf = (p: RefPresence) => (p.member && sendsMembership.has(p.ch) ? MEMBER_LINGER : LINGER);
  const closeExpired = (p: RefPresence, t: number) => {
    const last = p.signals.at(-1)!;
    p.open = false;
    p.end = last;
    p.closedAt = Math.min(last + lingerOf(p), t);
    open.delete(`${p.user} ${p.ch}`);
  };
  for (const ev of evs) {
    if (ev.type === 'watch') {
      watchedAt.set(ev.ch, ev.t);
      sendsMembership.delete(ev.ch);
    } else if (ev.type === 'quiet') sendsMembership.delete(ev.ch);
    else if (ev.type === 'raid') {
      const r = raids.find((x) => x.from === ev.report.from && x.to === ev.report.to && Math.abs(x.at - ev.report.at) <= 300_000);
      if (r) r.sources.add(ev.report.source);
      else raids.push({ from: ev.report.from, to: ev.report.to, at: ev.report.at, sources: new Set([ev.report.source]) });
    } else if (ev.type === 'signal' || ev.type === 'part') {
      const w = watchedAt.get(ev.ch);
      if (w === undefined) continue;
      const key = `${ev.user} ${ev.ch}`;
      const member = ev.type === 'part' || ev.kind === 'join' || ev.kind === 'names';
      if (member) sendsMembership.add(ev.ch);
      let p = open.get(key);
      if (p && ev.t - p.signals.at(-1)! >= lingerOf(p)) {
        closeExpired(p, ev.t);
        p = undefined;
      }
      if (ev.type === 'part') {
        if (!p) {
          // a user not seen here: the PART alone is a departure, unless one ended here within the window
          if (all.some((q) => q.user === ev.user && q.ch === ev.ch && !q.open && ev.t - q.end <= WINDOW)) continue;
          all.push({ user: ev.user, ch: ev.ch, first: ev.t, signals: [ev.t], baseline: false, member: true, partOnly: true, open: false, parted: true, end: ev.t, closedAt: ev.t });
          continue;
        }
        p.open = false;
        p.parted = true;
        p.end = ev.t;
        p.closedAt = ev.t;
        open.delete(key);
        continue;
      }
      if (p) {
        p.signals.push(ev.t);
        if (member) p.member = true;
      } else {
        p = { user: ev.user, ch: ev.ch, first: ev.t, signals: [ev.t], baseline: ev.t - w < WARMUP, member, partOnly: false, open: true, parted: false, end: 0, closedAt: 0 };
        open.set(key, p);
        all.push(p);
      }
    } else if (ev.type === 'end') {
      if (!watchedAt.has(ev.ch)) continue;
      for (const p of [...open.values()]) {
        if (p.ch !== ev.ch) continue;
        if (ev.t - p.signals.at(-1)! >= lingerOf(p)) closeExpired(p, ev.t);
        else {
          p.open = false;
          p.end = p.signals.at(-1)!;
          p.closedAt = ev.t;
          open.delete(`${p.user} ${p.ch}`);
        }
      }
    }
  }
  // the log's last tick is long after: every room is quiet by then
  for (const p of [...open.values()]) closeExpired(p, Number.POSITIVE_INFINITY);

  // arrivals in time order; a departure is taken by one arrival at a time
  const consumed = new Set<RefPresence>();
  const reservedUntil = new Map<RefPresence, number>();
  /** departures whose PART settled an arrival's pending move (confirmed or withdrawn it) */
  const pendingAtClose = new Set<RefPresence>();
  /** how each arrival's move was settled, and when: a withdrawn one may still take a late PART */
  const settled = new Map<RefPresence, { confirmed: boolean; at: number }>();
  const moves: string[] = [];
  const record = (a: RefPresence, b: RefPresence, leftAt: number) => {
    consumed.add(a);
    let raid: (typeof raids)[number] | undefined;
    for (const r of raids) {
      if (r.from !== a.ch || r.to !== b.ch || r.at > b.first || b.first - r.at > WINDOW) continue;
      if ((a.first > r.at && !a.partOnly) || a.closedAt < r.at - RAID_SLACK) continue;
      if (!raid || r.at > raid.at) raid = r;
    }
    moves.push(`${b.user} ${a.ch}>${b.ch} ${leftAt}..${b.first} ${raid ? `raid@${Math.floor(raid.at / 1000)}` : 'organic'}`);
  };
  // arrivals and PARTs in time order (the generator's PART in the same instant as an arrival comes first)
  const steps: { t: number; arrival: boolean; p: RefPresence }[] = [
    ...all.filter((p) => !p.baseline && !p.partOnly).map((p) => ({ t: p.first, arrival: true, p })),
    ...all.filter((p) => p.parted).map((p) => ({ t: p.closedAt, arrival: false, p })),
  ].sort((x, y) => x.t - y.t || (x.arrival === y.arrival ? 0 : x.arrival ? 1 : -1));
  for (const step of steps) {
    if (!step.arrival) {
      // a PART with no arrival pending on it: an arrival elsewhere at most MEMBERSHIP_LAG before it
      // (no move in yet, the user not seen in A since) is the same switch, read late
      const a = step.p;
      if (consumed.has(a) || pendingAtClose.has(a)) continue;
      const lastA = a.partOnly ? Number.NEGATIVE_INFINITY : Math.max(...a.signals);
      let q: RefPresence | undefined;
      for (const b of all) {
        if (b.user !== a.user || b.ch === a.ch || b.baseline || b.partOnly || b.first < step.t - MEMBERSHIP_LAG || b.first >= step.t) continue;
        if (!b.open && b.closedAt <= step.t) continue;
        if (lastA >= b.first) continue;
        const st = settled.get(b);
        if (st && (st.confirmed || st.at > step.t)) continue;
        if (!q || b.first < q.first) q = b;
      }
      if (!q) continue;
      settled.set(q, { confirmed: true, at: step.t });
      record(a, q, q.first);
      continue;
    }
    const b = step.p;
    let best: RefPresence | undefined;
    let bestEnd = -Infinity;
    for (const a of all) {
      if (a.user !== b.user || a.ch === b.ch || a.first > b.first || (a.first === b.first && !a.partOnly) || consumed.has(a)) continue;
      if ((reservedUntil.get(a) ?? -Infinity) > b.first) continue;
      const closedBefore = a.closedAt <= b.first;
      const known = closedBefore ? a.end : Math.max(...a.signals.filter((t) => t < b.first));
      // a PART in the same instant as the arrival came first: the same switch
      if ((known < b.first || (known === b.first && a.parted && closedBefore)) && b.first - known <= WINDOW && known > bestEnd) {
        best = a;
        bestEnd = known;
      }
    }
    if (!best) continue;
    const a = best;
    let confirmed: boolean;
    let leftAt = a.end;
    let at = a.closedAt;
    if (a.closedAt <= b.first) {
      confirmed = true;
      at = b.first;
    } else {
      const again = a.signals.find((t) => t >= b.first);
      if (again !== undefined) {
        confirmed = false;
        reservedUntil.set(a, again);
        at = again;
      } else if (a.parted && a.closedAt - b.first <= MEMBERSHIP_LAG) {
        // a late PART: the same switch, left when B began
        confirmed = true;
        leftAt = b.first;
        pendingAtClose.add(a);
      } else if (a.parted) {
        confirmed = false;
        reservedUntil.set(a, a.closedAt);
        pendingAtClose.add(a);
      } else confirmed = a.end < b.first && b.first - a.end <= WINDOW;
    }
    settled.set(b, { confirmed, at });
    if (confirmed) record(a, b, leftAt);
  }
  return moves.sort();
}

function runEngine(evs: Ev[]): { moves: string[]; memory: { users: number; presences: number } } {
  const e = createAudienceEngine({ lingerMs: LINGER, windowMs: WINDOW, warmupMs: WARMUP });
  const moves: EngineMove[] = [];
  for (const ev of evs) {
    if (ev.type === 'watch') e.watch(ev.ch, ev.t);
    else if (ev.type === 'signal') e.signal(ev.ch, ev.user, ev.kind, ev.t);
    else if (ev.type === 'part') e.part(ev.ch, ev.user, ev.t);
    else if (ev.type === 'end') e.streamEnded(ev.ch, ev.t);
    else if (ev.type === 'quiet') e.membership(ev.ch, false);
    else if (ev.type === 'raid') e.raid(ev.report);
    else moves.push(...e.tick(ev.t).moves);
  }
  const brief = moves.map((m) => `${m.user} ${m.from}>${m.to} ${m.leftAt}..${m.joinedAt} ${m.cause === 'raid' ? `raid@${m.raidId!.split('@')[1]}` : 'organic'}`);
  return { moves: brief.sort(), memory: e.memory() };
}

for (const seed of [1, 2, 3, 4, 5]) {
  test(`random signals (seed ${seed}): the engine's moves are the reference's`, (t) => {
    const evs = generate(seed, 6000, 20, 200);
    const expected = reference(evs);
    const { moves, memory } = runEngine(evs);
    t.diagnostic(`${evs.length} events, ${expected.length} moves, ${expected.filter((m) => m.includes('raid@')).length} of a raid`);
    // the scenario is worth something: moves of both causes, and not every arrival a move
    assert.ok(expected.length > 50, `only ${expected.length} moves`);
    assert.ok(
      expected.some((m) => m.includes('raid@')),
      'no raid move',
    );
    assert.deepEqual(moves, expected);
    assert.deepEqual({ users: memory.users, presences: memory.presences }, { users: 0, presences: 0 }, 'everything expired is freed');
  });
}
