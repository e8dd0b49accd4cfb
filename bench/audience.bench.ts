// Audience (issue #13), two parts, each figure beside an anchor measured in the same run:
//
// 1. Accuracy against the simulator's truth (/_sim/truth/moves). A seeded world of 400 channels
//    (100 live, about 100 viewers each on average, Zipf-like: a few rooms pass 1,000, where Twitch
//    sends no JOIN/PART and chat is the only signal) runs in this process over real sockets; a full
//    Lurk (createLurk) on its clock watches every channel (LURK_AUDIENCE_CHANNELS, linger and move
//    window at their defaults, 600 s). The world stands still while the pool joins them all, then
//    runs at LURK_BENCH_AUDIENCE_SPEED (default 150) for LURK_BENCH_AUDIENCE_HOURS simulated hours
//    (default 6, about 3 minutes; 24 for a full day, about 11), after 10 settling minutes. Lurk's
//    moves are those its Audience service stored (per-user rows), or, in a build without the
//    service (or with LURK_BENCH_AUDIENCE_MODE=engine), those of the presence engine fed from the
//    bus by the harness as the service feeds it (the figures' notes say which).
//    - Matcher (bench/support/audience-truth.ts): a reported move (user, A → B, left_at L, joined_at
//      J) matches a true move of that user from A to B when true left_at ≥ L − slack, true
//      joined_at ≤ J + slack and true joined_at ≥ J − 600 s (the move window), one to one. slack is
//      5 s or 100 ms of real time in simulated time, the larger (15 s at speed 150): the world
//      steps every 25 ms and Lurk reads a stream's end, thousands of PARTs at once, a moment later
//      (the notes give the JOIN/PART lag measured against the world's own events: p99 about 6 s at
//      speed 150).
//      "within 60 s": the same with true joined_at ≥ J − 60 s.
//    - Could have seen: both channels' chat joined (A's when the user left, B's when they
//      arrived); a signal of the user in A (chat, notice, JOIN, NAMES or the PART) in
//      [left_at − linger, left_at + slack], the latest being L; a signal in B in
//      [joined_at − slack, L + window]; B joined at least the engine's warm-up (120 s) before it;
//      and no presence of the user in B still open from before (a signal there in the linger
//      before joined_at that is not a PART).
//    - Recall is also given over every true move between watched channels, and over every true move.
//    - Anchor: the seed method, the Twitch Migration Tracker's viewer-list diff (audience-seed.ts)
//      on the same signals: every watched channel's list polled every 60 s (users seen by JOIN or
//      NAMES and not PARTed, plus chatters of the last 5 minutes, a PART taking a user off both), a
//      move when a user left A's list and appeared in B's with |leave − join| < 300 s.
//    - A re-arrival: the world's own JOIN/PART show a user leaving A and joining B next within the
//      matcher's times, with no move in its truth. The simulator now rests a viewer who stopped
//      watching for 15 minutes before they may arrive anew, so for a 10-minute window there are
//      none of its own making; "precision counting re-arrivals" counts the ones left (the seed
//      method's abs() pairs a join before the leave, which the world never calls a move).
// 2. Scale: the presence engine holding 10,000 watched channels and a million users (heap after a
//    full collection; goal ≤ 300 MB) and the signals it takes a second on one core, each side in a
//    child process of its own with --expose-gc (bench/support/audience-scale-child.ts, measureEngineScale), beside a
//    naive Map<channel, Map<user, {firstAt, lastAt}>> of the same presences, fed the same signals.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { createAudienceEngine } from '../src/audience/tracker.js';
import type { BenchContext, Figure } from './lib.js';
import { type AccuracyRun, runAccuracy } from './support/audience-run.js';
import type { Scores } from './support/audience-truth.js';
import type { EngineScale } from './support/audience-scale.js';
import type { NaiveScale } from './support/audience-scale-child.js';

const us = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/** details kept in bench/results/latest.json under 'audience' (see bench/run.ts) */
export interface AudienceDetails {
  accuracy: Omit<AccuracyRun, 'truth' | 'reported' | 'log'> & { trueMoves: number; slackMs: number; hours: number };
  scale: { engine: EngineScale; naive: NaiveScale };
}

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!(n > 0) || !Number.isFinite(n)) throw new Error(`${name} must be a positive number, not ${JSON.stringify(raw)}`);
  return n;
}

/** precision by the gap between the last sight in A and the first in B */
function gaps(s: Scores): string {
  return s.byGap.map((g) => `${Number.isFinite(g.upToSeconds) ? `≤ ${g.upToSeconds} s` : 'longer'} ${us(g.matched)}/${us(g.reported)}`).join(', ');
}

function describe(s: Scores): string {
  return `${us(s.reported)} reported, ${us(s.matched)} matched (${us(s.rearrivals)} of the rest re-arrivals); true moves ${us(s.truth)}, ${us(s.watched)} between watched channels, ${us(s.seeable)} could have been seen (found: by JOIN/PART/NAMES at both ends ${us(s.bySight.membership.matched)}/${us(s.bySight.membership.seeable)}, with chat at one end ${us(s.bySight.chat.matched)}/${us(s.bySight.chat.seeable)}, raids ${us(s.byCause.raid.matched)}/${us(s.byCause.raid.seeable)}; of those missed, ${us(s.missedPartAfterLinger)} left by a PART more than the linger after their other signals in A)`;
}

async function accuracy(ctx: BenchContext): Promise<{ figures: Figure[]; details: AudienceDetails['accuracy'] }> {
  const speed = envNumber('LURK_BENCH_AUDIENCE_SPEED', 150);
  const hours = envNumber('LURK_BENCH_AUDIENCE_HOURS', ctx.quick ? 0.5 : 6);
  const slackMs = Math.max(5_000, 100 * speed);
  const forced = process.env.LURK_BENCH_AUDIENCE_MODE;
  if (forced !== undefined && forced !== 'engine' && forced !== 'service') throw new Error(`LURK_BENCH_AUDIENCE_MODE must be engine or service, not ${JSON.stringify(forced)}`);
  ctx.log(`accuracy: ${hours} simulated hours at speed ${speed} (about ${Math.ceil((hours * 3600 + 1320) / speed / 60)} minutes of world time after the joins)…`);
  const run = await runAccuracy({
    seed: 5,
    channels: 400,
    live: 100,
    viewersPerLive: 100,
    speed,
    hours,
    lingerSeconds: 600,
    moveWindowSeconds: 600,
    slackMs,
    mode: forced ?? 'auto',
    engine: (o) => createAudienceEngine(o),
    log: (m) => ctx.log(`accuracy: ${m}`),
  });
  const { lurk, seed } = run;
  ctx.log(`accuracy: Lurk (${run.mode}): ${describe(lurk)}; matched by gap ${gaps(lurk)}`);
  ctx.log(`accuracy: seed method: ${describe(seed)}; matched by gap ${gaps(seed)}`);
  const source =
    run.mode === 'service'
      ? "Lurk's moves: the per-user rows its Audience service stored"
      : "Lurk's moves: its presence engine (createAudienceEngine) fed from the bus by the bench harness (this build has no Audience service)";
  const about = `${((run.to - run.from) / 3_600_000).toFixed(1)} simulated hours of a seeded world (400 channels, 100 live, ${run.bigRooms} rooms of 1,000 or more at some point), speed ${run.speed} (${run.wallSeconds.toFixed(0)} s${run.lagged ? ', the world lagged its clock at times' : ''}), every channel watched; ${source}; ${us(run.signals)} signals on the bus, chat read ${(run.lagP50 / 1000).toFixed(1)} s after it was sent (p99 ${(run.lagP99 / 1000).toFixed(1)} s), JOIN/PART ${(run.membershipLagP50 / 1000).toFixed(1)} s after the world's (p99 ${(run.membershipLagP99 / 1000).toFixed(1)} s), in simulated time; matcher slack ${slackMs / 1000} s`;
  const seedName = 'the seed method (viewer-list diff every 60 s, abs(leave − join) < 300 s), same signals, same matcher';
  const fig = (name: string, pick: (s: Scores) => number, note: string): Figure => ({ name, value: pick(lurk), unit: 'share', anchor: seedName, anchorValue: pick(seed), better: 'higher', note });
  const figures = [
    fig(
      'audience: precision of reported moves (goal ≥ 0.95)',
      (s) => s.precision,
      `${about}; Lurk: ${describe(lurk)}; seed: ${describe(seed)}; matched by the gap from the last sight in A to the first in B: Lurk ${gaps(lurk)}; seed ${gaps(seed)}`,
    ),
    fig(
      'audience: precision counting the world’s re-arrivals as moves',
      (s) => s.precisionWorld,
      `a re-arrival: the world's own JOIN/PART show the user leaving A and joining B next, within the matcher's times, but its truth has no move (its arrivals draw any idle viewer); Lurk ${us(lurk.rearrivals)}, seed ${us(seed.rearrivals)}`,
    ),
    fig('audience: precision, the true arrival within 60 s of the reported', (s) => s.precisionWithin60s, 'the same matcher with true joined_at ≥ J − 60 s'),
    fig(
      'audience: recall over the moves Lurk could have seen (goal ≥ 0.90)',
      (s) => s.recallSeeable,
      `${us(lurk.seeable)} of ${us(lurk.truth)} true moves could have been seen (the rule in the bench's header); Lurk ${pct(lurk.recallSeeable)}, seed ${pct(seed.recallSeeable)}`,
    ),
    fig(
      'audience: recall over the moves it could have seen with chat at one end',
      (s) => s.bySight.chat.matched / s.bySight.chat.seeable,
      `${us(lurk.bySight.chat.seeable)} of the seeable moves showed by a chat message at one end at least (rooms of 1,000 and more send no JOIN/PART: chat is all there is); JOIN/PART/NAMES at both ends: Lurk ${us(lurk.bySight.membership.matched)}/${us(lurk.bySight.membership.seeable)}, seed ${us(seed.bySight.membership.matched)}/${us(seed.bySight.membership.seeable)}`,
    ),
    fig('audience: recall over true moves between watched channels', (s) => s.recallWatched, `${us(lurk.watched)} true moves with both channels' chat joined`),
    fig('audience: recall over all true moves', (s) => s.recallAll, `${us(lurk.truth)} true moves arriving in the measured hours`),
  ];
  const { truth, reported: _r, log: _l, ...rest } = run;
  return { figures, details: { ...rest, trueMoves: truth.length, slackMs, hours } };
}

async function scale(ctx: BenchContext): Promise<{ figures: Figure[]; details: AudienceDetails['scale'] }> {
  const channels = 10_000;
  const users = ctx.quick ? 100_000 : 1_000_000;
  const signalsPerUser = ctx.quick ? 2 : 5;
  ctx.log(`scale: ${us(channels)} channels, ${us(users)} users, each in a child process with --expose-gc…`);
  const child = path.join(ctx.root, 'bench', 'support', 'audience-scale-child.ts');
  const measure = async <T>(side: 'engine' | 'naive'): Promise<T> => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', child, side, String(channels), String(users), String(signalsPerUser)], {
      cwd: ctx.root,
      maxBuffer: 1 << 20,
      timeout: 300_000,
    });
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
  };
  // one process each, so neither's garbage or heap growth weighs on the other
  const engine = await measure<EngineScale>('engine');
  const naive = await measure<NaiveScale>('naive');
  if (engine.presences !== naive.presences) throw new Error(`the engine holds ${engine.presences} presences, the naive table ${naive.presences}: not the same presences`);
  const about = `${us(channels)} watched channels, ${us(users)} users each in one or two (${us(engine.presences)} presences, channels drawn Zipf-like)`;
  const mb = (b: number) => b / 1_048_576;
  return {
    details: { engine, naive },
    figures: [
      {
        name: `audience: presence memory, ${us(channels)} channels × ${us(users)} users (goal ≤ 300 MB)`,
        value: mb(engine.heapBytes),
        unit: 'MB',
        anchor: 'a naive Map<channel, Map<user, {firstAt, lastAt}>> of the same presences',
        anchorValue: mb(naive.heapBytes),
        better: 'lower',
        note: `${about}; JS heap plus array buffers kept after a full collection, logins included; the engine's own estimate ${mb(engine.estimatedBytes).toFixed(0)} MB`,
      },
      {
        name: 'audience: signals processed per second on one core',
        value: engine.signalsPerSecond,
        unit: 'signals/s',
        anchor: "the naive Map's update per signal (channel's map, user's entry, lastAt), same signals",
        anchorValue: naive.signalsPerSecond,
        better: 'higher',
        note: `${about}; ${us(users * signalsPerUser)} chat signals of users already present, fresh login strings as the parser makes them; a tick on the full table took ${engine.tickMs.toFixed(2)} ms`,
      },
    ],
  };
}

export default async function audienceBench(ctx: BenchContext): Promise<{ figures: Figure[]; details: AudienceDetails }> {
  const s = await scale(ctx);
  const a = await accuracy(ctx);
  return { figures: [...a.figures, ...s.figures], details: { accuracy: a.details, scale: s.details } };
}
