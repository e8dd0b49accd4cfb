// One accuracy run of Audience against the simulator's truth: a seeded simulator in this process
// (every protocol, over real sockets), a full Lurk (createLurk) on the simulator's clock pointed at
// it as at Twitch, every channel of the world watched; the world stands still while the chat pool
// joins them all, then runs accelerated for the simulated hours asked. What Lurk's bus carried is
// recorded (a SignalLog) for the "could have seen" rule and the seed method; Lurk's moves come
// either from the Audience service (what it stored) or, while the service is not in this build,
// from an AudienceEngine fed from the bus by this harness (`mode` says which).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLurk, type Lurk } from '../../src/app.js';
import type { AudienceEngine, EngineMove } from '../../src/audience/engine.js';
import type { AudienceQueries } from '../../src/audience/queries.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/core/logger.js';
import { createSimulator, type Simulator } from '../../src/sim/index.js';
import { simulatorEndpoints } from '../../src/twitch/endpoints.js';
import { waitFor } from '../../test/helpers/app.js';
import { tempSqlite } from '../../test/helpers/db.js';
import { recordSignals, type SignalLog } from './audience-signals.js';
import { seedMoves } from './audience-seed.js';
import { fetchTrueMoves, type ReportedMove, type Scores, score, type TrueMove, WorldMembership } from './audience-truth.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MINUTE = 60_000;
const HOUR = 3_600_000;
/** the engine's default: presences seen this soon after a channel is watched are its baseline */
export const WARMUP_MS = 120_000;

export type EngineFactory = (options: { lingerMs: number; windowMs: number }) => AudienceEngine;

export interface AccuracyOptions {
  seed: number;
  /** the world's start (default 2026-12-01 12:00 UTC) */
  startMs?: number;
  channels: number;
  live: number;
  viewersPerLive: number;
  /** simulated seconds per real second while measuring */
  speed: number;
  /** simulated time measured, after the settling minutes */
  hours: number;
  lingerSeconds: number;
  moveWindowSeconds: number;
  /** the simulated clock slack of the matcher and the rule (see audience-truth.ts) */
  slackMs: number;
  /**
   * 'service': the moves Lurk's own Audience service stored; 'engine': an AudienceEngine from
   * `engine` fed from the bus by this harness; 'auto': the service when this build has one
   */
  mode: 'auto' | 'service' | 'engine';
  engine?: EngineFactory;
  log(message: string): void;
}

export interface AccuracyRun {
  mode: 'service' | 'engine';
  speed: number;
  /** the measured period, simulated ms */
  from: number;
  to: number;
  wallSeconds: number;
  /** whether the world fell behind its clock at some point while measuring */
  lagged: boolean;
  channels: number;
  /** of them, channels whose audience reached 1,000 at some point (no JOIN/PART there then) */
  bigRooms: number;
  signals: number;
  /** chat: receivedAt − tmi-sent-ts, ms */
  lagP50: number;
  lagP99: number;
  /** JOIN and PART: receivedAt − the world's own event time, ms */
  membershipLagP50: number;
  membershipLagP99: number;
  truth: TrueMove[];
  /** what each method reported, and the signals: for a closer look at a run */
  reported: { lurk: ReportedMove[]; seed: ReportedMove[] };
  log: SignalLog;
  lurk: Scores;
  seed: Scores;
}

/** moves as the matcher takes them */
function reported(m: EngineMove): ReportedMove {
  return { user: m.user, from: m.from, to: m.to, leftAt: m.leftAt, joinedAt: m.joinedAt };
}

/** feeds an engine from the chat topics as the Audience service does (no EventSub: raids from chat only); returns the unsubscribe */
function feedEngine(lurk: Lurk, engine: AudienceEngine): () => void {
  const { bus } = lurk;
  const offs = [
    bus.subscribe('chat.message', ({ items }) => {
      for (const m of items) engine.signal(m.channel, m.user, 'chat', m.receivedAt);
    }),
    bus.subscribe('chat.notice', ({ items }) => {
      for (const n of items) {
        if (n.user) engine.signal(n.channel, n.user, 'notice', n.receivedAt);
        if (n.kind === 'raid' && n.user && n.user !== n.channel) engine.raid({ from: n.user, to: n.channel, at: n.receivedAt, viewers: n.viewers ?? 0, source: 'chat' });
      }
    }),
    bus.subscribe('chat.membership', ({ items }) => {
      for (const m of items) {
        if (m.kind === 'part') for (const u of m.users) engine.part(m.channel, u, m.receivedAt);
        else for (const u of m.users) engine.signal(m.channel, u, m.kind, m.receivedAt);
      }
    }),
    bus.subscribe('chat.channel', (e) => {
      if (e.state === 'joined') engine.watch(e.channel, e.at);
      else engine.unwatch(e.channel, e.at);
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}

type MovesQuery = Pick<AudienceQueries, 'moves'>;

/** Lurk's Audience service, when this build has one */
function audienceOf(lurk: Lurk): MovesQuery | undefined {
  const audience = (lurk as unknown as { audience?: Partial<MovesQuery> }).audience;
  return typeof audience?.moves === 'function' ? (audience as MovesQuery) : undefined;
}

/** the Audience service's stored per-user moves over [from, to) */
async function serviceMoves(lurk: Lurk, from: number, to: number): Promise<ReportedMove[]> {
  const audience = audienceOf(lurk);
  if (!audience) throw new Error('this build has no Audience service (lurk.audience)');
  const answer = await audience.moves({ from, to, limit: 1_000_000 });
  if (!answer.moves) throw new Error('the Audience service served no per-user moves (LURK_AUDIENCE_PER_USER is on)');
  return answer.moves.map((m) => ({ user: m.user, from: m.from_channel, to: m.to_channel, leftAt: Date.parse(m.left_at), joinedAt: Date.parse(m.joined_at) }));
}

export async function runAccuracy(o: AccuracyOptions): Promise<AccuracyRun> {
  const quiet = createLogger('warn');
  const sim: Simulator = createSimulator({
    seed: o.seed,
    channels: o.channels,
    live: o.live,
    viewersPerLive: o.viewersPerLive,
    speed: 0,
    port: 0,
    ircPort: 0,
    ircWsPort: null,
    rateLimitPerMinute: 0,
    // a fixed start, so a seed makes the same day (the world's audience follows the hour)
    startMs: o.startMs ?? Date.UTC(2026, 11, 1, 12),
    log: quiet,
  });
  const db = await tempSqlite();
  let lurk: Lurk | undefined;
  let stopFeed: (() => void) | undefined;
  let stopRecord: (() => void) | undefined;
  let stopWorld: (() => void) | undefined;
  try {
    const world = new WorldMembership((login) => sim.world.userByLogin(login));
    const offWorld = sim.world.onMembership((m) => world.push(m.user, m.channel, m.kind === 'join' ? 0 : 1, m.at));
    stopWorld = offWorld;
    const addresses = await sim.start();
    const endpoints = simulatorEndpoints(addresses);
    const client = sim.auth.registeredClients()[0]!;
    const logins = Array.from({ length: o.channels }, (_, c) => sim.world.login(c));
    const config = loadConfig({
      cwd: root,
      env: {
        TWITCH_CLIENT_ID: client.clientId,
        TWITCH_CLIENT_SECRET: client.clientSecret,
        LURK_TWITCH_OAUTH_URL: endpoints.oauth,
        LURK_TWITCH_HELIX_URL: endpoints.helix,
        LURK_TWITCH_EVENTSUB_WS_URL: endpoints.eventSubWs,
        LURK_TWITCH_IRC_URL: `irc://${endpoints.ircTcp.host}:${addresses.ircPort}`,
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: db.url,
        LOG_LEVEL: 'warn',
        LURK_API_RATE_LIMIT: '0',
        LURK_DIGEST_DIR: 'off',
        LURK_AUDIENCE_LINGER_SECONDS: String(o.lingerSeconds),
        LURK_AUDIENCE_MOVE_WINDOW_SECONDS: String(o.moveWindowSeconds),
        LURK_AUDIENCE_PER_USER: 'true',
        LURK_AUDIENCE_TOP: '0',
        LURK_AUDIENCE_CHANNELS: logins.join(','),
      },
    });
    lurk = await createLurk(config, { clock: sim.clock, log: quiet, uiDir: '/nonexistent' });
    const hasService = audienceOf(lurk) !== undefined;
    if (o.mode === 'service' && !hasService) throw new Error('this build has no Audience service (lurk.audience)');
    const mode: 'service' | 'engine' = o.mode === 'auto' ? (hasService ? 'service' : 'engine') : o.mode;
    const recorder = recordSignals(lurk.bus);
    stopRecord = recorder.stop;
    const log: SignalLog = recorder.log;
    let engine: AudienceEngine | undefined;
    const engineMoves: ReportedMove[] = [];
    if (mode === 'engine') {
      if (!o.engine) throw new Error("mode 'engine' needs an engine factory");
      engine = o.engine({ lingerMs: o.lingerSeconds * 1000, windowMs: o.moveWindowSeconds * 1000 });
      stopFeed = feedEngine(lurk, engine);
      lurk.twitchAccess.chat.want('audience-bench', logins);
    }
    await lurk.start();
    const running = lurk;
    o.log(`${o.channels} channels (${sim.world.liveCount} live, ${sim.world.stats().viewers} viewers) to join…`);
    const joinStart = performance.now();
    await waitFor('every channel joined', () => log.allJoinedBy(logins), 600_000, 250);
    o.log(`all ${o.channels} joined in ${((performance.now() - joinStart) / 1000).toFixed(0)} s; the world at speed ${o.speed}…`);

    const t0 = sim.world.now();
    // ten minutes to settle: baselines past, the first lingering presences ended
    const from = Math.ceil((t0 + 10 * MINUTE) / MINUTE) * MINUTE;
    const to = from + Math.round(o.hours * HOUR);
    // moves arriving before `to` are confirmed once A's presence ends, at most linger later, and
    // the service has stored them a little after
    const until = to + (o.lingerSeconds + 120) * 1000;
    const tick = () => {
      if (!engine) return;
      for (const m of engine.tick(running.clock.now()).moves) engineMoves.push(reported(m));
    };
    const big = new Set<number>();
    let lagged = false;
    const wall0 = performance.now();
    sim.setSpeed(o.speed);
    let lastLog = performance.now();
    let lastBig = 0;
    while (sim.world.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      tick();
      if (sim.lagging) lagged = true;
      if (performance.now() - lastBig > 1000) {
        lastBig = performance.now();
        for (const c of sim.world.liveChannelList()) if (sim.world.viewersNow(c) >= 1000) big.add(c);
      }
      if (performance.now() - lastLog > 20_000) {
        lastLog = performance.now();
        const done = (sim.world.now() - t0) / (until - t0);
        o.log(
          `${(100 * done).toFixed(0)} % (${((sim.world.now() - t0) / HOUR).toFixed(1)} of ${((until - t0) / HOUR).toFixed(1)} simulated hours), ${log.size.toLocaleString('en-US')} signals${sim.lagging ? ', the world lagging its clock' : ''}`,
        );
      }
    }
    const wallSeconds = (performance.now() - wall0) / 1000;
    // the service writes on Lurk's clock: read its moves while the world still runs
    const lurkMoves = mode === 'engine' ? engineMoves : await serviceMoves(running, from - HOUR, until);
    sim.setSpeed(0);
    tick();
    const truth = await fetchTrueMoves(sim.address.httpUrl, Math.max(t0, from - HOUR), sim.world.now());
    o.log(`${truth.length.toLocaleString('en-US')} true moves, ${lurkMoves.length.toLocaleString('en-US')} Lurk moves, ${log.size.toLocaleString('en-US')} signals; scoring…`);
    const rule = { lingerMs: o.lingerSeconds * 1000, windowMs: o.moveWindowSeconds * 1000, warmupMs: WARMUP_MS, slackMs: o.slackMs, latenessMs: o.moveWindowSeconds * 1000 };
    const period = { from, to };
    const lurkScores = score(lurkMoves, truth, log, world, period, rule);
    const seed = seedMoves(log, t0, sim.world.now());
    const membershipLags = world.membershipLags(log);
    const percentile = (p: number) => (membershipLags.length > 0 ? membershipLags[Math.min(membershipLags.length - 1, Math.floor(p * membershipLags.length))]! : Number.NaN);
    const seedScores = score(seed, truth, log, world, period, rule);
    return {
      mode,
      speed: o.speed,
      from,
      to,
      wallSeconds,
      lagged,
      channels: o.channels,
      bigRooms: big.size,
      signals: log.size,
      lagP50: log.lagPercentile(0.5),
      lagP99: log.lagPercentile(0.99),
      membershipLagP50: percentile(0.5),
      membershipLagP99: percentile(0.99),
      truth,
      reported: { lurk: lurkMoves, seed },
      log,
      lurk: lurkScores,
      seed: seedScores,
    };
  } finally {
    stopFeed?.();
    stopRecord?.();
    stopWorld?.();
    if (lurk) await lurk.stop();
    await sim.stop();
    await db.drop();
  }
}
