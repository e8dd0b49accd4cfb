import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Clock } from '../core/clock.js';
import type { Scheduler } from '../core/scheduler.js';
import type { SimSummary } from '../sim/summary.js';
import { describeEndpoints, type TwitchEndpoints } from '../twitch/endpoints.js';
import type { ChatStatus, EventSubStatusView, Mode, ResourceSample, StatusSnapshot } from './types.js';

export type { ResourceSample, StatusSnapshot };
import type { Store } from '../store/database.js';

const SAMPLES_KEPT = 360;

/** What the Status page shows: uptime, mode, database, jobs and resource use over time. */
export class StatusService {
  private readonly samples: ResourceSample[] = [];
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });
  private dbSize = 0;
  /** the counters at the last sample, for rates over the interval (real time) */
  private previous?: { at: number; lines: number; handedOn: number };

  constructor(
    private readonly deps: {
      clock: Clock;
      store: Store;
      scheduler: Scheduler;
      mode: Mode;
      version: string;
      startedAt: number;
      /** real start time, for uptime */
      startedAtReal: number;
      /** the simulated world's summary, in simulator mode */
      simulator?: () => SimSummary;
      /** where Lurk's Twitch clients connect */
      endpoints: () => TwitchEndpoints;
      /** the chat pool's figures */
      chat: () => ChatStatus;
      /** the EventSub intake's, once it is registered */
      eventsub?: () => EventSubStatusView | undefined;
    },
  ) {
    this.loopDelay.enable();
  }

  /** One resource sample; run by the `status.sample` job. */
  async sample(): Promise<ResourceSample> {
    this.dbSize = await this.deps.store.sizeBytes();
    const mem = process.memoryUsage();
    const p99 = this.loopDelay.count > 0 ? this.loopDelay.percentile(99) / 1e6 : 0;
    this.loopDelay.reset();
    const chat = this.deps.chat();
    const handedOn = this.deps.eventsub?.()?.handedOn ?? 0;
    const realNow = Date.now();
    const seconds = this.previous ? Math.max(0.001, (realNow - this.previous.at) / 1000) : 0;
    const sample: ResourceSample = {
      at: this.deps.clock.now(),
      chatLinesPerSecond: this.previous ? Math.round(((chat.lines - this.previous.lines) / seconds) * 10) / 10 : 0,
      eventsubPerMinute: this.previous ? Math.round(((handedOn - this.previous.handedOn) / seconds) * 600) / 10 : 0,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      dbSizeBytes: this.dbSize,
      eventLoopP99Ms: Math.round(p99 * 100) / 100,
    };
    this.previous = { at: realNow, lines: chat.lines, handedOn };
    this.samples.push(sample);
    if (this.samples.length > SAMPLES_KEPT) this.samples.shift();
    return sample;
  }

  snapshot(): StatusSnapshot {
    const { store, scheduler, mode, version, startedAt, startedAtReal, clock } = this.deps;
    const endpoints = this.deps.endpoints();
    const eventsub = this.deps.eventsub?.();
    return {
      version,
      mode,
      twitch: mode === 'simulator' ? 'Simulated Twitch' : describeEndpoints(endpoints),
      endpoints: {
        oauth: endpoints.oauth,
        helix: endpoints.helix,
        eventSubWs: endpoints.eventSubWs,
        irc: `${endpoints.ircTcp.tls ? 'ircs' : 'irc'}://${endpoints.ircTcp.host}:${endpoints.ircTcp.port}`,
      },
      chat: this.deps.chat(),
      ...(eventsub ? { eventsub } : {}),
      startedAt,
      now: clock.now(),
      uptimeSeconds: Math.floor((Date.now() - startedAtReal) / 1000),
      clock: { kind: clock.kind, speed: clock.speed },
      database: { kind: store.kind, label: store.label, sizeBytes: this.dbSize },
      node: process.version,
      pid: process.pid,
      jobs: scheduler.list(),
      resources: [...this.samples],
      ...(this.deps.simulator ? { simulator: this.deps.simulator() } : {}),
    };
  }

  stop(): void {
    this.loopDelay.disable();
  }
}
