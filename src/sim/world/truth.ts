// Exact watch time: the integral of each channel's concurrent viewers over time, credited to
// the game the channel was in, kept in fixed intervals so any range aligned to the interval
// is exact and other ranges are prorated within their edge intervals.

interface Bucket {
  start: number;
  end: number;
  channel: Int32Array;
  game: Int32Array;
  /** viewer-milliseconds */
  vms: Float64Array;
}

export class WatchTruth {
  private readonly lastAt: Float64Array;
  private readonly pending: Float64Array;
  private readonly pendingGame: Int32Array;
  private readonly dirty: Uint8Array;
  private dirtyList: number[] = [];
  private entries: { channel: number[]; game: number[]; vms: number[] } = { channel: [], game: [], vms: [] };
  private intervalStart: number;
  private readonly buckets: Bucket[] = [];

  constructor(
    channels: number,
    _games: number,
    startMs: number,
    private readonly intervalMs: number,
    private readonly retentionMs: number,
  ) {
    this.lastAt = new Float64Array(channels);
    this.pending = new Float64Array(channels);
    this.pendingGame = new Int32Array(channels);
    this.dirty = new Uint8Array(channels);
    this.intervalStart = Math.floor(startMs / intervalMs) * intervalMs;
  }

  startChannel(channel: number, t: number, game: number): void {
    this.lastAt[channel] = t;
    this.pendingGame[channel] = game;
  }

  /** credits `viewers` × time since the channel's last accrual */
  accrue(channel: number, viewers: number, t: number): void {
    const dt = t - this.lastAt[channel]!;
    if (dt > 0 && viewers > 0) {
      this.pending[channel] = this.pending[channel]! + viewers * dt;
      if (!this.dirty[channel]) {
        this.dirty[channel] = 1;
        this.dirtyList.push(channel);
      }
    }
    this.lastAt[channel] = Math.max(this.lastAt[channel]!, t);
  }

  changeGame(channel: number, t: number, game: number): void {
    this.flush(channel);
    this.lastAt[channel] = t;
    this.pendingGame[channel] = game;
  }

  stopChannel(channel: number, t: number): void {
    this.flush(channel);
    this.lastAt[channel] = t;
  }

  private flush(channel: number): void {
    const v = this.pending[channel]!;
    if (v <= 0) return;
    this.entries.channel.push(channel);
    this.entries.game.push(this.pendingGame[channel]!);
    this.entries.vms.push(v);
    this.pending[channel] = 0;
  }

  /** Closes the interval once time passes its end; `settleAll` accrues every live channel up to now first. */
  maybeClose(t: number, settleAll: () => void): void {
    if (t < this.intervalStart + this.intervalMs) return;
    settleAll();
    for (const c of this.dirtyList) {
      this.dirty[c] = 0;
      this.flush(c);
    }
    this.dirtyList = [];
    const e = this.entries;
    this.buckets.push({
      start: this.intervalStart,
      end: t,
      channel: Int32Array.from(e.channel),
      game: Int32Array.from(e.game),
      vms: Float64Array.from(e.vms),
    });
    this.entries = { channel: [], game: [], vms: [] };
    this.intervalStart = t;
    while (this.buckets.length && this.buckets[0]!.end < t - this.retentionMs) this.buckets.shift();
  }

  /** oldest time still covered */
  horizon(): number {
    return this.buckets[0]?.start ?? this.intervalStart;
  }

  /** Hours watched per game or per channel index within [from, to). */
  hours(from: number, to: number, by: 'game' | 'streamer'): Map<number, number> {
    const out = new Map<number, number>();
    for (const b of this.buckets) {
      if (b.end <= from || b.start >= to) continue;
      const overlap = Math.min(b.end, to) - Math.max(b.start, from);
      const share = overlap / (b.end - b.start);
      for (let i = 0; i < b.vms.length; i++) {
        const key = by === 'game' ? b.game[i]! : b.channel[i]!;
        out.set(key, (out.get(key) ?? 0) + (b.vms[i]! * share) / 3_600_000);
      }
    }
    return out;
  }

  /** the end of the last closed interval: truth is final up to here */
  closedUntil(): number {
    return this.buckets.at(-1)?.end ?? this.intervalStart;
  }
}
