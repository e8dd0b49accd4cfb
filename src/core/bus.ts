import type { Logger } from 'pino';
import type { LurkEvents } from './events.js';

/** a payload as subscribers see it: every subscriber of the in-process bus is handed the same object */
export type DeepReadonly<T> = T extends (infer E)[] ? readonly DeepReadonly<E>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

export type Handler<T> = (payload: DeepReadonly<T>) => void | Promise<void>;
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
    // Every subscriber gets the publisher's object itself, read-only by type (DeepReadonly):
    // a copy per subscriber (structuredClone) cost more than parsing a chat line and capped the
    // chat pool's rate at about a third of its parser's (README, "The bus"). Payloads stay plain
    // JSON values, so a Redis bus carries them unchanged and hands each process its own.
    const shared = payload as DeepReadonly<Events[K]>;
    for (const handler of [...set]) {
      const delivery = Promise.resolve()
        .then(() => (handler as Handler<Events[K]>)(shared))
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
