// The intake: Twitch's push data into Lurk. For chat it serves the pool's listing (the pool
// itself, ctx.twitch.chat, is where capabilities want channels). For EventSub it is the glue
// between Twitch and the bus: it registers the webhook route and the listing, wires the manager
// (ctx.twitch.eventsub, where every capability declares what it wants) to the durable inbox, and
// runs the reconcile and prune jobs. It declares nothing itself: the capabilities that read do.
import type { Capability } from '../capability.js';
import { SqlEventSubInbox } from '../store/eventsub.js';
import type { EventSubInbox } from '../twitch/eventsub/inbox.js';
import { DEDUP_WINDOW_MS, EventSubIntake } from '../twitch/eventsub/intake.js';
import type { EventSubManagerStats } from '../twitch/eventsub/manager.js';
import { EVENTSUB_WEBHOOK_PATH } from '../twitch/eventsub/webhook.js';
import type { EventSubStatusView } from '../status/types.js';
import { isAnyAddress } from '../web/origin.js';
import { chatRoutes } from './chat-routes.js';
import { intakeRoutes } from './routes.js';

export interface IntakeOptions {
  /** the master key webhook secrets are derived from (src/config/secret-key.ts) */
  masterKey: Buffer;
}

export interface IntakeApi {
  /** Lurk listens at `address`: webhooks go to the public URL, or to this address with the simulator */
  listening(address: string): void;
  /** resolves once every recorded message has been handed to the bus */
  idle(): Promise<void>;
  stats(): EventSubManagerStats & ReturnType<EventSubIntake['stats']>;
  /** what the Status page shows of it */
  statusView(): EventSubStatusView;
}

/** Lurk's address as the simulator beside it reaches it: a listener on every interface answers on 127.0.0.1 */
function ownAddress(address: string): string {
  const url = new URL(address);
  if (isAnyAddress(url.hostname)) url.hostname = '127.0.0.1';
  return url.origin;
}

export const intakeCapability = (options: IntakeOptions): Capability<IntakeApi> => ({
  name: 'intake',
  async register({ config, store, bus, log, metrics, scheduler, twitch, web, sweep }) {
    const manager = twitch.eventsub;
    const inbox: EventSubInbox = new SqlEventSubInbox(store.db);
    const intake = new EventSubIntake({
      inbox,
      bus,
      log: log.child({ component: 'eventsub' }),
      counters: {
        notification: (type) => metrics.eventsubNotifications.inc({ type }),
        unknown: (type) => metrics.eventsubUnknown.inc({ type }),
        duplicate: () => metrics.eventsubDuplicates.inc(),
        depth: (n) => metrics.eventsubQueueDepth.set(n),
      },
      onRevocation: (subscription) => manager.onRevocation(subscription),
    });
    manager.wire({ masterKey: options.masterKey, receive: (m) => intake.receive(m) });

    const countStates = () => {
      metrics.eventsubSubscriptions.reset();
      for (const s of manager.subscriptions()) metrics.eventsubSubscriptions.inc({ type: s.type, state: s.state });
    };
    // a process that does not call Twitch (a web-only role, benchmarks) leaves Twitch's list alone
    if (sweep)
      scheduler.register({
        name: 'eventsub.reconcile',
        description: "Compares the EventSub subscriptions capabilities want with Twitch's list: creates what is missing, deletes what nobody wants",
        schedule: { everyMs: config.eventsub.reconcileSeconds * 1000 },
        runAtStart: true,
        run: async () => {
          try {
            await manager.reconcile();
          } finally {
            countStates();
          }
        },
      });
    scheduler.register({
      name: 'eventsub.prune',
      description: 'Forgets EventSub messages handed on more than a day ago (the deduplication window) and retries any left queued',
      schedule: { everyMs: 3_600_000 },
      run: async () => {
        await inbox.prune(Date.now() - DEDUP_WINDOW_MS);
        await intake.recover();
      },
    });

    await web.register(intakeRoutes, { intake, manager, masterKey: options.masterKey, metrics });
    await web.register(chatRoutes, { pool: twitch.chat });
    return {
      api: {
        listening(address) {
          const base = config.http.publicUrl ?? (config.mode === 'simulator' ? ownAddress(address) : undefined);
          manager.setCallback(base ? `${base}${EVENTSUB_WEBHOOK_PATH}` : undefined);
          if (!base) log.warn({ setting: 'LURK_PUBLIC_URL' }, 'no public URL: EventSub webhooks are off; subscriptions that have a user token use WebSocket');
        },
        idle: () => intake.idle(),
        stats: () => ({ ...manager.stats(), ...intake.stats() }),
        statusView() {
          const m = manager.stats();
          const i = intake.stats();
          const counts = new Map<string, { type: string; state: string; count: number }>();
          for (const s of manager.subscriptions()) {
            const key = `${s.type} ${s.state}`;
            const entry = counts.get(key) ?? { type: s.type, state: s.state, count: 0 };
            entry.count++;
            counts.set(key, entry);
          }
          return {
            webhooks: m.webhooks,
            callbackUrl: m.callback_url,
            subscriptions: [...counts.values()].sort((a, b) => a.type.localeCompare(b.type) || a.state.localeCompare(b.state)),
            sockets: m.sockets,
            handedOn: i.handed_on,
            duplicates: i.duplicates,
            rejected: i.rejected,
            queued: i.queued,
            lastReconcileAt: m.last_reconcile_at,
            lastReconcileError: m.last_reconcile_error,
          };
        },
      },
      // what a previous run recorded but did not hand on goes first, before anything new can arrive
      async start() {
        await intake.recover();
      },
      async stop() {
        await intake.stop();
      },
    };
  },
});
