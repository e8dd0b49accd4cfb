import type { Clock } from '../core/clock.js';
import { badRequest } from '../core/errors.js';
import type { HelixStream } from '../twitch/helix.external.js';
import { HandoutThrottle, ZeroViewerPool, type PickFilter } from './pool.js';
import type { DiscoverStore, StreamRow } from './store.js';

export interface RandomQuery {
  count: number;
  maxViewers: number;
  minAgeMinutes: number;
  include: string[];
  exclude: string[];
  match: 'all' | 'any';
  language?: string;
  game?: string;
  /** streams the visitor has already (e.g. the one on screen) */
  excludeIds?: string[];
  /** 'browse' (a grid of thumbnails) is not counted as a hand-out; 'watch' is */
  purpose?: 'watch' | 'browse';
}

/** Picks lonely streams for visitors, spreading them so nobody sends everyone to one stream. */
export class DiscoverService {
  readonly pool: ZeroViewerPool;
  readonly throttle: HandoutThrottle;

  constructor(
    private readonly store: DiscoverStore,
    private readonly clock: Clock,
    options: { maxViewers: number; throttleVisitors: number; throttleMinutes: number },
  ) {
    this.pool = new ZeroViewerPool(options.maxViewers);
    this.throttle = new HandoutThrottle(options.throttleVisitors, options.throttleMinutes * 60_000);
  }

  /** fills the pool from the store (at start) */
  async load(): Promise<number> {
    for (const row of await this.store.poolRows(this.pool.maxViewers)) this.pool.update(JSON.parse(row.raw) as HelixStream);
    return this.pool.size;
  }

  async random(q: RandomQuery): Promise<HelixStream[]> {
    if (q.maxViewers > this.pool.maxViewers) throw badRequest(`max_viewers must be at most ${this.pool.maxViewers} (LURK_DISCOVER_MAX_VIEWERS)`);
    const now = this.clock.now();
    const filter: PickFilter = {
      maxViewers: q.maxViewers,
      minAgeMinutes: q.minAgeMinutes,
      setAside: (id) => this.throttle.isSetAside(id, Date.now()),
    };
    if (q.language) filter.language = q.language;
    if (q.game) {
      if (/^\d+$/.test(q.game)) filter.gameId = q.game;
      else filter.gameName = q.game;
    }
    if (q.include.length) filter.only = await this.store.searchIds(q.include, q.match, q.maxViewers);
    if (q.exclude.length) filter.except = await this.store.searchIds(q.exclude, 'any', q.maxViewers);
    if (q.excludeIds?.length) filter.except = new Set([...(filter.except ?? []), ...q.excludeIds]);
    let picked = this.pool.pick(q.count, filter, now);
    if (picked.length < q.count) {
      // everything left is set aside: better a recently handed stream than none
      const relaxed = this.pool.pick(q.count - picked.length, { ...filter, setAside: (id) => picked.some((p) => p.stream.id === id) }, now);
      picked = [...picked, ...relaxed];
    }
    if (q.purpose !== 'browse') {
      const handedAt = Date.now();
      for (const p of picked) this.throttle.record(p.stream.id, handedAt);
    }
    return picked.map((p) => p.stream);
  }

  async stream(id: string): Promise<StreamRow | undefined> {
    return this.store.streamById(id);
  }

  async streamByLogin(login: string): Promise<StreamRow | undefined> {
    return this.store.streamByLogin(login);
  }

  /** what `/api/discover/stats` answers: totals, the sweep under way and the last completed, per game and per tag */
  async stats() {
    const [totals, sweeps, perGame, perTag] = await Promise.all([this.store.totals(), this.store.lastSweeps(5), this.store.perGame(50), this.store.perTag(50)]);
    const last = sweeps.find((s) => s.status === 'completed');
    const current = sweeps[0]?.status === 'running' ? sweeps[0] : undefined;
    return {
      live: totals.live,
      zero_viewer: totals.zero,
      one_viewer: totals.one,
      games: totals.games,
      pool: this.pool.size,
      current_sweep: current ? { generation: Number(current.generation), started_at: new Date(Number(current.started_at)).toISOString(), pages: current.pages, streams: current.streams } : null,
      last_sweep: last
        ? {
            generation: Number(last.generation),
            status: last.status,
            started_at: new Date(Number(last.started_at)).toISOString(),
            finished_at: last.finished_at ? new Date(Number(last.finished_at)).toISOString() : null,
            pages: last.pages,
            streams: last.streams,
            zero_viewer: last.zero_viewer,
            one_viewer: last.one_viewer,
            removed: last.removed,
            budget_points: last.budget_points,
            rate_limited: last.rate_limited,
            errors: last.errors,
            duration_ms: last.duration_ms,
          }
        : null,
      per_game: perGame,
      per_tag: perTag,
    };
  }
}
