// Favourites and each channel's event feed: EventSub and chat read into one feed per channel,
// stored, pushed through the hub; the routes under /api/live.
import type { FastifyRequest } from 'fastify';
import type { CapabilityContext } from '../capability.js';
import { HttpError } from '../core/errors.js';
import { helixUsers, MAX_LOGINS_PER_CALL, type TwitchUser } from '../twitch/users.js';
import type { Sessions } from '../web/sessions.js';
import { HELLO_EVENTS, LiveFeed, type LiveStream } from './feed.js';
import { overlayKeys } from './overlay.js';
import type { LiveAccounts, LiveSocketSource } from './parts.js';
import type { LiveHub } from './push.js';
import { liveRoutes, overlayFavourite, parseLogin } from './routes.js';
import { type FavouriteRecord, LiveStore } from './store.js';
import type { LiveChatLine, LiveEvent } from './types.js';

const DAY = 86_400_000;

/** what the process exposes of the feed (lurk.live.feed) */
export interface LiveFeedApi {
  /** resolves once every event read so far is stored and pushed */
  idle(): Promise<void>;
  /** a channel's newest events (its login), newest first */
  events(channel: string, limit?: number): Promise<LiveEvent[]>;
  /** a favourited channel's recent chat lines, oldest first */
  chat(channel: string): LiveChatLine[];
  /** forgets events older than the retention; how many */
  prune(): Promise<number>;
  /** what the hub asks of the feed for each socket (for tests and benchmarks without a socket) */
  sockets: LiveSocketSource;
}

export interface FeedPart {
  api: LiveFeedApi;
  socketSource: LiveSocketSource;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function registerFeed(ctx: CapabilityContext, deps: { sessions: Sessions; accounts: LiveAccounts; hub: LiveHub; masterKey: Buffer }): Promise<FeedPart> {
  const { config, clock, log, bus, scheduler, twitch, web } = ctx;
  const store = new LiveStore(ctx.store.db, ctx.store.kind);
  const keys = overlayKeys(deps.masterKey);
  const publish = (channel: string, push: Parameters<LiveHub['publish']>[1]) => deps.hub.publish(channel, push);
  const feed = new LiveFeed({
    store,
    publish,
    clock,
    log: log.child({ component: 'live-feed' }),
    accounts: deps.accounts,
    eventsub: twitch.eventsub,
    chat: twitch.chat,
    streams: async (ids) => (await twitch.helix().get<{ data: LiveStream[] }>('streams', { user_id: [...ids], first: '100' }, { priority: 'interactive' })).data,
    // the simulator takes webhooks on the loopback; real Twitch needs a public URL
    webhooks: config.mode === 'simulator' || !!config.http.publicUrl,
  });

  const unsubscribe = [
    bus.subscribe('eventsub.notification', (n) => feed.onEventSub(n)),
    bus.subscribe('chat.notice', ({ items }) => feed.onNotices(items)),
    bus.subscribe('chat.message', ({ items }) => feed.onMessages(items)),
  ];
  let offAccounts: (() => void) | undefined;

  const prune = async () => {
    if (config.live.retentionDays <= 0) return 0;
    return store.prune(clock.now() - config.live.retentionDays * DAY);
  };
  /** favourites follow their channels' renames at Twitch (Helix users by id); how many changed */
  const renames = async () => {
    const channels = await store.favouritedChannels();
    let changed = 0;
    for (let i = 0; i < channels.length; i += MAX_LOGINS_PER_CALL) {
      const part = channels.slice(i, i + MAX_LOGINS_PER_CALL);
      const users = (await twitch.helix().get<{ data: TwitchUser[] }>('users', { id: part.map((c) => c.channelId) }, { priority: 'background' })).data;
      for (const u of users) {
        const c = part.find((p) => p.channelId === u.id);
        if (!c || (c.login === u.login.toLowerCase() && c.displayName === u.display_name)) continue;
        await store.renameChannel(u.id, u.login.toLowerCase(), u.display_name);
        changed++;
      }
    }
    if (changed > 0) await feed.refresh();
    return changed;
  };
  scheduler.register({
    name: 'live.prune',
    description: `Forgets live events older than ${config.live.retentionDays} days (0: keeps them); favourites follow their channels' renames`,
    schedule: { everyMs: 3_600_000 },
    run: async () => {
      const pruned = await prune();
      if (pruned > 0) log.info({ pruned }, 'live events pruned');
      const renamed = await renames();
      if (renamed > 0) log.info({ renamed }, 'live favourites renamed');
    },
  });

  await web.register(liveRoutes, {
    sessions: deps.sessions,
    store,
    feed,
    keys,
    lookupUsers: (logins: readonly string[]) => helixUsers(twitch.helix(), logins),
    publish,
    now: () => clock.now(),
  });

  // the favourite an overlay socket's key opened, for its hello
  const overlays = new WeakMap<FastifyRequest, FavouriteRecord>();
  const socketSource: LiveSocketSource = {
    async authorize(request) {
      const query = request.query as Record<string, unknown>;
      if (query.overlay !== undefined) {
        const f = await overlayFavourite(store, keys, query.channel, query.overlay);
        overlays.set(request, f);
        return f.login;
      }
      const user = await deps.sessions.user(request);
      if (!user) throw new HttpError(401, 'not_logged_in', 'log in with Twitch first (GET /auth/login)');
      const login = parseLogin(query.channel, 'channel');
      if (!(await store.favourite(user.userId, login))) throw new HttpError(404, 'not_found', `${login} is not one of your favourites`);
      return login;
    },
    async hello(channel, request) {
      const c = feed.channel(channel);
      const opened = request && overlays.get(request);
      // the owner may have cleared the view since the key was checked
      const owner = opened && (await store.favouriteById(opened.userId, opened.channelId));
      const after = owner ? { after: owner.clearedBefore } : {};
      const events = c && (!opened || owner) ? await store.events(c.channelId, { limit: HELLO_EVENTS, ...after }) : [];
      return { type: 'hello', channel, events, chat: feed.chatLines(channel) };
    },
  };

  return {
    api: {
      idle: async () => {
        await bus.drain();
        await feed.idle();
      },
      async events(channel, limit = 500) {
        const c = feed.channel(channel.toLowerCase());
        return c ? store.events(c.channelId, { limit }) : [];
      },
      chat: (channel) => feed.chatLines(channel.toLowerCase()),
      prune,
      sockets: socketSource,
    },
    socketSource,
    async start() {
      offAccounts = deps.accounts.onChange(() => feed.accountsChanged());
      await feed.start();
    },
    async stop() {
      offAccounts?.();
      for (const u of unsubscribe) u();
      await feed.stop();
    },
  };
}
