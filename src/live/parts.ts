// The parts of Live events and what each promises the others. The module (module.ts) builds
// them in this order: sessions (src/web/sessions.ts), the event socket hub (push.ts), accounts
// and login (auth-module.ts), then the feed (feed-module.ts), which reads the accounts and pushes
// through the hub.
import type { FastifyRequest } from 'fastify';
import type { EventSubUser } from '../twitch/eventsub/manager.js';
import type { LivePush } from './types.js';

/** a Twitch account logged in to Lurk, as the feed sees it (never its tokens) */
export interface LiveAccount {
  userId: string;
  login: string;
  displayName: string;
  /** the scopes Twitch granted */
  scopes: string[];
  /** channel ids this user moderates (read with user:read:moderated_channels; [] without it) */
  moderates: string[];
}

export interface LiveAccounts {
  /** every account with a usable token */
  list(): Promise<LiveAccount[]>;
  get(userId: string): Promise<LiveAccount | undefined>;
  /** a current access token, refreshed when near expiry; undefined once the account is gone (logged out, revoked) */
  token(userId: string): Promise<string | undefined>;
  /** the user for WebSocket EventSub subscriptions authorised by this account */
  eventSubUser(userId: string): EventSubUser;
  /** an account logged in, changed its scopes or moderated channels, or is gone; returns the unsubscribe */
  onChange(listener: (userId: string) => void): () => void;
}

/** what the hub asks of the feed for each socket */
export interface LiveSocketSource {
  /**
   * Which channel (login) this socket may watch: `?channel=` with a logged-in session, or
   * `?overlay=` with an overlay key. Throws an HttpError (401/403/404) to refuse the upgrade.
   */
  authorize(request: FastifyRequest): Promise<string>;
  /**
   * The first frame a new socket gets: the channel's recent events and chat. Pass the request
   * `authorize` took: an overlay's socket then gets only the events after its owner's clear view.
   */
  hello(channel: string, request?: FastifyRequest): Promise<LivePush>;
}
