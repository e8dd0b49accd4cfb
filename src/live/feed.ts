// The feed: what EventSub and chat report of the favourited channels, read into events, stored
// (one event for two reports of the same thing) and pushed to the channel's sockets; the
// channels' live state, availability and recent chat lines; the subscriptions that follow the
// favourites. Reports of one channel are stored one at a time, so its two reports of an event
// never both insert.
import type { DeepReadonly } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { ChatMessage, ChatNotice } from '../twitch/chat/events.js';
import type { ChatWants } from '../twitch/chat/types.js';
import type { EventSubNotification } from '../twitch/eventsub/events.js';
import type { SubscriptionState, SubscriptionWant } from '../twitch/eventsub/manager.js';
import { ChatNoticeReader, fromCheerMessage, fromEventSub, type ReadEvent } from './normalize.js';
import type { LiveAccounts } from './parts.js';
import type { LiveStore } from './store.js';
import { availability, type FeedChannel, liveWants, OWNER, statesByChannel } from './subscriptions.js';
import type { LiveAvailability, LiveChatLine, LiveEvent, LivePush } from './types.js';

/** two reports of one event are this far apart at most (chat and EventSub differ by seconds) */
export const DEDUP_WINDOW_MS = 3 * 60_000;
export const CHAT_LINES = 50;
export const HELLO_EVENTS = 50;
const CHAT_FLUSH_MS = 250;
const AVAILABILITY_MS = 2_000;

export interface FeedEventSub {
  declare(owner: string, wants: readonly SubscriptionWant[]): void;
  kick(): void;
  subscriptions(): SubscriptionState[];
}

/** a stream as Helix `streams` lists it (the fields read) */
export interface LiveStream {
  user_id: string;
  user_login: string;
  type: string;
  title: string;
  game_name: string;
}

export interface LiveFeedOptions {
  store: LiveStore;
  publish(channel: string, push: LivePush): void;
  clock: Clock;
  log: Logger;
  accounts: LiveAccounts;
  eventsub: FeedEventSub;
  chat: ChatWants;
  /** Helix `streams?user_id=` */
  streams(userIds: readonly string[]): Promise<LiveStream[]>;
  webhooks: boolean;
}

interface ChannelState extends FeedChannel {
  displayName: string;
  live: boolean | null;
  title: string | null;
  category: string | null;
  chat: LiveChatLine[];
  pendingChat: LiveChatLine[];
  availability: LiveAvailability[];
  availabilityKey: string;
}

export class LiveFeed {
  private readonly channels = new Map<string, ChannelState>();
  private readonly byLogin = new Map<string, string>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly notices = new ChatNoticeReader();
  private flushTimer: NodeJS.Timeout | undefined;
  private availabilityTimer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly o: LiveFeedOptions) {}

  async start(): Promise<void> {
    await this.refresh();
    this.availabilityTimer = setInterval(() => this.updateAvailability(), AVAILABILITY_MS);
    this.availabilityTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.availabilityTimer);
    clearTimeout(this.flushTimer);
    // the subscriptions stay declared: a restart finds them at Twitch instead of making them again
    await this.idle();
  }

  /** resolves once every report read so far is stored and pushed */
  async idle(): Promise<void> {
    await this.refreshing;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  // ------------------------------------------------------------------ channels

  /** reads the favourited channels again: chat, subscriptions and live state follow */
  refresh(): Promise<void> {
    const run = this.refreshing.then(() => this.doRefresh()).catch((err: unknown) => this.o.log.warn({ err }, 'live feed could not refresh its channels'));
    this.refreshing = run;
    return run;
  }

  private async doRefresh(): Promise<void> {
    if (this.stopped) return;
    const wanted = await this.o.store.favouritedChannels();
    const ids = new Set(wanted.map((c) => c.channelId));
    const gone = [...this.channels.values()].filter((c) => !ids.has(c.channelId));
    for (const c of gone) {
      this.channels.delete(c.channelId);
      this.byLogin.delete(c.login);
    }
    if (gone.length > 0)
      this.o.chat.release(
        OWNER,
        gone.map((c) => c.login),
      );
    const added: ChannelState[] = [];
    const renamed: { from: string; to: string }[] = [];
    for (const c of wanted) {
      const known = this.channels.get(c.channelId);
      if (known && known.login !== c.login) {
        renamed.push({ from: known.login, to: c.login });
        this.byLogin.delete(known.login);
        this.byLogin.set(c.login, c.channelId);
        known.login = c.login;
      }
      if (known) known.displayName = c.displayName;
      if (known) continue;
      const state: ChannelState = { ...c, live: null, title: null, category: null, chat: [], pendingChat: [], availability: [], availabilityKey: '' };
      this.channels.set(c.channelId, state);
      this.byLogin.set(c.login, c.channelId);
      added.push(state);
    }
    // chat is joined by login: a renamed channel's is left and joined again under the new one
    if (renamed.length > 0)
      this.o.chat.release(
        OWNER,
        renamed.map((r) => r.from),
      );
    if (added.length > 0 || renamed.length > 0) this.o.chat.want(OWNER, [...added.map((c) => c.login), ...renamed.map((r) => r.to)]);
    await this.declare();
    if (added.length > 0) await this.readLive(added);
    this.updateAvailability();
  }

  private async declare(): Promise<void> {
    const accounts = await this.o.accounts.list();
    const wants = liveWants({ channels: [...this.channels.values()], accounts, eventSubUser: (id) => this.o.accounts.eventSubUser(id), webhooks: this.o.webhooks });
    this.o.eventsub.declare(OWNER, wants);
    this.o.eventsub.kick();
  }

  /** accounts changed (a login, new scopes, a logout): the subscriptions they authorise follow */
  accountsChanged(): void {
    const run = this.refreshing.then(() => this.declare()).catch((err: unknown) => this.o.log.warn({ err }, 'live feed could not declare its subscriptions'));
    this.refreshing = run;
  }

  private async readLive(channels: ChannelState[]): Promise<void> {
    try {
      for (let i = 0; i < channels.length; i += 100) {
        const part = channels.slice(i, i + 100);
        const streams = new Map((await this.o.streams(part.map((c) => c.channelId))).map((s) => [s.user_id, s]));
        for (const c of part) {
          const s = streams.get(c.channelId);
          c.live = !!s && s.type === 'live';
          if (s) {
            c.title = s.title;
            c.category = s.game_name;
          }
        }
      }
    } catch (err) {
      this.o.log.warn({ err }, 'live feed could not read which favourites are live');
    }
  }

  channel(login: string): Readonly<ChannelState> | undefined {
    const id = this.byLogin.get(login);
    return id ? this.channels.get(id) : undefined;
  }

  availabilityOf(login: string): LiveAvailability[] {
    const c = this.channel(login);
    return c ? c.availability : [];
  }

  chatLines(login: string): LiveChatLine[] {
    return [...(this.channel(login)?.chat ?? [])];
  }

  private updateAvailability(): void {
    if (this.stopped) return;
    const states = statesByChannel(this.o.eventsub.subscriptions());
    const chat = new Map(this.o.chat.channels().map((c) => [c.channel, c]));
    for (const c of this.channels.values()) {
      const list = availability(c, states.get(c.channelId) ?? [], chat.get(c.login));
      const key = JSON.stringify([list, c.live]);
      if (key === c.availabilityKey) continue;
      const first = c.availabilityKey === '';
      c.availability = list;
      c.availabilityKey = key;
      if (!first) this.pushAvailability(c);
    }
  }

  private pushAvailability(c: ChannelState): void {
    this.o.publish(c.login, { type: 'availability', channel: c.login, availability: c.availability, live: c.live });
  }

  // ------------------------------------------------------------------ intake

  onEventSub(n: DeepReadonly<EventSubNotification>): void {
    // a raid reaches the bus through every subscription naming either end (Audience follows the
    // raids out of the channels it watches): the raided channel's feed takes the one into it
    if (n.type === 'channel.raid' && n.condition.to_broadcaster_user_id !== n.event.to_broadcaster_user_id) return;
    const e = fromEventSub(n);
    if (e) this.ingest(e);
  }

  onNotices(items: readonly DeepReadonly<ChatNotice>[]): void {
    for (const n of items) {
      if (!this.channels.has(n.channelId)) continue;
      const e = this.notices.read(n);
      if (e) this.ingest(e);
    }
  }

  onMessages(items: readonly DeepReadonly<ChatMessage>[]): void {
    for (const m of items) {
      const c = this.channels.get(m.channelId) ?? this.channel(m.channel);
      if (!c) continue;
      const line: LiveChatLine = { id: m.id, user_login: m.user, user_name: m.displayName, color: m.color, text: m.text, at: new Date(m.sentAt || m.receivedAt).toISOString() };
      c.chat.push(line);
      if (c.chat.length > CHAT_LINES) c.chat.splice(0, c.chat.length - CHAT_LINES);
      c.pendingChat.push(line);
      this.scheduleChatFlush();
      const e = fromCheerMessage(m);
      if (e) this.ingest(e);
    }
  }

  private scheduleChatFlush(): void {
    if (this.flushTimer || this.stopped) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      for (const c of this.channels.values()) {
        if (c.pendingChat.length === 0) continue;
        const lines = c.pendingChat.slice(-CHAT_LINES);
        c.pendingChat = [];
        this.o.publish(c.login, { type: 'chat', channel: c.login, lines });
      }
    }, CHAT_FLUSH_MS);
    this.flushTimer.unref();
  }

  /** stores a report after the channel's earlier ones and pushes the (new or completed) event */
  private ingest(e: ReadEvent): void {
    const c = this.channels.get(e.channel_id);
    if (!c) return;
    // one clock for both sources (EventSub stamps wall-clock time, chat Twitch's), so the dedup window compares like with like
    e.at = this.o.clock.now();
    const previous = this.queues.get(c.channelId) ?? Promise.resolve();
    const run = previous.then(async () => {
      try {
        const { event, duplicate } = await this.o.store.record(e, DEDUP_WINDOW_MS);
        if (duplicate) return;
        this.o.publish(c.login, { type: 'event', event });
        this.apply(c, event);
      } catch (err) {
        this.o.log.warn({ err, channel: c.login, type: e.type }, 'live feed could not store an event');
      }
    });
    this.queues.set(c.channelId, run);
    this.inFlight.add(run);
    void run.finally(() => {
      this.inFlight.delete(run);
      if (this.queues.get(c.channelId) === run) this.queues.delete(c.channelId);
    });
  }

  private apply(c: ChannelState, event: LiveEvent): void {
    if (event.type === 'online') c.live = true;
    else if (event.type === 'offline') c.live = false;
    else if (event.type === 'update') {
      c.title = event.title;
      c.category = event.category;
    } else return;
    this.updateAvailability();
  }
}
