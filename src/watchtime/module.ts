// Watch time: hours watched per game and streamer, counted from every page of Discover's sweep on
// the bus (no sweep of its own); leaderboards and series over HTTP, a daily digest posted to the
// configured publishers, answers to mentions and to `!watchtime` in chat.
import type { Capability } from '../capability.js';
import type { LurkConfig } from '../config/load.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import { createPublishers } from '../publish/index.js';
import type { Store } from '../store/database.js';
import { MentionAnswerer } from './answers.js';
import { WatchtimeChatCommand } from './chat-command.js';
import { composeDigest, DigestPublisher, dueDigestDay, type Digest } from './digest.js';
import { watchtimeRoutes } from './routes.js';
import { WatchtimeService } from './service.js';

interface Parts {
  config: LurkConfig;
  store: Store;
  clock: Clock;
  log: Logger;
  metrics?: Metrics;
}

/** the watch-time service on a store; with metrics, its writes and memory are measured */
export function createWatchtimeService({ config, store, clock, log, metrics }: Parts): WatchtimeService {
  const service: WatchtimeService = new WatchtimeService({
    db: store.db,
    clock,
    log: log.child({ component: 'watchtime' }),
    config: config.watchtime,
    ...(metrics
      ? {
          onWrite: (outcome: 'ok' | 'error', seconds: number, tracked: number) => {
            metrics.watchtimeWrites.observe({ outcome }, seconds);
            metrics.watchtimeTracked.set(tracked);
            const sizes = service.sizes();
            const kinds = [
              ['live_streams', sizes.liveStreams],
              ['known_games', sizes.knownGames],
              ['known_channels', sizes.knownChannels],
              ['search_names', sizes.searchNames],
              ['queued_rows', sizes.queuedRows],
              ['queued_samples', sizes.queuedSamples],
            ] as const;
            for (const [kind, n] of kinds) metrics.watchtimeMemory.set({ kind }, n);
            metrics.watchtimeDroppedSamples.set(sizes.droppedSamples);
          },
        }
      : {}),
  });
  return service;
}

/**
 * The daily digest: composed from watch time once and stored, then posted to every configured
 * publisher, each post once per publisher and day. The module's jobs and `lurk digest` share it.
 */
export function watchtimeDigest({ config, store, clock, log }: Parts, service: WatchtimeService) {
  const publishers = createPublishers(config.publish);
  const posts = new DigestPublisher(store.db, publishers, log.child({ component: 'digest' }), () => clock.now());
  const seed = config.watchtime.digestSeed;
  return {
    publishers,
    /** the day whose digest is due now: yesterday once the digest time has passed */
    dueDay: () => dueDigestDay(service, config.watchtime.digestTime, clock.now()),
    /** the stored digest of `day`, composed and stored on first use; undefined when nothing was watched */
    stored: (day: string) => posts.stored(service, day, seed),
    /** composed afresh and not stored (a dry run) */
    compose: (day: string) => composeDigest(service, day, seed),
    publish: (digest: Digest, progress?: (line: string) => void, signal?: AbortSignal) => posts.publish(digest, progress, signal),
  };
}

export const watchtimeCapability: Capability<WatchtimeService> = {
  name: 'watchtime',
  async register(ctx) {
    const { config, clock, log, bus, store, scheduler, metrics, web, twitch } = ctx;
    const watchtime = createWatchtimeService(ctx);
    scheduler.register({
      name: 'watchtime.maintenance',
      description: `Writes counted hours and prunes raw samples older than ${config.watchtime.rawDays} days (rollups are kept)`,
      schedule: { cron: '23 * * * *' },
      run: async () => {
        const { pruned } = await watchtime.maintain();
        if (pruned > 0) log.info({ pruned }, 'raw watch-time samples pruned');
      },
    });

    const digest = watchtimeDigest(ctx, watchtime);
    const { publishers } = digest;
    const runDigest = async (signal: AbortSignal) => {
      const day = digest.dueDay();
      const stored = await digest.stored(day);
      if (!stored) return;
      const outcomes = await digest.publish(stored, undefined, signal);
      for (const o of outcomes) metrics.digestPosts.inc({ publisher: o.publisher, outcome: o.status });
      const posted = outcomes.filter((o) => o.status === 'posted').length;
      if (posted > 0) log.info({ day, posted, failed: outcomes.filter((o) => o.status === 'failed').length }, 'daily digest posted');
    };
    if (publishers.length > 0) {
      const [hh, mm] = config.watchtime.digestTime.split(':').map(Number) as [number, number];
      scheduler.register({
        name: 'watchtime.digest',
        description: `Posts yesterday's top games, streamers and random game to ${publishers.map((p) => p.name).join(', ')} at ${config.watchtime.digestTime} ${config.watchtime.timeZone}`,
        schedule: { cron: `${mm} ${hh} * * *`, timezone: config.watchtime.timeZone },
        run: ({ signal }) => runDigest(signal),
      });
      scheduler.register({
        name: 'watchtime.digest-retry',
        description: 'Posts what the last digest could not (a publisher was down, or Lurk was) — each post once per publisher and day',
        schedule: { everyMs: 15 * 60_000 },
        run: ({ signal }) => runDigest(signal),
      });
    }
    const answerer = new MentionAnswerer(store.db, watchtime, publishers, log.child({ component: 'answers' }), () => clock.now());
    if (answerer.sources.length > 0 && config.watchtime.answersPollSeconds > 0) {
      scheduler.register({
        name: 'watchtime.answers',
        description: `Answers mentions on ${answerer.sources.map((p) => p.name).join(', ')} with watch time (each once)`,
        schedule: { everyMs: config.watchtime.answersPollSeconds * 1000 },
        run: async ({ signal }) => {
          await answerer.poll(signal);
        },
      });
    }

    // `!watchtime` in the configured channels: read from the bus, answered as the bot
    const chatChannels = new Set(config.watchtime.chatChannels.map((c) => c.toLowerCase()));
    if (chatChannels.size > 0) {
      // read by the pool's anonymous connections, answered by the bot's. With a Redis bus and several
      // processes, only the process that runs the chat pool may answer, or each would reply once.
      twitch.chat.want('watchtime', [...chatChannels]);
      twitch.chat.speakIn('watchtime', [...chatChannels]);
      const command = new WatchtimeChatCommand(twitch.chat, watchtime, log.child({ component: 'watchtime-chat' }));
      bus.subscribe('chat.message', async ({ items }) => {
        for (const m of items) if (chatChannels.has(m.channel)) await command.handle(m);
      });
    }

    await web.register(watchtimeRoutes, { service: watchtime, rateLimitPerMinute: config.api.rateLimitPerMinute });
    return {
      api: watchtime,
      async start() {
        await watchtime.start(bus);
      },
      // after the bus has delivered the last pages: what was counted is written
      async stop() {
        await watchtime.stop();
      },
    };
  },
};
