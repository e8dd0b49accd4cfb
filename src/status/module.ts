// Status: the process's own health (jobs, resources, the simulator's summary), the record of every
// job run, and the database's hourly upkeep.
import type { Capability } from '../capability.js';
import type { SimSummary } from '../sim/summary.js';
import { statusRoutes } from './routes.js';
import { StatusService } from './service.js';
import { JobHistory } from './store.js';
import type { EventSubStatusView } from './types.js';

export interface StatusOptions {
  version: string;
  /** the built-in simulator's summary, in simulator mode */
  simulator?: (() => SimSummary) | undefined;
  /** the EventSub intake's figures (registered after Status: undefined until then) */
  eventsub?: () => EventSubStatusView | undefined;
}

/** job runs kept per job */
const HISTORY_KEPT = 500;
/** runs per job handed back to the scheduler at start, for the Status page's history */
const HISTORY_RESTORED = 60;

export function statusCapability(options: StatusOptions): Capability<StatusService> {
  return {
    name: 'status',
    async register({ config, clock, store, scheduler, bus, metrics, web, twitch }) {
      const history = new JobHistory(store);
      const status = new StatusService({
        clock,
        store,
        scheduler,
        mode: config.mode,
        version: options.version,
        startedAt: clock.now(),
        startedAtReal: Date.now(),
        endpoints: () => twitch.target().endpoints,
        chat: () => twitch.chat.stats(),
        ...(options.eventsub ? { eventsub: options.eventsub } : {}),
        ...(options.simulator ? { simulator: options.simulator } : {}),
      });

      bus.subscribe('job.finished', async (event) => {
        metrics.jobRuns.inc({ job: event.job, outcome: event.outcome ?? 'ok', trigger: event.trigger });
        if (event.durationMs !== undefined) metrics.jobDuration.observe({ job: event.job }, event.durationMs / 1000);
        await history.record(event.job, {
          startedAt: event.startedAt,
          finishedAt: event.finishedAt ?? event.startedAt,
          durationMs: event.durationMs ?? 0,
          outcome: event.outcome ?? 'ok',
          trigger: event.trigger,
          ...(event.error ? { error: event.error } : {}),
        });
      });

      scheduler.register({
        name: 'status.sample',
        description: 'Samples memory, event-loop delay and database size for the Status page',
        schedule: { everyMs: 10_000 },
        runAtStart: true,
        run: async () => {
          await status.sample();
        },
      });
      scheduler.register({
        name: 'store.maintenance',
        description: 'Prunes old job history and lets the database refresh its query statistics',
        schedule: { cron: '17 * * * *' },
        run: async () => {
          await history.prune(HISTORY_KEPT);
          await store.optimize();
        },
      });

      await web.register(statusRoutes, { status, scheduler, history, bus });
      return {
        api: status,
        // every capability has registered its jobs by now: their recent runs come back from the store
        async start() {
          for (const job of scheduler.list()) scheduler.restoreHistory(job.name, await history.recent(job.name, HISTORY_RESTORED));
        },
        async stop() {
          status.stop();
        },
      };
    },
  };
}
