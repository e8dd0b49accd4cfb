// The simulator's face toward Lurk: what it says of itself (GET /_sim/world, the Status page's
// simulator panel) and the accounts it lends. Types only: the UI imports this file.

/** the simulated world in one object, the /_sim/world body */
export interface SimSummary {
  seed: number;
  /** world time, RFC 3339 */
  time: string;
  time_ms: number;
  clock: { speed: number; mode: 'stepped' | 'real time' | 'accelerated'; lagging: boolean };
  channels: number;
  live_channels: number;
  viewers: number;
  chatters: number;
  messages_per_second: number;
  games: number;
  rate_limit_per_minute: number;
  ports: { http: number; irc: number | null; irc_ws: number | null };
  /** the oldest moment each kind of ground truth still reaches back to (world ms) */
  truth_horizon: { moves?: number | undefined; messages?: number | undefined; events?: number | undefined; watchtime: number };
}

/** a chat account the simulator lends to Lurk (its first viewer), with a user token for it */
export interface LentAccount {
  login: string;
  /** a fresh user token with the scopes asked for, at every call (each connection logs in anew) */
  token(): string;
}
