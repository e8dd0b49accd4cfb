// The seed method, the anchor of Audience's accuracy: the Twitch Migration Tracker's viewer-list
// diff, run over the very signals Lurk received (a SignalLog), in simulated time.
//
// Each watched channel's viewer list is polled every `pollMs` (60 s). The list at a poll is
//   the users seen there by JOIN or NAMES and not PARTed since, plus
//   the users who chatted there (a message or a notice) in the last `chatterMs` (5 minutes),
// a PART taking the user off both (it is the one signal that says they are gone).
// A channel's first poll after its chat was joined is its baseline (nobody appears in it). A user
// leaves A at the first poll A's list lacks them, and appears in B at the first poll B's list has
// them; every (leave of A, appearance in B) of one user with A ≠ B and |leave − join| < `pairMs`
// (300 s) is a move. For the matcher its left_at is the user's last sight in A (the last poll that
// listed them by membership, or their last chat there when only chat listed them) and its
// joined_at the poll that first listed them in B.
import type { SignalLog } from './audience-signals.js';
import type { ReportedMove } from './audience-truth.js';

export interface SeedOptions {
  pollMs: number;
  chatterMs: number;
  pairMs: number;
}

export const SEED_OPTIONS: SeedOptions = { pollMs: 60_000, chatterMs: 300_000, pairMs: 300_000 };

interface ChannelState {
  /** JOIN/NAMES without a PART since */
  members: Set<number>;
  /** user → last chat or notice */
  chatters: Map<number, number>;
  /** the list at the previous poll: user → last sight; undefined until the baseline poll */
  previous?: Map<number, number>;
}

interface Leave {
  channel: number;
  poll: number;
  lastSeen: number;
}

interface Appearance {
  channel: number;
  poll: number;
}

/** the seed method's moves over the log's signals, polls from `from` to `to` */
export function seedMoves(log: SignalLog, from: number, to: number, o: SeedOptions = SEED_OPTIONS): ReportedMove[] {
  const channels = new Map<number, ChannelState>();
  const state = (c: number) => {
    let s = channels.get(c);
    if (!s) channels.set(c, (s = { members: new Set(), chatters: new Map() }));
    return s;
  };
  const leaves = new Map<number, Leave[]>();
  const appearances = new Map<number, Appearance[]>();
  const out: ReportedMove[] = [];
  const emit = (user: number, l: Leave, a: Appearance) => {
    if (l.channel === a.channel) return;
    out.push({ user: log.userNames[user]!, from: log.channelNames[l.channel]!, to: log.channelNames[a.channel]!, leftAt: l.lastSeen, joinedAt: a.poll });
  };
  const recent = <T extends { poll: number }>(map: Map<number, T[]>, user: number, now: number): T[] => {
    let list = map.get(user);
    if (!list) map.set(user, (list = []));
    // older entries can pair with nothing any more
    while (list.length > 0 && list[0]!.poll <= now - o.pairMs) list.shift();
    return list;
  };

  const poll = (p: number) => {
    const left: [number, Leave][] = [];
    const appeared: [number, Appearance][] = [];
    for (let c = 0; c < log.channelNames.length; c++) {
      const s = state(c);
      if (log.watchedSince(c, p) === undefined) {
        s.previous = undefined;
        continue;
      }
      const list = new Map<number, number>();
      for (const u of s.members) list.set(u, p);
      for (const [u, at] of s.chatters) {
        if (at < p - o.chatterMs) s.chatters.delete(u);
        else if (!list.has(u)) list.set(u, at);
      }
      if (s.previous) {
        for (const [u, seen] of s.previous) if (!list.has(u)) left.push([u, { channel: c, poll: p, lastSeen: seen }]);
        for (const u of list.keys()) if (!s.previous.has(u)) appeared.push([u, { channel: c, poll: p }]);
      }
      s.previous = list;
    }
    // leaves first, then appearances, so a pair within one poll is found once
    for (const [u, l] of left) {
      for (const a of recent(appearances, u, p)) if (Math.abs(l.poll - a.poll) < o.pairMs) emit(u, l, a);
      recent(leaves, u, p).push(l);
    }
    for (const [u, a] of appeared) {
      for (const l of recent(leaves, u, p)) if (Math.abs(l.poll - a.poll) < o.pairMs) emit(u, l, a);
      recent(appearances, u, p).push(a);
    }
  };

  const order = log.inTimeOrder();
  let next = from;
  for (const i of order) {
    const at = log.timeAt(i);
    if (at >= to) break;
    // a poll sees the signals up to its own time (a NAMES read as the channel is joined is in its baseline)
    while (at > next) {
      poll(next);
      next += o.pollMs;
    }
    const s = state(log.channelAt(i));
    const u = log.userAt(i);
    switch (log.kindAt(i)) {
      case 'join':
      case 'names':
        s.members.add(u);
        break;
      case 'part':
        s.members.delete(u);
        s.chatters.delete(u);
        break;
      default:
        s.chatters.set(u, at);
    }
  }
  while (next < to) {
    poll(next);
    next += o.pollMs;
  }
  return out;
}
