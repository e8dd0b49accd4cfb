// Favourites and each channel's event feed: EventSub and chat read into one feed per channel,
// stored, pushed through the hub; the routes under /api/live.
// PLACEHOLDER until the feed lands: nothing is read.
import type { CapabilityContext } from '../capability.js';
import { HttpError } from '../core/errors.js';
import type { Sessions } from '../web/sessions.js';
import type { LiveAccounts, LiveSocketSource } from './parts.js';
import type { LiveHub } from './push.js';

/** what the process exposes of the feed (lurk.live.feed) */
export interface LiveFeedApi {
  /** resolves once every event read so far is stored and pushed */
  idle(): Promise<void>;
}

export interface FeedPart {
  api: LiveFeedApi;
  socketSource: LiveSocketSource;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function registerFeed(_ctx: CapabilityContext, _deps: { sessions: Sessions; accounts: LiveAccounts; hub: LiveHub; masterKey: Buffer }): Promise<FeedPart> {
  return {
    api: { idle: async () => {} },
    socketSource: {
      authorize: async () => {
        throw new HttpError(404, 'not_found', 'no live feed yet');
      },
      hello: async (channel) => ({ type: 'hello', channel, events: [], chat: [] }),
    },
    start: async () => {},
    stop: async () => {},
  };
}
