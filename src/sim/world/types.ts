import type { Sentiment } from './chat.js';

export interface WorldOptions {
  seed: number;
  /** registered broadcasters */
  channels: number;
  /** live channels the world keeps (streams end and others start) */
  live: number;
  /** the world's time at creation (epoch ms) */
  startMs: number;
  /** mean concurrent viewers per live channel (Twitch: about 2.5M / 95k ≈ 26) */
  viewersPerLive?: number;
  /** how long watch-time truth is kept */
  retentionMs?: number;
  /** watch-time truth resolution: exact at multiples of this */
  truthIntervalMs?: number;
  maxMessages?: number;
  maxMoves?: number;
  maxEvents?: number;
}

export interface WorldStats {
  seed: number;
  time: number;
  channels: number;
  liveChannels: number;
  viewers: number;
  chatters: number;
  viewerPool: number;
  messagesPerSecond: number;
  games: number;
  steps: number;
}

export interface ChatMessage {
  id: string;
  at: number;
  channel: number;
  user: number;
  text: string;
  sentiment: Sentiment;
  /** IRC emotes tag value */
  emotes: string;
  firstMsg: boolean;
  bits?: number;
}

/** A viewer who left one channel and joined another. */
export interface Move {
  user: number;
  from: number;
  to: number;
  leftAt: number;
  joinedAt: number;
  cause: 'organic' | 'raid';
}

export type WorldEventType =
  | 'stream.online'
  | 'stream.offline'
  | 'channel.update'
  | 'channel.follow'
  | 'channel.subscribe'
  | 'channel.subscription.message'
  | 'channel.subscription.gift'
  | 'channel.cheer'
  | 'channel.raid';

export interface WorldEvent {
  id: string;
  type: WorldEventType;
  at: number;
  /** the broadcaster's user index */
  channel: number;
  /** the acting user (follower, subscriber, cheerer, gifter) */
  user?: number;
  streamId?: string;
  tier?: '1000' | '2000' | '3000';
  isGift?: boolean;
  gifter?: number;
  total?: number;
  anonymous?: boolean;
  cumulativeMonths?: number;
  streakMonths?: number;
  message?: string;
  bits?: number;
  /** raid target */
  toChannel?: number;
  viewers?: number;
}
