// Now and then a moderator deletes a message or times a chatter out. Which messages is derived
// from their ids, so the same world produces the same CLEARMSG/CLEARCHAT lines in every run.
import type { ChatMessage } from '../../world/types.js';
import { hash32 } from '../../world/random.js';

/** per 10,000 messages */
const DELETED = 30;
const TIMED_OUT = 10;
const TIMEOUT_SECONDS = 600;

export interface ModAction {
  /** world time the action happens */
  at: number;
  kind: 'delete' | 'timeout';
  message: ChatMessage;
  /** for timeouts */
  seconds?: number;
}

export class Moderation {
  private pending: ModAction[] = [];

  /** decides, from the message id alone, whether a moderator will act on it a few seconds later */
  consider(m: ChatMessage): void {
    const h = hash32(parseInt(m.id.slice(0, 8), 16) | 0, 0xc1ea);
    const roll = h % 10_000;
    if (roll >= DELETED + TIMED_OUT) return;
    const delay = 2000 + ((h >>> 16) % 8) * 1000;
    if (roll < DELETED) this.pending.push({ at: m.at + delay, kind: 'delete', message: m });
    else this.pending.push({ at: m.at + delay, kind: 'timeout', message: m, seconds: TIMEOUT_SECONDS });
  }

  /** the actions due at world time `t`, oldest first (the list stays tiny: under 0.5 % of messages) */
  due(t: number): ModAction[] {
    if (this.pending.length === 0) return [];
    const ready = this.pending.filter((a) => a.at <= t).sort((a, b) => a.at - b.at);
    if (ready.length) this.pending = this.pending.filter((a) => a.at > t);
    return ready;
  }

  clear(): void {
    this.pending = [];
  }
}
