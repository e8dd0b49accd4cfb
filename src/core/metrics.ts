import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Lurk's Prometheus metrics, on a registry of their own so two apps in one process never clash. */
export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  jobRuns: Counter<'job' | 'outcome' | 'trigger'>;
  jobDuration: Histogram<'job'>;
  dbErrors: Counter<never>;
  busHandlerErrors: Counter<'topic'>;
  helixRequests: Counter<'status'>;
  helixBudgetRemaining: Gauge<never>;
  discoverPool: Gauge<never>;
  discoverSweepStreams: Gauge<never>;
  watchtimeWrites: Histogram<'outcome'>;
  watchtimeTracked: Gauge<never>;
  watchtimeMemory: Gauge<'kind'>;
  watchtimeDroppedSamples: Gauge<never>;
  digestPosts: Counter<'publisher' | 'outcome'>;
  moodClassified: Counter<never>;
  moodTracked: Gauge<never>;
  moodTick: Histogram<never>;
  audienceWatched: Gauge<never>;
  audienceMoves: Counter<'cause'>;
  audiencePresences: Gauge<never>;
  audienceEngineBytes: Gauge<never>;
  audienceTick: Histogram<never>;
  eventsubNotifications: Counter<'type'>;
  eventsubUnknown: Counter<'type'>;
  eventsubRejected: Counter<'reason'>;
  eventsubDuplicates: Counter<never>;
  eventsubQueueDepth: Gauge<never>;
  eventsubSubscriptions: Gauge<'type' | 'state'>;
  chatConnections: Gauge<'kind'>;
  chatChannels: Gauge<'state'>;
  chatLines: Counter<never>;
  chatMalformed: Counter<never>;
  chatReconnects: Counter<never>;
  chatDrops: Counter<never>;
  liveSocketClients: Gauge<never>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ app: 'lurk' });
  collectDefaultMetrics({ register: registry, prefix: 'lurk_' });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'lurk_http_request_duration_seconds',
      help: 'HTTP request latency by route pattern',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    jobRuns: new Counter({
      name: 'lurk_job_runs_total',
      help: 'Scheduled job runs by outcome',
      labelNames: ['job', 'outcome', 'trigger'],
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'lurk_job_duration_seconds',
      help: 'Scheduled job run time',
      labelNames: ['job'],
      buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers: [registry],
    }),
    dbErrors: new Counter({
      name: 'lurk_db_errors_total',
      help: 'Failed database queries and lost connections',
      registers: [registry],
    }),
    busHandlerErrors: new Counter({
      name: 'lurk_bus_handler_errors_total',
      help: 'Bus subscribers that threw',
      labelNames: ['topic'],
      registers: [registry],
    }),
    helixRequests: new Counter({
      name: 'lurk_helix_requests_total',
      help: 'Helix answers by status (error = no answer: timeout or connection failure)',
      labelNames: ['status'],
      registers: [registry],
    }),
    helixBudgetRemaining: new Gauge({ name: 'lurk_helix_budget_remaining', help: 'Helix points left in the current rate-limit window, as Lurk reckons them', registers: [registry] }),
    discoverPool: new Gauge({ name: 'lurk_discover_pool_streams', help: 'Streams in the zero-viewer pool', registers: [registry] }),
    discoverSweepStreams: new Gauge({ name: 'lurk_discover_last_sweep_streams', help: 'Live streams seen by the last completed sweep', registers: [registry] }),
    watchtimeWrites: new Histogram({
      name: 'lurk_watchtime_write_seconds',
      help: 'Time to write counted watch time (rollups, samples and state in one transaction)',
      labelNames: ['outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    watchtimeTracked: new Gauge({ name: 'lurk_watchtime_tracked_streams', help: 'Live streams whose watch time is being integrated', registers: [registry] }),
    watchtimeMemory: new Gauge({
      name: 'lurk_watchtime_memory_entries',
      help: 'What watch time holds in memory, by kind (live_streams, known_games, known_channels, search_names, queued_rows, queued_samples); each is bounded (README, Watch time)',
      labelNames: ['kind'],
      registers: [registry],
    }),
    watchtimeDroppedSamples: new Gauge({
      name: 'lurk_watchtime_dropped_samples',
      help: 'Raw watch-time samples dropped since start because writes kept failing (hours are never dropped)',
      registers: [registry],
    }),
    moodClassified: new Counter({ name: 'lurk_mood_messages_classified_total', help: 'Chat messages of tracked channels classified by Mood', registers: [registry] }),
    moodTracked: new Gauge({ name: 'lurk_mood_tracked_channels', help: 'Channels whose chat mood is tracked (config, API and top N)', registers: [registry] }),
    moodTick: new Histogram({
      name: 'lurk_mood_tick_seconds',
      help: "Time of Mood's once-a-second tick (closing minutes, detecting moments, pushing windows)",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers: [registry],
    }),
    audienceWatched: new Gauge({ name: 'lurk_audience_watched_channels', help: 'Channels whose audience is watched (config, API, top N and raid targets)', registers: [registry] }),
    audienceMoves: new Counter({ name: 'lurk_audience_moves_total', help: 'Moves of users between watched channels inferred by Audience, by cause', labelNames: ['cause'], registers: [registry] }),
    audiencePresences: new Gauge({ name: 'lurk_audience_presences', help: "Open presences in Audience's engine (a user in a watched channel)", registers: [registry] }),
    audienceEngineBytes: new Gauge({ name: 'lurk_audience_engine_bytes', help: "Audience's engine's own estimate of its heap bytes", registers: [registry] }),
    audienceTick: new Histogram({
      name: 'lurk_audience_tick_seconds',
      help: "Time of Audience's 5-second tick (expiring presences, confirming moves, queueing writes)",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    digestPosts: new Counter({ name: 'lurk_digest_posts_total', help: 'Digest posts attempted, by publisher and outcome', labelNames: ['publisher', 'outcome'], registers: [registry] }),
    eventsubNotifications: new Counter({
      name: 'lurk_eventsub_notifications_total',
      help: 'EventSub notifications handed to the bus, by subscription type',
      labelNames: ['type'],
      registers: [registry],
    }),
    eventsubUnknown: new Counter({ name: 'lurk_eventsub_unknown_total', help: 'EventSub notifications of a type Lurk does not read, dropped', labelNames: ['type'], registers: [registry] }),
    eventsubRejected: new Counter({
      name: 'lurk_eventsub_rejected_total',
      help: 'Webhook deliveries refused, by reason (signature, stale, headers, body, message_type)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    eventsubDuplicates: new Counter({ name: 'lurk_eventsub_duplicates_total', help: 'EventSub messages received again (same message id) and not handed on twice', registers: [registry] }),
    eventsubQueueDepth: new Gauge({ name: 'lurk_eventsub_queue_depth', help: 'EventSub messages recorded but not yet handed to the bus', registers: [registry] }),
    eventsubSubscriptions: new Gauge({
      name: 'lurk_eventsub_subscriptions',
      help: 'Wanted EventSub subscriptions by type and state (enabled, verifying, pending, revoked, failed, unavailable)',
      labelNames: ['type', 'state'],
      registers: [registry],
    }),
    chatConnections: new Gauge({
      name: 'lurk_chat_connections',
      help: 'Chat pool connections by kind (reader: anonymous reading, bot: the account that speaks)',
      labelNames: ['kind'],
      registers: [registry],
    }),
    chatChannels: new Gauge({ name: 'lurk_chat_channels', help: 'Chat pool channels by state (pending, joined, failed)', labelNames: ['state'], registers: [registry] }),
    chatLines: new Counter({ name: 'lurk_chat_lines_total', help: 'IRC lines read by the chat pool', registers: [registry] }),
    chatMalformed: new Counter({ name: 'lurk_chat_malformed_lines_total', help: 'IRC lines the chat pool could not read (skipped)', registers: [registry] }),
    chatReconnects: new Counter({ name: 'lurk_chat_reconnects_total', help: 'Chat connections opened again after a drop or a RECONNECT', registers: [registry] }),
    chatDrops: new Counter({ name: 'lurk_chat_drops_total', help: 'Chat connections lost without being asked to', registers: [registry] }),
    liveSocketClients: new Gauge({ name: 'lurk_live_socket_clients', help: 'Live event sockets connected (stream pages and overlays)', registers: [registry] }),
  };
}
