// The live sockets of /api/mood/live: one JSON text per filter per push, and a bound on what a
// client that does not read can make the server hold.
import type { WebSocket } from 'ws';
import type { MoodService } from './service.js';
import type { MoodMoment, MoodPush } from './types.js';

/** live sockets at most; one more is closed at once (1013, try again later) */
export const MAX_LIVE_CLIENTS = 100;
/** above this many buffered bytes a client's snapshot (windows or summaries) is skipped: the next one replaces it */
export const SKIP_SNAPSHOT_ABOVE = 1024 * 1024;
/** a client that would hold more than this is terminated: moments and channels pushes are never skipped, so something must bound them */
export const MAX_BUFFERED = 8 * 1024 * 1024;
/** a client whose snapshots were skipped this many ticks in a row (a minute at one a second) is terminated: it is not reading */
export const MAX_SKIPPED_SNAPSHOTS = 60;

export type LiveSource = Pick<MoodService, 'now' | 'summaries' | 'details' | 'onTick' | 'onChannelsChange'>;

export interface LiveLog {
  warn(details: object, message: string): void;
}

interface LiveClient {
  socket: WebSocket;
  /** only this channel, or every tracked one */
  channel: string | undefined;
  /** snapshots skipped in a row because the client was behind */
  skipped: number;
}

interface Text {
  text: string;
  bytes: number;
}

function text(push: MoodPush | { type: 'pong' }): Text {
  const text = JSON.stringify(push);
  return { text, bytes: Buffer.byteLength(text) };
}

/**
 * Each push builds one JSON text per filter (every channel, or one), on first use, and sends it
 * to every socket with that filter: nothing is serialized per client. A client that falls behind
 * loses snapshots, never moments or channel changes, and is terminated before it can hold more
 * than MAX_BUFFERED.
 */
export class LiveHub {
  private readonly clients = new Set<LiveClient>();
  private readonly offs: (() => void)[];

  constructor(
    private readonly source: LiveSource,
    private readonly log: LiveLog,
  ) {
    this.offs = [source.onTick((now, moments) => this.tick(now, moments)), source.onChannelsChange(() => this.channels())];
  }

  get size(): number {
    return this.clients.size;
  }

  add(socket: WebSocket, channel: string | undefined): void {
    if (this.clients.size >= MAX_LIVE_CLIENTS) {
      socket.close(1013, `more than ${MAX_LIVE_CLIENTS} live clients`);
      return;
    }
    const client: LiveClient = { socket, channel, skipped: 0 };
    this.clients.add(client);
    socket.on('message', (raw: Buffer) => {
      // the only message a client sends is a ping to check the connection
      if (raw.toString() === 'ping' && socket.readyState === socket.OPEN) this.send(client, text({ type: 'pong' }));
    });
    socket.on('close', () => this.clients.delete(client));
    socket.on('error', () => this.clients.delete(client));
    this.send(client, this.channelsText(this.source.now(), channel));
  }

  close(): void {
    for (const off of this.offs) off();
    for (const c of this.clients) c.socket.close(1001, 'Lurk is stopping');
    this.clients.clear();
  }

  private channelsText(now: number, channel: string | undefined): Text {
    const all = this.source.summaries(now);
    return text({ type: 'channels', at: new Date(now).toISOString(), channels: channel === undefined ? all : all.filter((c) => c.login === channel) });
  }

  private channels(): void {
    if (this.clients.size === 0) return;
    const now = this.source.now();
    this.broadcast((channel) => this.channelsText(now, channel), false);
  }

  private tick(now: number, moments: readonly MoodMoment[]): void {
    if (this.clients.size === 0) return;
    const at = new Date(now).toISOString();
    // the grid shows summaries only; a ?channel= view shows its one channel's every window
    this.broadcast(
      (channel) => (channel === undefined ? text({ type: 'summaries', at, channels: this.source.summaries(now) }) : text({ type: 'windows', at, channels: this.source.details(now, channel) })),
      true,
    );
    for (const moment of moments) {
      const t = text({ type: 'moment', moment });
      for (const c of [...this.clients]) if (c.channel === undefined || c.channel === moment.login) this.send(c, t);
    }
  }

  /** one text per filter, built on first use (not at all when every client of the filter is behind) */
  private broadcast(build: (channel: string | undefined) => Text, snapshot: boolean): void {
    const texts = new Map<string | undefined, Text>();
    for (const c of [...this.clients]) {
      if (c.socket.readyState !== c.socket.OPEN) continue;
      if (snapshot && c.socket.bufferedAmount > SKIP_SNAPSHOT_ABOVE) {
        if (++c.skipped >= MAX_SKIPPED_SNAPSHOTS) this.drop(c, `${c.skipped} snapshots skipped in a row: the client does not read`);
        continue;
      }
      let t = texts.get(c.channel);
      if (t === undefined) texts.set(c.channel, (t = build(c.channel)));
      if (this.send(c, t) && snapshot) c.skipped = 0;
    }
  }

  /** false when the client is gone or would hold more than MAX_BUFFERED (then it is terminated) */
  private send(c: LiveClient, t: Text): boolean {
    if (c.socket.readyState !== c.socket.OPEN) return false;
    if (c.socket.bufferedAmount + t.bytes > MAX_BUFFERED) {
      this.drop(c, `it would hold more than ${MAX_BUFFERED} bytes unsent: the client does not read`);
      return false;
    }
    c.socket.send(t.text);
    return true;
  }

  private drop(c: LiveClient, reason: string): void {
    this.log.warn({ channel: c.channel ?? null, buffered: c.socket.bufferedAmount }, `mood live socket terminated: ${reason}`);
    this.clients.delete(c);
    c.socket.terminate();
  }
}
