import type { Logger } from 'pino';
import type { LurkEvents } from './events.js';

export type Handler<T> = (payload: T) => void | Promise<void>;
export type Unsubscribe = () => void;

/**
 * Typed publish/subscribe. Delivery is asynchronous and isolated: a slow or throwing
 * subscriber never blocks the publisher or another subscriber. The in-process bus is the
 * embedded default; a Redis bus implements the same interface for scale-out.
 */
export interface Bus<Events extends object = LurkEvents> {
  publish<K extends keyof Events & string>(topic: K, payload: Events[K]): Promise<void>;
  subscribe<K extends keyof Events & string>(topic: K, handler: Handler<Events[K]>): Unsubscribe;
  /** resolves once every delivery started so far has finished */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export class InProcessBus<Events extends object = LurkEvents> implements Bus<Events> {
  private readonly handlers = new Map<string, Set<Handler<never>>>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly log?: Pick<Logger, 'error'>,
    private readonly onHandlerError?: (topic: string, err: unknown) => void,
  ) {}

  async publish<K extends keyof Events & string>(topic: K, payload: Events[K]): Promise<void> {
    if (this.closed) throw new Error(`bus is closed; cannot publish ${topic}`);
    const set = this.handlers.get(topic);
    if (!set || set.size === 0) return;
    // Structured clone keeps in-process delivery honest: subscribers cannot share or mutate
    // the publisher's object, just as they could not across Redis.
    for (const handler of [...set]) {
      const copy = structuredClone(payload);
      const delivery = Promise.resolve()
        .then(() => (handler as Handler<Events[K]>)(copy))
        .catch((err: unknown) => {
          this.log?.error({ err, topic }, 'bus subscriber failed');
          this.onHandlerError?.(topic, err);
        })
        .finally(() => this.inFlight.delete(delivery));
      this.inFlight.add(delivery);
    }
  }

  subscribe<K extends keyof Events & string>(topic: K, handler: Handler<Events[K]>): Unsubscribe {
    let set = this.handlers.get(topic);
    if (!set) this.handlers.set(topic, (set = new Set()));
    set.add(handler as Handler<never>);
    return () => {
      set.delete(handler as Handler<never>);
    };
  }

  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.drain();
    this.handlers.clear();
  }
}
