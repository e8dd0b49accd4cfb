// Audience's presence engine, scenario by scenario on a hand-made clock: every expected move,
// raid and ended stream below can be checked by reading the signals above it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AudienceEngine, EngineMove, EngineTick } from '../../src/audience/engine.js';
import { createAudienceEngine } from '../../src/audience/tracker.js';

const T0 = Date.UTC(2026, 11, 1, 12);
const s = (seconds: number) => T0 + seconds * 1000;
const LINGER = 300_000;
const WINDOW = 600_000;

function engine(): AudienceEngine {
  return createAudienceEngine({ lingerMs: LINGER, windowMs: WINDOW });
}

/** ticks from `from` to `to` seconds every 5 s, gathering what they report */
function run(e: AudienceEngine, from: number, to: number): EngineTick {
  const all: EngineTick = { moves: [], raids: [], ended: [] };
  for (let t = from; t <= to; t += 5) {
    const tick = e.tick(s(t));
    all.moves.push(...tick.moves);
    all.raids.push(...tick.raids);
    all.ended.push(...tick.ended);
  }
  return all;
}

const brief = (m: EngineMove) => `${m.user} ${m.from}>${m.to} ${(m.leftAt - T0) / 1000}..${(m.joinedAt - T0) / 1000} ${m.cause}`;

test('the audience already there at the start is a baseline, not a wave of moves; leaving it is a departure', () => {
  const e = engine();
  e.watch('a', s(0));
  e.watch('b', s(0));
  for (let i = 0; i < 5; i++) e.signal('a', `u${i}`, 'names', s(1));
  // in both from the start, and a PART/JOIN inside the warm-up: b's presences are baseline
  e.signal('b', 'u0', 'names', s(1));
  e.part('a', 'u1', s(30));
  e.signal('b', 'u1', 'join', s(50));
  assert.deepEqual(run(e, 0, 150).moves, []);
  assert.equal(e.present('a'), 4);
  assert.equal(e.present('b'), 2);
  // after the warm-up, u2 leaves its baseline presence in a for b: a move
  e.part('a', 'u2', s(200));
  e.signal('b', 'u2', 'join', s(210));
  const moves = run(e, 150, 1000).moves;
  assert.deepEqual(moves.map(brief), ['u2 a>b 200..210 organic']);
});

test('a PART then a JOIN elsewhere is a move, with its evidence, confirmed at once', () => {
  const e = engine();
  e.watch('a', s(0));
  e.watch('b', s(0));
  e.signal('a', 'kim', 'chat', s(200));
  e.part('a', 'kim', s(300));
  e.signal('b', 'kim', 'join', s(320));
  const { moves } = e.tick(s(321));
  assert.equal(moves.length, 1);
  assert.deepEqual(moves[0], {
    user: 'kim',
    from: 'a',
    to: 'b',
    leftAt: s(300),
    joinedAt: s(320),
    cause: 'organic',
    evidence: [
      { channel: 'a', kind: 'chat', at: s(200) },
      { channel: 'a', kind: 'part', at: s(300) },
      { channel: 'b', kind: 'join', at: s(320) },
    ],
  });
  assert.deepEqual(run(e, 325, 2000).moves, [], 'confirmed once');
});

test('a JOIN in B well before the PART in A is not a move: the user was in both', () => {
  const e = engine();
  e.watch('a', s(0));
  e.watch('b', s(0));
  e.signal('a', 'kim', 'join', s(200));
  e.signal('b', 'kim', 'join', s(300));
  e.part('a', 'kim', s(340)); // 40 s later: more than membership lines lag
  // and the other way round: B's presence was already open when A ended
  e.signal('b', 'lee', 'join', s(200));
  e.signal('a', 'lee', 'join', s(250));
  e.part('b', 'lee', s(400));
  assert.deepEqual(run(e, 0, 2000).moves, []);
});

test('a PART in A arriving just after the JOIN in B (membership lines come late, in batches) is the same switch', () => {
  const e = engine();
  e.watch('a', s(0));
  e.watch('b', s(0));
  e.signal('a', 'kim', 'join', s(200));
  e.signal('b', 'kim', 'join', s(300));
  e.part('a', 'kim', s(310));
  // a signal in A after B began says the user watches both: the late PART is then no switch
  e.signal('a', 'lee', 'join', s(200));
  e.signal('b', 'lee', 'join', s(300));
  e.signal('a', 'lee', 'chat', s(305));
  e.part('a', 'lee', s(310));
  const { moves } = run(e, 0, 2000);
  assert.equal(moves.length, 1);
  const m = moves[0]!;
  assert.deepEqual([m.user, m.from, m.to, m.leftAt, m.joinedAt, m.cause], ['kim', 'a', 'b', s(300), s(300), 'organic']);
  assert.deepEqual(m.evidence, [
    { channel: 'a', kind: 'join', at: s(200) },
    { channel: 'a', kind: 'part', at: s(310) },
    { channel: 'b', kind: 'join', at: s(300) },
  ]);
});

test('chat only: a move is confirmed when A lingers out, withdrawn when the user chats in A again', () => {
  const e = engine();
  e.watch('a', s(0));
  e.watch('b', s(0));
  e.signal('a', 'kim', 'chat', s(200));
  e.signal('b', 'kim', 'chat', s(260));
  e.signal('a', 'lee', 'chat', s(200));
  e.signal('b', 'lee', 'chat', s(260));
  e.signal('a', 'lee', 'chat', s(280)); // lee watches both
  assert.deepEqual(run(e, 200, 495).moves, [], 'a is still open until 200 + 300 s');
  const moves = run(e, 500, 2000).moves;
  assert.deepEqual(moves.map(brief), ['kim a>b 200..260 organic']);
  assert.deepEqual(moves[0]!.evidence, [
    { channel: 'a', kind: 'chat', at: s(200) },
    { channel: 'b', kind: 'chat', at: s(260) },
  ]);
});

test('beyond the window it is no move; at the window it is', () => {
  const e = engine();
  e.watch('a', s(0));
  e.watch('b', s(0));
  e.part('a', 'x', s(199)); // x's only sign: a departure with no arrival after it
  e.signal('a', 'kim', 'join', s(200));
  e.part('a', 'kim', s(300));
  e.signal('b', 'kim', 'join', s(300 + 601));
  e.signal('a', 'lee', 'join', s(200));
  e.part('a', 'lee', s(300));
  e.signal('b', 'lee', 'join', s(300 + 600));
  assert.deepEqual(run(e, 0, 3000).moves.map(brief), ['lee a>b 300..900 organic']);
});

test('several departures: the most recent one before the arrival is the move', () => {
  const e = engine();
  for (const c of ['a', 'b', 'c']) e.watch(c, s(0));
  e.signal('a', 'kim', 'join', s(200));
  e.signal('c', 'kim', 'join', s(210));
  e.part('a', 'kim', s(300));
  e.part('c', 'kim', s(320));
  e.signal('b', 'kim', 'chat', s(330));
  assert.deepEqual(run(e, 0, 3000).moves.map(brief), ['kim c>b 320..330 organic']);
});

test('a raid: raiders move with cause raid, one record for both reports, raiders seen and retention', () => {
  const e = engine();
  e.watch('a', s(0));
  e.watch('b', s(0));
  const raiders = ['r1', 'r2', 'r3', 'r4', 'r5'];
  for (const r of raiders) e.signal('a', r, 'names', s(1));
  // an organic move before the raid
  e.signal('a', 'o1', 'chat', s(300));
  e.part('a', 'o1', s(500));
  e.signal('b', 'o1', 'join', s(520));
  assert.deepEqual(run(e, 0, 895).moves.map(brief), ['o1 a>b 500..520 organic']);
  for (const r of raiders) e.signal('a', r, 'chat', s(900));
  e.signal('a', 'r6', 'chat', s(950)); // chat only, no PART
  e.raid({ from: 'a', to: 'b', at: s(1000), viewers: 40, source: 'eventsub' });
  // Twitch's PARTs for a raid come around its time, some just before the EventSub notification
  e.part('a', 'r1', s(998));
  for (const r of raiders.slice(1)) e.part('a', r, s(1002));
  e.raid({ from: 'a', to: 'b', at: s(1003), viewers: 42, source: 'chat' });
  for (const r of raiders) e.signal('b', r, 'join', s(1005));
  e.signal('b', 'r6', 'raid', s(1010));
  const first = run(e, 900, 1240);
  assert.deepEqual(first.moves.map(brief).sort(), [...raiders.map((r) => `${r} a>b ${r === 'r1' ? 998 : 1002}..1005 raid`)].sort());
  assert.ok(first.moves.filter((m) => m.cause === 'raid').every((m) => m.raidId === `a>b@${(s(1000) / 1000).toFixed(0)}`));
  const last = first.raids.at(-1)!;
  assert.deepEqual(
    { ...last, raidersSeen: last.raidersSeen },
    { id: `a>b@${s(1000) / 1000}`, from: 'a', to: 'b', at: s(1000), viewers: 42, sources: ['eventsub', 'chat'], raidersSeen: 5, retained10m: null, retained30m: null },
  );
  // r6's A lingers out at 950 + 300 s: then its move is confirmed, still a raid's
  const second = run(e, 1245, 1255);
  assert.deepEqual(second.moves.map(brief), ['r6 a>b 950..1010 raid']);
  assert.equal(second.raids.at(-1)!.raidersSeen, 6);
  // r1 and r2 leave b before +10 min; the others keep chatting there, r3 leaves before +30 min
  e.part('b', 'r1', s(1300));
  e.part('b', 'r2', s(1400));
  let tail: EngineTick = { moves: [], raids: [], ended: [] };
  for (let t = 1260; t <= 3000; t += 5) {
    if (t % 240 === 0) for (const r of ['r3', 'r4', 'r5', 'r6']) if (r !== 'r3' || t < 2000) e.signal('b', r, 'chat', s(t));
    if (t === 2000) e.part('b', 'r3', s(t));
    const k = e.tick(s(t));
    tail = { moves: [...tail.moves, ...k.moves], raids: [...tail.raids, ...k.raids], ended: [] };
  }
  assert.deepEqual(tail.moves, []);
  const at10 = tail.raids.find((r) => r.retained10m !== null)!;
  assert.equal(at10.retained10m, 4);
  assert.equal(at10.retained30m, null);
  const at30 = tail.raids.at(-1)!;
  assert.equal(at30.retained10m, 4);
  assert.equal(at30.retained30m, 3);
  assert.equal(tail.raids.length, 2, 'emitted when changed, not every tick');
});

test('a raid whose raiders had left A long before is not their cause', () => {
  const e = engine();
  e.watch('a', s(0));
  e.watch('b', s(0));
  e.signal('a', 'kim', 'join', s(700));
  e.part('a', 'kim', s(900));
  e.raid({ from: 'a', to: 'b', at: s(1000), viewers: 3, source: 'chat' });
  e.signal('b', 'kim', 'join', s(1005));
  assert.deepEqual(run(e, 1000, 1100).moves.map(brief), ['kim a>b 900..1005 organic']);
});

test('a stream ends: its audience is counted and followed to its destinations, final after 30 minutes', () => {
  const e = engine();
  for (const c of ['a', 'b', 'c']) e.watch(c, s(0));
  for (const u of ['u1', 'u2', 'u3', 'u4']) e.signal('a', u, 'chat', s(1000));
  e.signal('a', 'gone', 'chat', s(200)); // lingered out before the end
  e.streamEnded('a', s(1100));
  assert.equal(e.present('a'), 0);
  const created = e.tick(s(1101)).ended;
  assert.deepEqual(created, [{ channel: 'a', endedAt: s(1100), audience: 4, followed: 0, moves: 0, raidMoves: 0, destinations: [], final: false }]);
  e.signal('b', 'u1', 'chat', s(1160));
  e.signal('c', 'u2', 'join', s(1220));
  e.signal('b', 'u3', 'chat', s(1100 + 1200)); // beyond the move window: not followed
  const during = run(e, 1100, 1100 + 1795);
  assert.deepEqual(during.moves.map(brief).sort(), ['u1 a>b 1000..1160 organic', 'u2 a>c 1000..1220 organic']);
  assert.ok(during.ended.length === 1 && during.ended.every((x) => !x.final));
  assert.deepEqual(during.ended.at(-1), {
    channel: 'a',
    endedAt: s(1100),
    audience: 4,
    followed: 2,
    moves: 2,
    raidMoves: 0,
    destinations: [
      { channel: 'b', count: 1, raid: 0 },
      { channel: 'c', count: 1, raid: 0 },
    ],
    final: false,
  });
  const after = run(e, 1100 + 1800, 4000);
  assert.equal(after.ended.length, 1);
  assert.deepEqual(after.ended[0], { ...during.ended.at(-1)!, final: true });
});

test("a stream's PARTs and its viewers' arrivals elsewhere before stream.offline comes: still its audience, followed", () => {
  const e = engine();
  for (const c of ['a', 'b']) e.watch(c, s(0));
  for (const u of ['u1', 'u2', 'u3']) e.signal('a', u, 'join', s(900));
  e.signal('a', 'early', 'join', s(500));
  e.part('a', 'early', s(800)); // left long before the end: not its audience
  // the end's PARTs, then u1 and u2 arrive in b, and only then does stream.offline arrive
  for (const u of ['u1', 'u2', 'u3']) e.part('a', u, s(1000));
  e.signal('b', 'u1', 'join', s(1005));
  e.signal('b', 'u2', 'join', s(1010));
  const before = e.tick(s(1020));
  assert.equal(before.moves.length, 2);
  e.streamEnded('a', s(1030));
  const { ended } = e.tick(s(1031));
  assert.deepEqual(ended, [{ channel: 'a', endedAt: s(1030), audience: 3, followed: 2, moves: 2, raidMoves: 0, destinations: [{ channel: 'b', count: 2, raid: 0 }], final: false }]);
});

test('drainActivity reports every presence touched since the last drain once, expired ones too', () => {
  const e = engine();
  e.watch('a', s(0));
  e.watch('b', s(0));
  e.signal('a', 'kim', 'chat', s(10));
  e.signal('a', 'kim', 'chat', s(20));
  e.signal('b', 'kim', 'join', s(15));
  e.part('b', 'kim', s(25));
  const rows = (r: ReturnType<AudienceEngine['drainActivity']>) => r.map((x) => `${x.channel} ${x.user} ${(x.firstAt - T0) / 1000}-${(x.lastAt - T0) / 1000}`).sort();
  assert.deepEqual(rows(e.drainActivity()), ['a kim 10-20', 'b kim 15-15']);
  assert.deepEqual(e.drainActivity(), []);
  e.signal('a', 'kim', 'chat', s(30));
  e.signal('a', 'lee', 'chat', s(40));
  // both lingered out and freed before the next drain: still reported, once
  run(e, 40, 2000);
  assert.equal(e.memory().presences, 0);
  assert.equal(e.memory().users, 0, 'users holding nothing are forgotten');
  assert.deepEqual(rows(e.drainActivity()), ['a kim 10-30', 'a lee 40-40']);
  assert.deepEqual(e.drainActivity(), []);
});

test('a viewer seen by JOIN stays until their PART while the room sends membership, however silent and quiet; then moves', () => {
  const e = engine();
  e.watch('a', s(0));
  e.watch('b', s(0));
  e.signal('a', 'kim', 'join', s(200));
  // an hour of silence from kim, while others come and go in a (the room sends membership)
  for (let t = 300; t < 3900; t += 600) {
    e.signal('a', `other${t}`, 'join', s(t));
    e.part('a', `other${t}`, s(t + 60));
  }
  run(e, 200, 3990);
  assert.equal(e.present('a'), 1, 'kim is still in a');
  e.part('a', 'kim', s(4000));
  e.signal('b', 'kim', 'join', s(4010));
  const { moves } = e.tick(s(4015));
  assert.deepEqual(moves.map(brief), ['kim a>b 4000..4010 organic']);
  // a quiet room keeps them (a small room may send no JOIN/PART for an hour)…
  e.signal('b', 'lee', 'join', s(4100));
  run(e, 4015, 4100 + 3 * 3600);
  assert.equal(e.present('b'), 2, 'kim and lee wait for a PART in b');
  // …until it grows past 1,000 users and stops sending membership: then they linger out
  e.membership('b', false);
  run(e, 4100 + 3 * 3600 + 5, 4100 + 3 * 3600 + 2 * 300);
  assert.equal(e.present('b'), 0, 'b sends no membership: they lingered out');
});

test('an arrival kept for a pending move outlives neither its departure nor a reuse of its slot', () => {
  const e = createAudienceEngine({ lingerMs: 600_000, windowMs: 600_000 });
  for (const c of ['a', 'b', 'c']) e.watch(c, s(0));
  const moves: EngineMove[] = [];
  const at: Record<number, () => void> = {
    200: () => e.signal('a', 'u', 'join', s(200)), // a JOIN presence: waits for its PART
    300: () => e.signal('b', 'u', 'chat', s(300)), // a > b pending while a is open
    850: () => e.membership('a', false), // a grows past 1,000 users: u lingers out of it
    2710: () => e.signal('c', 'v', 'chat', s(2710)), // a new presence, maybe in a freed slot
    2720: () => e.part('a', 'u', s(2720)),
  };
  for (let t = 0; t <= 3000; t++) {
    at[t]?.();
    moves.push(...e.tick(s(t)).moves);
  }
  assert.deepEqual(moves.map(brief), ['u a>b 200..300 organic']);
});

test('a PART of a user never seen in A (a room past 1,000 sent no NAMES; its PARTs resume below) is a departure from A', () => {
  const e = engine();
  for (const c of ['a', 'b', 'c']) e.watch(c, s(0));
  e.part('a', 'kim', s(300)); // kim's first and only sign in a
  e.signal('b', 'kim', 'join', s(302));
  // a raid out of a big room: its raiders' PARTs (never seen before) come just after the report
  e.raid({ from: 'a', to: 'c', at: s(400), viewers: 1200, source: 'eventsub' });
  e.part('a', 'r1', s(403));
  e.signal('c', 'r1', 'raid', s(405));
  // a second PART of a user who already left a (a reconnect repeats it) is no second departure
  e.signal('a', 'lee', 'join', s(200));
  e.part('a', 'lee', s(300));
  e.signal('b', 'lee', 'join', s(301));
  e.part('a', 'lee', s(305));
  e.signal('c', 'lee', 'chat', s(400));
  // (lee, JOINed in b and chatting in c, is taken to watch both while b sends membership)
  assert.deepEqual(run(e, 0, 3000).moves.map(brief).sort(), ['kim a>b 300..302 organic', 'lee a>b 300..301 organic', 'r1 a>c 403..405 raid']);
  // b and c stop sending membership: their JOIN presences linger out (lee's b one ends at its last
  // signal, before c began: the move the definitions make of it), and everything is freed
  e.membership('b', false);
  e.membership('c', false);
  assert.deepEqual(run(e, 3005, 5000).moves.map(brief), ['lee b>c 301..400 organic']);
  assert.equal(e.memory().presences, 0, 'PART-only presences are freed too');
});

test('a PART in A and a JOIN in B read in the same instant (one batch) are a move, in either order', () => {
  const e = engine();
  e.watch('a', s(0));
  e.watch('b', s(0));
  e.signal('a', 'kim', 'names', s(1));
  e.signal('a', 'lee', 'names', s(1));
  e.part('a', 'kim', s(300));
  e.signal('b', 'kim', 'join', s(300));
  e.signal('b', 'lee', 'join', s(300));
  e.part('a', 'lee', s(300));
  assert.deepEqual(run(e, 0, 400).moves.map(brief).sort(), ['kim a>b 300..300 organic', 'lee a>b 300..300 organic']);
});

test('a PART in A read just after the JOIN in B is the same switch even when B found no departure to wait on', () => {
  const e = engine();
  for (const c of ['a', 'b', 'c']) e.watch(c, s(0));
  // kim: a silent member of a, last seen more than the window before she shows up in b
  e.signal('a', 'kim', 'names', s(1));
  e.signal('b', 'kim', 'join', s(1000));
  e.part('a', 'kim', s(1010));
  // lee: known in a only by the PART, read after the JOIN in b
  e.signal('b', 'lee', 'join', s(1000));
  e.part('a', 'lee', s(1020));
  // max: the PART comes 40 s after, more than membership lines lag: in both, no switch
  e.signal('a', 'max', 'names', s(1));
  e.signal('b', 'max', 'join', s(1000));
  e.part('a', 'max', s(1040));
  // ann: already moved into b (from c); a PART in a just after is not a second move into b
  e.part('c', 'ann', s(990));
  e.signal('b', 'ann', 'join', s(1000));
  e.part('a', 'ann', s(1010));
  assert.deepEqual(run(e, 0, 1100).moves.map(brief).sort(), ['ann c>b 990..1000 organic', 'kim a>b 1000..1000 organic', 'lee a>b 1000..1000 organic']);
});

test('present and activeChatters', () => {
  const e = engine();
  e.watch('a', s(0));
  e.signal('a', 'kim', 'chat', s(10));
  e.signal('a', 'lee', 'join', s(10));
  e.signal('a', 'max', 'notice', s(400));
  e.signal('zzz', 'max', 'chat', s(400)); // not watched: ignored
  e.signal('a', 'bad', 'part' as 'chat', s(400)); // not a signal kind signal() takes
  e.signal('a', 'bad', 'toString' as 'chat', s(400));
  assert.equal(e.present('a'), 3);
  assert.equal(e.present('zzz'), 0);
  assert.equal(e.activeChatters('a', s(400)), 2);
  assert.equal(e.activeChatters('a', s(400), 60_000), 1);
  e.tick(s(500)); // kim lingers out (lee, seen by JOIN, waits for a PART); kim's chat still counts over 10 minutes
  assert.equal(e.present('a'), 2);
  assert.equal(e.activeChatters('a', s(500)), 2);
  e.signal('a', 'kim', 'chat', s(520)); // a new presence, one chatter still
  assert.equal(e.activeChatters('a', s(520)), 2);
  assert.equal(e.activeChatters('a', s(700)), 2);
  assert.equal(e.activeChatters('a', s(1100)), 1);
});

test('unwatch drops the channel’s presences and pending moves; its signals are ignored after', () => {
  const e = engine();
  e.watch('a', s(0));
  e.watch('b', s(0));
  e.signal('a', 'kim', 'chat', s(200));
  e.signal('b', 'kim', 'chat', s(260)); // a candidate a > b
  e.signal('a', 'lee', 'join', s(200));
  e.part('a', 'lee', s(250));
  e.unwatch('a', s(270));
  assert.equal(e.isWatched('a'), false);
  assert.deepEqual(e.watched(), ['b']);
  assert.equal(e.present('a'), 0);
  e.signal('a', 'max', 'chat', s(280));
  e.signal('b', 'lee', 'join', s(290)); // lee's departure from a was dropped with it
  assert.deepEqual(run(e, 270, 2000).moves, []);
  // watched again: a new warm-up
  e.watch('a', s(2000));
  e.signal('a', 'kim', 'chat', s(2010));
  assert.equal(e.present('a'), 1);
});

test('logins that are not short ASCII are users too, and every user is forgotten once they hold nothing', () => {
  const e = engine();
  e.watch('a', s(0));
  e.watch('b', s(0));
  const odd = ['ünïcode', 'x'.repeat(40), 'user_twenty_five_chars_25', 'kim'];
  for (const u of odd) e.signal('a', u, 'join', s(200));
  for (const u of odd) e.part('a', u, s(300));
  for (const u of odd) e.signal('b', u, 'chat', s(310));
  assert.deepEqual(
    e
      .tick(s(311))
      .moves.map((m) => m.user)
      .sort(),
    [...odd].sort(),
  );
  assert.equal(e.memory().users, 4);
  // thousands of users through the table, freed, and asked for again
  for (let i = 0; i < 5000; i++) e.signal('b', `viewer${i}`, 'chat', s(400));
  assert.equal(e.present('b'), 5004);
  run(e, 400, 2000);
  assert.deepEqual(e.memory(), { ...e.memory(), users: 0, presences: 0 });
  for (let i = 0; i < 5000; i += 7) e.signal('b', `viewer${i}`, 'chat', s(2001));
  assert.equal(e.present('b'), Math.ceil(5000 / 7));
  assert.equal(e.activeChatters('b', s(2001)), Math.ceil(5000 / 7));
});

test('raid reports of one pair more than 5 minutes apart are two raids; retention without raiders is 0', () => {
  const e = engine();
  e.watch('a', s(0));
  e.watch('b', s(0));
  e.raid({ from: 'a', to: 'b', at: s(1000), viewers: 10, source: 'chat' });
  e.raid({ from: 'a', to: 'b', at: s(1000), viewers: 5, source: 'chat' }); // the same notice twice
  e.raid({ from: 'a', to: 'c', at: s(1001), viewers: 5, source: 'eventsub' });
  e.raid({ from: 'a', to: 'b', at: s(1000 + 301), viewers: 7, source: 'eventsub' });
  const raids = e.tick(s(1400)).raids;
  assert.deepEqual(
    raids.map((r) => [r.id, r.viewers, r.sources.join('+')]),
    [
      [`a>b@${s(1000) / 1000}`, 10, 'chat'],
      [`a>c@${s(1001) / 1000}`, 5, 'eventsub'],
      [`a>b@${s(1301) / 1000}`, 7, 'eventsub'],
    ],
  );
  assert.deepEqual(e.tick(s(1405)).raids, [], 'nothing changed');
  // no raider: retention is 0 at +10 and +30 min, each reported once
  const later = run(e, 1410, 1000 + 1800 + 400);
  assert.deepEqual(
    later.raids.filter((r) => r.id === `a>b@${s(1000) / 1000}`).map((r) => [r.retained10m, r.retained30m]),
    [
      [0, null],
      [0, 0],
    ],
  );
});

test('one tick after hours of none still ends every presence, confirms what it must and frees everything', () => {
  const e = engine();
  e.watch('a', s(0));
  e.watch('b', s(0));
  e.signal('a', 'kim', 'chat', s(200));
  e.signal('b', 'kim', 'chat', s(260)); // pending until a lingers out
  for (let i = 0; i < 100; i++) e.signal('a', `v${i}`, 'chat', s(300 + i * 60)); // due over 100 minutes
  e.streamEnded('b', s(9000));
  const { moves, ended } = e.tick(s(3 * 3600));
  assert.deepEqual(moves.map(brief), ['kim a>b 200..260 organic']);
  assert.deepEqual(
    ended.map((x) => [x.audience, x.final]),
    [[0, true]],
  );
  assert.deepEqual(e.memory(), { ...e.memory(), users: 0, presences: 0 });
  assert.equal(e.drainActivity().length, 102);
  // and the queue goes on from there
  e.signal('a', 'lee', 'chat', s(3 * 3600 + 10));
  e.tick(s(3 * 3600 + 20));
  assert.equal(e.present('a'), 1);
  e.tick(s(3 * 3600 + 10 + 300));
  assert.equal(e.present('a'), 0);
});
