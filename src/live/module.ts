// Live events (README, "Live events"): log in with Twitch, favourite streamers, and watch each
// one's follows, subs, gifts, cheers and raids arrive live. Built from four parts (parts.ts):
// sessions, the event socket hub, accounts and login, the feed.
import type { Capability } from '../capability.js';
import { SqlSessionStore } from '../store/sessions.js';
import { Sessions } from '../web/sessions.js';
import { type AuthPart, registerAuth } from './auth-module.js';
import { type FeedPart, registerFeed, type LiveFeedApi } from './feed-module.js';
import type { LiveAccounts } from './parts.js';
import { LiveHub } from './push.js';

export interface LiveApi {
  sessions: Sessions;
  accounts: LiveAccounts;
  hub: LiveHub;
  feed: LiveFeedApi;
}

export const liveCapability = (options: { masterKey: Buffer }): Capability<LiveApi> => ({
  name: 'live',
  async register(ctx) {
    const { config, log, metrics, web } = ctx;
    const sessions = new Sessions({ store: new SqlSessionStore(ctx.store.db), masterKey: options.masterKey, now: Date.now, days: config.live.sessionDays, publicUrl: config.http.publicUrl });
    const hub = new LiveHub({ maxClients: config.live.maxClients, rateLimitPerMinute: config.api.rateLimitPerMinute, log: log.child({ component: 'live-push' }), metrics });
    const auth: AuthPart = await registerAuth(ctx, { sessions, masterKey: options.masterKey });
    const feed: FeedPart = await registerFeed(ctx, { sessions, accounts: auth.accounts, hub, masterKey: options.masterKey });
    await hub.register(web, feed.socketSource);
    return {
      api: { sessions, accounts: auth.accounts, hub, feed: feed.api },
      async start() {
        await auth.start();
        await feed.start();
      },
      async stop() {
        await hub.close();
        await feed.stop();
        await auth.stop();
      },
    };
  },
});
