// Subs as the chat shows them: each sub counted once. A mystery gift of N arrives as one
// `submysterygift` (msg-param-mass-gift-count N) and then N `subgift` notices, all carrying the
// same msg-param-origin-id (twitch-protocol.md, USERNOTICE): the gift counts N, its subgifts none.
// A lone gift is a subgift with an origin of its own and counts 1.
import type { DeepReadonly } from '../core/bus.js';
import type { ChatNotice } from '../twitch/chat/events.js';

/** origins remembered at most; a mystery gift's subgifts follow it within seconds */
const ORIGINS = 10_000;

interface Origin {
  mystery: boolean;
  /** subs already counted under this origin */
  counted: number;
}

export class SubCounter {
  private readonly origins = new Map<string, Origin>();

  /** subs this notice adds (0 for other notices and for a mystery gift's own subgifts) */
  count(n: DeepReadonly<ChatNotice>): number {
    switch (n.kind) {
      case 'sub':
      case 'resub':
        return 1;
      case 'subgift':
      case 'anonsubgift':
        return this.gift(n);
      case 'submysterygift':
      case 'anonsubmysterygift':
        return this.mystery(n);
      default:
        return 0;
    }
  }

  private key(n: DeepReadonly<ChatNotice>): string | undefined {
    const origin = n.params['origin-id'];
    return origin ? `${n.channel} ${origin}` : undefined;
  }

  private gift(n: DeepReadonly<ChatNotice>): number {
    const key = this.key(n);
    if (key === undefined) return 1;
    const o = this.origins.get(key);
    if (o?.mystery) return 0;
    // a subgift ahead of its mystery gift (or a lone one): counted now, and the gift counts the rest
    if (o) o.counted++;
    else this.remember(key, { mystery: false, counted: 1 });
    return 1;
  }

  private mystery(n: DeepReadonly<ChatNotice>): number {
    const total = Math.max(1, n.giftCount ?? (Number(n.params['mass-gift-count']) || 1));
    const key = this.key(n);
    if (key === undefined) return total;
    const o = this.origins.get(key);
    if (o?.mystery) return 0;
    if (o) {
      o.mystery = true;
      return Math.max(0, total - o.counted);
    }
    this.remember(key, { mystery: true, counted: total });
    return total;
  }

  private remember(key: string, o: Origin): void {
    // a Map iterates in insertion order: the oldest origin goes first
    if (this.origins.size >= ORIGINS) this.origins.delete(this.origins.keys().next().value!);
    this.origins.set(key, o);
  }
}
