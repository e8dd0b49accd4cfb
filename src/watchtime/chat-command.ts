import type { Logger } from 'pino';
import type { DeepReadonly } from '../core/bus.js';
import type { ChatMessage } from '../twitch/chat/events.js';
import { answerFor, questionOf } from './answers.js';
import type { WatchtimeService } from './service.js';

const COMMAND = /^!watchtime(\s|$)/i;

/** one chat line: the heading, then the ranked lines joined (chat has no line breaks) */
export function chatLine(answer: string): string {
  const [head, ...lines] = answer.split('\n');
  return lines.length ? `${head} ${lines.join(', ')}` : (head ?? '');
}

/**
 * `!watchtime <game or streamer>` in the configured channels, answered in a threaded reply with
 * the same texts as the social answers. A channel gets at most one answer per cooldown, and the
 * same question is not answered twice within a minute, so the bot stays inside Twitch's
 * 20-messages-per-30-seconds limit and never floods a chat.
 */
export class WatchtimeChatCommand {
  private readonly lastReply = new Map<string, number>();
  private readonly recent = new Map<string, number>();

  constructor(
    private readonly chat: { say(channel: string, text: string, replyTo?: string): void },
    private readonly watch: WatchtimeService,
    private readonly log: Pick<Logger, 'info' | 'warn' | 'debug'>,
    private readonly options: { cooldownMs: number; now: () => number } = { cooldownMs: 3000, now: Date.now },
  ) {}

  /** answers a `!watchtime` message (from the bus's `chat.message`); true when it replied */
  async handle(m: DeepReadonly<ChatMessage>): Promise<boolean> {
    if (!COMMAND.test(m.text)) return false;
    const now = this.options.now();
    const question = questionOf(m.text);
    const key = `${m.channel}\u0000${question.toLowerCase()}`;
    if (now - (this.lastReply.get(m.channel) ?? -Infinity) < this.options.cooldownMs || now - (this.recent.get(key) ?? -Infinity) < 60_000) {
      this.log.debug({ channel: m.channel, question }, '!watchtime ignored (cooldown)');
      return false;
    }
    this.lastReply.set(m.channel, now);
    this.recent.set(key, now);
    if (this.recent.size > 1000) this.recent.clear();
    try {
      const answers = await answerFor(this.watch, question);
      for (const a of answers) this.chat.say(m.channel, `@${m.displayName} ${chatLine(a)}`, m.id);
      return true;
    } catch (err) {
      this.log.warn({ err: (err as Error).message, channel: m.channel }, '!watchtime failed');
      return false;
    }
  }
}
