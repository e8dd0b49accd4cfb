// The zero-viewer pool: every stream with at most `maxViewers` viewers, in memory, kept in step
// with the store, so a pick is O(1) and uniformly random.
import type { HelixStream } from '../twitch/helix.external.js';

export interface PoolEntry {
  stream: HelixStream;
  startedAt: number;
}

/** strings with O(1) add, delete and pick by position */
class IdSet {
  private readonly items: string[] = [];
  private readonly index = new Map<string, number>();
  get size(): number {
    return this.items.length;
  }
  has(id: string): boolean {
    return this.index.has(id);
  }
  add(id: string): void {
    if (this.index.has(id)) return;
    this.index.set(id, this.items.length);
    this.items.push(id);
  }
  delete(id: string): void {
    const at = this.index.get(id);
    if (at === undefined) return;
    const last = this.items.pop()!;
    if (last !== id) {
      this.items[at] = last;
      this.index.set(last, at);
    }
    this.index.delete(id);
  }
  at(i: number): string {
    return this.items[i]!;
  }
  values(): readonly string[] {
    return this.items;
  }
}

export interface PickFilter {
  maxViewers: number;
  /** minimum minutes live */
  minAgeMinutes?: number;
  language?: string;
  gameId?: string;
  gameName?: string;
  /** only these ids (the result of an include search) */
  only?: ReadonlySet<string>;
  /** never these ids (an exclude search) */
  except?: ReadonlySet<string>;
  /** set-aside streams (handed to too many visitors lately) */
  setAside?: (id: string) => boolean;
}

export class ZeroViewerPool {
  private readonly entries = new Map<string, PoolEntry>();
  private readonly byViewers: IdSet[] = [];
  private readonly byLanguage = new Map<string, IdSet>();
  private readonly byGame = new Map<string, IdSet>();

  constructor(readonly maxViewers: number) {
    for (let v = 0; v <= maxViewers; v++) this.byViewers.push(new IdSet());
  }

  get size(): number {
    return this.entries.size;
  }

  get(id: string): PoolEntry | undefined {
    return this.entries.get(id);
  }

  /** Takes in a fresh sighting: in the pool if few enough watch, out of it otherwise. */
  update(stream: HelixStream): void {
    this.remove(stream.id);
    if (stream.viewer_count > this.maxViewers || stream.viewer_count < 0) return;
    this.entries.set(stream.id, { stream, startedAt: Date.parse(stream.started_at) });
    this.byViewers[stream.viewer_count]!.add(stream.id);
    setOf(this.byLanguage, stream.language).add(stream.id);
    setOf(this.byGame, stream.game_id).add(stream.id);
  }

  remove(id: string): void {
    const old = this.entries.get(id);
    if (!old) return;
    this.entries.delete(id);
    this.byViewers[old.stream.viewer_count]?.delete(id);
    this.byLanguage.get(old.stream.language)?.delete(id);
    this.byGame.get(old.stream.game_id)?.delete(id);
  }

  /**
   * Up to `count` distinct streams matching the filter, each uniformly random among the
   * matching ones. Rejection sampling from the smallest index that applies; when the filter
   * rejects most of it, a scan of that index instead.
   */
  pick(count: number, filter: PickFilter, now: number, random: () => number = Math.random): PoolEntry[] {
    const sources = this.sources(filter);
    const total = sources.reduce((n, s) => n + s.size, 0);
    // never more than the pool holds, whatever `count` is (NaN, Infinity): every loop below
    // is bounded by the pool's size, not by the caller's number
    const want = Math.min(total, Math.max(0, Math.floor(count) || 0));
    if (want === 0) return [];
    const accept = (id: string) => this.matches(id, filter, now);
    const chosen = new Map<string, PoolEntry>();
    const tries = want * 24;
    for (let i = 0; i < tries && chosen.size < want; i++) {
      const id = nth(sources, Math.floor(random() * total));
      if (!chosen.has(id) && accept(id)) chosen.set(id, this.entries.get(id)!);
    }
    if (chosen.size < want) {
      // selective filter: list every match and draw the rest without replacement
      const matching = sources.flatMap((s) => s.values().filter((id) => !chosen.has(id) && accept(id)));
      for (let i = 0; i < matching.length && chosen.size < want; i++) {
        const j = i + Math.floor(random() * (matching.length - i));
        [matching[i], matching[j]] = [matching[j]!, matching[i]!];
        chosen.set(matching[i]!, this.entries.get(matching[i]!)!);
      }
    }
    return [...chosen.values()];
  }

  /** the id sets a pick draws from: the narrowest index the filter allows */
  private sources(filter: PickFilter): (IdSet | { size: number; at(i: number): string; values(): readonly string[] })[] {
    const byViewers = this.byViewers.slice(0, Math.min(filter.maxViewers, this.maxViewers) + 1);
    const candidates: { size: number; sets: { size: number; at(i: number): string; values(): readonly string[] }[] }[] = [{ size: byViewers.reduce((n, s) => n + s.size, 0), sets: byViewers }];
    if (filter.language) {
      const set = this.byLanguage.get(filter.language);
      candidates.push({ size: set?.size ?? 0, sets: set ? [set] : [] });
    }
    if (filter.gameId) {
      const set = this.byGame.get(filter.gameId);
      candidates.push({ size: set?.size ?? 0, sets: set ? [set] : [] });
    }
    if (filter.only) {
      const ids = [...filter.only].filter((id) => this.entries.has(id));
      candidates.push({ size: ids.length, sets: [{ size: ids.length, at: (i) => ids[i]!, values: () => ids }] });
    }
    return candidates.sort((a, b) => a.size - b.size)[0]!.sets;
  }

  private matches(id: string, filter: PickFilter, now: number): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    const s = entry.stream;
    if (s.viewer_count > filter.maxViewers) return false;
    if (filter.language && s.language !== filter.language) return false;
    if (filter.gameId && s.game_id !== filter.gameId) return false;
    if (filter.gameName && s.game_name.toLowerCase() !== filter.gameName.toLowerCase()) return false;
    if (filter.only && !filter.only.has(id)) return false;
    if (filter.except?.has(id)) return false;
    if (filter.minAgeMinutes && now - entry.startedAt < filter.minAgeMinutes * 60_000) return false;
    if (filter.setAside?.(id)) return false;
    return true;
  }
}

function setOf(map: Map<string, IdSet>, key: string): IdSet {
  let set = map.get(key);
  if (!set) map.set(key, (set = new IdSet()));
  return set;
}

function nth(sources: { size: number; at(i: number): string }[], i: number): string {
  for (const s of sources) {
    if (i < s.size) return s.at(i);
    i -= s.size;
  }
  throw new RangeError('index beyond the pool');
}

/**
 * Spreads visitors: a stream handed out `limit` times within `windowMs` is set aside until
 * the oldest of those hand-outs leaves the window.
 */
export class HandoutThrottle {
  private readonly handouts = new Map<string, number[]>();
  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}
  record(id: string, now: number): void {
    const list = this.handouts.get(id) ?? [];
    list.push(now);
    this.handouts.set(id, list);
  }
  isSetAside(id: string, now: number): boolean {
    if (this.limit <= 0) return false;
    const list = this.handouts.get(id);
    if (!list) return false;
    while (list.length && list[0]! <= now - this.windowMs) list.shift();
    if (list.length === 0) this.handouts.delete(id);
    return list.length >= this.limit;
  }
  /** forgets hand-outs that left the window (called now and then) */
  prune(now: number): void {
    for (const [id, list] of this.handouts) {
      while (list.length && list[0]! <= now - this.windowMs) list.shift();
      if (list.length === 0) this.handouts.delete(id);
    }
  }
}
