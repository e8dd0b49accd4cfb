// What the chat pool says of itself, as plain JSON: channels() and stats(). Types only, so the
// Status page (through src/status/types.ts) shares them.

export type ChannelState = 'pending' | 'joined' | 'failed';

/** one channel as channels() reports it (plain JSON) */
export interface ChatChannelInfo {
  channel: string;
  /** read by an anonymous connection, or joined by the bot to speak in */
  role: 'read' | 'speak';
  state: ChannelState;
  reason?: string;
  owners: string[];
  /** lines (messages, notices, clears) in the last full minute */
  linesPerMinute: number;
  /** ms epoch of the last line, absent when none yet */
  lastLineAt?: number;
  /** the connection it is on, e.g. `reader-3` or `bot-1`; absent while waiting for one */
  connection?: string;
}

/** the pool as a whole (plain JSON) */
export interface ChatPoolStats {
  connections: { reader: number; bot: number };
  channels: { pending: number; joined: number; failed: number };
  /** lines read per second over the last few seconds */
  linesPerSecond: number;
  lines: number;
  /** connections opened again after a drop or a RECONNECT */
  reconnects: number;
  /** connections lost without being asked to (closed by the server, dead socket) */
  drops: number;
  malformed: number;
  /** JOINs Twitch refused for going too fast (msg_ratelimit); 0 in normal operation */
  joinRateLimited: number;
}

/** the chat pool as a capability uses it: the channels it wants read (under its owner name), and what the pool says of them */
export interface ChatWants {
  want(owner: string, logins: readonly string[]): void;
  release(owner: string, logins: readonly string[]): void;
  channels(): ChatChannelInfo[];
}
