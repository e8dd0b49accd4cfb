// The simulator's Twitch IRC (TMI) server over TCP and WebSocket (twitch-protocol.md §5).
//
// Files: identity.ts (badges and colours derived from user indices), render.ts (Twitch's lines),
// rooms.ts (fan-out), moderation.ts (CLEARMSG / CLEARCHAT), login.ts, connection.ts (one
// session), transport.ts (TCP and WebSocket), server.ts; line parsing and tag escaping are
// src/twitch/irc-message.ts, shared with Lurk.
//
// Where the simulator knowingly differs from Twitch:
// - JOIN beyond 20 per 10 s is refused with a NOTICE `msg_ratelimit` instead of being dropped
//   silently or locking the account out. The window is per logged-in user, shared by all its
//   connections, as Twitch counts; an anonymous (justinfan) connection has a window of its own.
// - The 2024 concurrent-join limit (`concurrentJoinLimit`, 100 by default): a logged-in user in
//   that many channels, across its connections, not counting those where it is broadcaster or
//   moderator, gets `@msg-id=msg_join_limit_reached NOTICE #chan :You cannot join more than N
//   channels at once.` for the next JOIN. Twitch's exact reply is unconfirmed; this one is the
//   simulator's choice, in Twitch's NOTICE style. Anonymous connections have no such limit.
// - PRIVMSG beyond 20 (100 as broadcaster or moderator) per 30 s is refused with `msg_ratelimit`;
//   anonymous clients, or tokens without chat:edit, get `no_permission`. Accepted messages reach
//   the other connections in the room but never enter the world (nor its truth).
// - Authentication attempts are not rate-limited; the token is checked once, at login.
// - A slow reader is dropped once its queued output passes `maxBufferBytes` (16 MiB by default).
// - ROOMSTATE is always the default state (no slow, subs-only, followers-only or emote-only mode).
// - Anonymous (justinfan) logins get no GLOBALUSERSTATE.
// - ircMalformedRate corrupts room lines (chat, notices, membership), not handshake replies.
import type { SimProtocol, Simulator } from '../../simulator.js';
import type { ChatMessage } from '../../world/types.js';
import { IrcServer, type IrcOptions, type IrcStats } from './server.js';

export type { IrcOptions, IrcStats };

export interface IrcProtocol extends SimProtocol {
  /** connection count and fan-out counter (undefined before start) */
  stats(): IrcStats | undefined;
  /**
   * Delivers a chat message as if the world had produced it (benches drive the broadcast path
   * with this, without the cost of simulating the world).
   */
  deliverChat(message: ChatMessage): void;
}

export function ircProtocol(options: IrcOptions): IrcProtocol {
  let server: IrcServer | undefined;
  return {
    name: 'irc',
    async start(sim: Simulator) {
      server = new IrcServer(sim, options);
      const ports = await server.start();
      sim.setIrcPorts(ports);
    },
    async stop() {
      await server?.stop();
      server = undefined;
    },
    stats: () => server?.stats(),
    deliverChat: (message) => server?.chat(message),
  };
}
