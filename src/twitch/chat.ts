// Chat on the bus: Lurk's side of Twitch IRC. Capabilities say which channels they want; every
// message read there is published as a `chat.message` event, and replies go out through say().
// One connection today, logged in as the bot account; the chat pool (several anonymous reading
// connections, join limits, liveness) replaces the inside of this class, not its face.
import type { Bus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { TwitchEndpoints } from './endpoints.js';
import { IrcClient } from './irc-client.js';
import { parseChatLine } from './chat/parser.js';
import type { ChatMessage } from './chat/events.js';

/** a chat login and a way to get its token (each connection logs in anew) */
export interface ChatAccount {
  login: string;
  token(): string;
}

export class TwitchChat {
  private readonly wanted = new Map<string, Set<string>>();
  private client?: IrcClient;

  constructor(private readonly o: { bus: Bus; clock: Clock; log: Logger }) {}

  /** `owner` (a capability's name) wants these channels read; the union is joined at start */
  want(owner: string, logins: readonly string[]): void {
    if (this.client) throw new Error('chat channels are chosen before Lurk starts');
    const set = this.wanted.get(owner) ?? new Set<string>();
    for (const login of logins) set.add(login.toLowerCase());
    this.wanted.set(owner, set);
  }

  /** every wanted channel, once */
  channels(): string[] {
    return [...new Set([...this.wanted.values()].flatMap((s) => [...s]))].sort();
  }

  /** connects when some capability wants a channel (the account is asked for only then); without one, says so */
  start(endpoints: TwitchEndpoints, accountFor: () => ChatAccount | undefined): void {
    const channels = this.channels();
    if (channels.length === 0) return;
    const account = accountFor();
    if (!account) {
      this.o.log.warn({ channels: channels.length }, 'chat is wanted but no chat account is configured; chat is not read');
      return;
    }
    const client = new IrcClient({ ...endpoints.ircTcp, login: account.login, token: () => account.token(), channels, log: this.o.log.child({ component: 'chat' }) });
    client.onMessage((m) => {
      const parsed = parseChatLine(m.raw, this.o.clock.now());
      if (parsed.kind !== 'message') return;
      const items: ChatMessage[] = [parsed.event];
      this.o.bus.publish('chat.message', { items }).catch((err: unknown) => this.o.log.debug({ err: (err as Error).message }, 'chat message not published'));
    });
    this.client = client;
    void client.start();
  }

  /** sends a message as the bot (threaded under `replyTo` when given); dropped while disconnected */
  say(channel: string, text: string, replyTo?: string): void {
    this.client?.say(channel, text, replyTo);
  }

  close(): void {
    this.client?.close();
  }
}
