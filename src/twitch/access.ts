// Lurk's side of Twitch, decided once for every capability: where it connects and with which
// app, the Helix client and its budget, and the chat account the bot speaks as. Real Twitch and
// the built-in simulator differ only in the target handed in.
import type { Bus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import { AppTokenProvider } from './app-token.js';
import { HelixBudget, type BudgetClock } from './budget.js';
import type { TwitchEndpoints } from './endpoints.js';
import { HelixClient } from './helix-client.js';
import { type ChatAccount, ChatPool, type ChatPoolOptions } from './chat/pool.js';
import { EventSubManager } from './eventsub/manager.js';

export type { ChatAccount };

/** what Lurk connects to, known once Twitch (or the simulator) is reachable */
export interface TwitchTarget {
  endpoints: TwitchEndpoints;
  clientId: string;
  clientSecret: string;
  /** a chat account lent for the bot when none is configured (the simulator lends one) */
  lendAccount?(clientId: string, scopes: string[]): ChatAccount;
}

export interface TwitchAccessOptions {
  /** asked at start(): the simulator's ports are known only once it listens */
  target: () => TwitchTarget;
  /** the bot account from the configuration, when one is set */
  bot?: { login: string; token: string } | undefined;
  /** what Helix's rate limit runs on: wall time for Twitch, the simulator's rate clock */
  rateClock: BudgetClock;
  /** Lurk's clock and bus: chat messages are published on it */
  clock: Clock;
  bus: Bus;
  log: Logger;
  metrics: Metrics;
  /** the chat pool's settings (channels per connection; tests shorten its timeouts) */
  chat?: Partial<Omit<ChatPoolOptions, 'bus' | 'clock' | 'log' | 'metrics'>>;
}

/** the scopes the bot's chat connection needs: read and send */
const BOT_SCOPES = ['chat:read', 'chat:edit'];

export class TwitchAccess {
  /** the shared Helix budget (every caller draws on it) */
  readonly budget: HelixBudget;
  /** chat: capabilities want channels, read `chat.*` on the bus, and the bot replies through it */
  readonly chat: ChatPool;
  /** EventSub: capabilities declare() the subscriptions they want and read `eventsub.notification` on the bus */
  readonly eventsub: EventSubManager;
  private current?: TwitchTarget;
  private client?: HelixClient;
  private errors = 0;
  private bot?: ChatAccount | null;

  constructor(private readonly options: TwitchAccessOptions) {
    this.budget = new HelixBudget({ clock: options.rateClock });
    this.chat = new ChatPool({ ...options.chat, bus: options.bus, clock: options.clock, log: options.log, metrics: options.metrics });
    this.eventsub = new EventSubManager({
      log: options.log.child({ component: 'eventsub' }),
      helix: () => this.helix(),
      webSocketUrl: () => this.target().endpoints.eventSubWs,
    });
  }

  /** fixes the target, builds the Helix client and joins the chat capabilities want; call once Twitch's address is known */
  start(): void {
    const target = this.options.target();
    const { metrics } = this.options;
    this.current = target;
    this.client = new HelixClient({
      base: target.endpoints.helix,
      tokens: new AppTokenProvider({ clientId: target.clientId, clientSecret: target.clientSecret, oauth: target.endpoints.oauth }, this.options.log),
      budget: this.budget,
      clock: this.options.rateClock,
      log: this.options.log.child({ component: 'helix' }),
      onResponse: (status) => {
        if (status === 'error' || status >= 500) this.errors++;
        metrics.helixRequests.inc({ status: String(status) });
        metrics.helixBudgetRemaining.set(this.budget.stats().remaining);
      },
    });
    this.chat.start(target.endpoints, () => this.chatBot());
  }

  async stop(): Promise<void> {
    this.chat.close();
    await this.eventsub.stop();
  }

  /** where Lurk connects and as which app */
  target(): TwitchTarget {
    return this.current ?? this.options.target();
  }

  helix(): HelixClient {
    if (!this.client) throw new Error('Lurk has not started yet');
    return this.client;
  }

  /** Helix answers that were server errors or no answer at all, since start */
  errorCount(): number {
    return this.errors;
  }

  /**
   * The account the bot chats as, decided once: the configured login and token, otherwise one the
   * target lends (the simulator's first viewer); undefined when there is neither.
   */
  chatBot(): ChatAccount | undefined {
    if (this.bot === undefined) {
      const configured = this.options.bot;
      const target = this.target();
      this.bot = configured ? { login: configured.login, token: () => configured.token } : (target.lendAccount?.(target.clientId, BOT_SCOPES) ?? null);
    }
    return this.bot ?? undefined;
  }
}
