// The contract between Audience's presence tracker (in memory, fed from the bus on the hot path)
// and the service that stores and serves what it infers. Types only; the tracker is
// createAudienceEngine in tracker.ts.
//
// Definitions (README, "Audience"):
// - A presence of a user in a channel starts at its first signal there (a chat message or notice,
//   a JOIN, a NAMES listing, a Get Chatters listing, arriving with a raid) and ends at a PART, at
//   the stream's end, or `lingerMs` after the user's last signal there. A PART of a user with no
//   presence there is a presence of its own, begun at some unknown time before it and ended at it.
// - Baseline: presences that start within `warmupMs` of a channel being watched (Lurk's start,
//   a channel added later) were already there: they are never the arriving half of a move.
// - A move A → B: the user's presence in A ended (its end time is the PART, or the last signal in
//   A when it ended otherwise) and a new presence in B began after that, at most `windowMs` later.
//   No abs(): a presence in B that began while A was still going is not a move. A candidate move
//   whose A shows a signal again after B began is withdrawn (the user watches both); a candidate
//   is confirmed when A's presence ends (at once when A had a PART). Twitch delivers JOIN/PART
//   late and in batches, so a PART in A arriving at most 30 s after the first signal in B (and no
//   signal in A since) is the same switch: the move counts, left at B's first signal.
// - Cause `raid` when a raid A → B happened no later than the arrival in B and at most windowMs
//   before it, and the user was in A at the raid; otherwise `organic`.
import type { MoveCause, SignalKind } from './types.js';

/** all times are Lurk's clock, ms since the epoch; channels and users are lower-case logins */
export interface AudienceEngineOptions {
  /** a presence without a PART ends this long after its last signal (LURK_AUDIENCE_LINGER_SECONDS) */
  lingerMs: number;
  /** the longest gap between leaving A and arriving in B for a move (LURK_AUDIENCE_MOVE_WINDOW_SECONDS) */
  windowMs: number;
  /** presences starting this soon after a channel is watched are baseline (default 120,000) */
  warmupMs?: number;
  /** how long after a stream's end its audience's destinations are counted (default 30 minutes) */
  endedFollowMs?: number;
  /** when raiders still in B are counted, after the raid (default [10 min, 30 min]) */
  retentionAfterMs?: readonly [number, number];
}

export interface EngineEvidence {
  channel: string;
  kind: SignalKind;
  at: number;
}

export interface EngineMove {
  user: string;
  from: string;
  to: string;
  leftAt: number;
  joinedAt: number;
  cause: MoveCause;
  raidId?: string;
  /** the user's last signals in A (a PART among them when there was one) and the first in B */
  evidence: EngineEvidence[];
}

export interface EngineRaid {
  /** stable: `${from}>${to}@${seconds of the first report}` */
  id: string;
  from: string;
  to: string;
  at: number;
  viewers: number;
  sources: ('eventsub' | 'chat')[];
  /** users seen moving A → B with it so far */
  raidersSeen: number;
  /** raiders with a presence in B still open at +10 min / +30 min; null until then */
  retained10m: number | null;
  retained30m: number | null;
}

export interface EngineEnded {
  channel: string;
  endedAt: number;
  /** users with an open presence in it at the end */
  audience: number;
  /** of those, users seen arriving in another watched channel within endedFollowMs */
  followed: number;
  moves: number;
  raidMoves: number;
  destinations: { channel: string; count: number; raid: number }[];
  /** the follow-up time has passed: it will not change again */
  final: boolean;
}

/** what changed since the last tick */
export interface EngineTick {
  /** moves confirmed since the last tick, oldest first */
  moves: EngineMove[];
  /** raids new or changed (raiders seen, retention) since the last tick */
  raids: EngineRaid[];
  /** ended streams new or changed since the last tick */
  ended: EngineEnded[];
}

/** a user's activity in a channel since the last drain: what overlap is counted from */
export interface ActivityRow {
  channel: string;
  user: string;
  /** the first and last signal of the presence (firstAt may be before the last drain) */
  firstAt: number;
  lastAt: number;
}

export interface RaidReport {
  from: string;
  to: string;
  at: number;
  viewers: number;
  source: 'eventsub' | 'chat';
}

export interface AudienceEngine {
  /** starts watching a channel: presences seen in the next warmupMs are baseline */
  watch(channel: string, now: number): void;
  /** stops watching: its presences are dropped without moves */
  unwatch(channel: string, now: number): void;
  /**
   * whether the room sends JOIN/PART: the engine learns it from the membership lines it gets and
   * is told when a room grows past 1,000 users (false); while it does, a presence seen by JOIN or
   * NAMES lasts until its PART (12 h at most without a signal), otherwise it lingers out like a chatter's
   */
  membership(channel: string, sends: boolean): void;
  isWatched(channel: string): boolean;
  watched(): string[];
  /** the hot path: one signal of a user in a watched channel (others are ignored); not 'part' */
  signal(channel: string, user: string, kind: Exclude<SignalKind, 'part'>, at: number): void;
  /** a PART: the presence ends now */
  part(channel: string, user: string, at: number): void;
  /** a raid from either source; the same raid reported twice (EventSub and the chat notice, within a few minutes) is one */
  raid(report: RaidReport): void;
  /** the stream ended: open presences end at their last signal, the audience is counted and followed */
  streamEnded(channel: string, at: number): void;
  /** expires presences, confirms moves, counts retention and follows ended streams; call every few seconds */
  tick(now: number): EngineTick;
  /** users active in a channel since the last drain (one row per presence touched) */
  drainActivity(): ActivityRow[];
  /** users with an open presence in the channel now */
  present(channel: string): number;
  /** distinct users whose last chat signal (chat or notice) in the channel is at most sinceMs before now */
  activeChatters(channel: string, now: number, sinceMs?: number): number;
  /** what it holds and an estimate of its heap bytes */
  memory(): { users: number; presences: number; bytes: number };
}
