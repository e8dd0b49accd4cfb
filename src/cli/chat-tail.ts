// `lurk chat tail <login…> [--json]`: the live chat of some channels on stdout, read through the
// same chat pool Lurk runs (anonymous readers, JOIN pacing, reconnects). Without Twitch
// credentials it reads the built-in simulator, started here as `lurk start` would; with them,
// Twitch or whichever Twitch-compatible server the settings name.
import type { LurkConfig } from '../config/load.js';
import { type DeepReadonly, InProcessBus } from '../core/bus.js';
import { SystemClock } from '../core/clock.js';
import { createLogger } from '../core/logger.js';
import { createMetrics } from '../core/metrics.js';
import { createSimulator, generateClientId, generateClientSecret } from '../sim/index.js';
import type { ChatMessage, ChatNotice } from '../twitch/chat/events.js';
import { configuredEndpoints, simulatorEndpoints } from '../twitch/endpoints.js';
import { TwitchAccess } from '../twitch/access.js';

const LOGIN = /^[a-z0-9_]{1,25}$/;

export class TailInputError extends Error {}

/** the logins as given, lower-cased and without '#'; a malformed one is bad input naming it */
export function tailLogins(args: readonly string[]): string[] {
  if (args.length === 0) throw new TailInputError('name at least one channel login, e.g. lurk chat tail some_streamer');
  const logins = args.map((a) => a.trim().replace(/^#/, '').toLowerCase());
  for (const [i, login] of logins.entries()) {
    if (!LOGIN.test(login)) throw new TailInputError(`"${args[i]}" is not a Twitch login (letters, digits and _, up to 25 characters)`);
  }
  return [...new Set(logins)];
}

/** one message as `--json` prints it */
export function tailJson(m: DeepReadonly<ChatMessage>): string {
  return JSON.stringify({
    id: m.id,
    channel: m.channel,
    channel_id: m.channelId,
    user_id: m.userId,
    user_login: m.user,
    display_name: m.displayName,
    text: m.text,
    action: m.action,
    emotes: m.emotes.map((e) => ({ id: e.id, code: m.text.slice(e.start, e.end), start: e.start, end: e.end })),
    bits: m.bits,
    badges: m.badges,
    first_message: m.firstMessage,
    ...(m.reply ? { reply_to: m.reply.parentId } : {}),
    sent_at: new Date(m.sentAt).toISOString(),
  });
}

function time(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

/** strips control characters a chat line could use to move a terminal's cursor or change its colours */
function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

export function tailText(m: DeepReadonly<ChatMessage>): string {
  const name = m.displayName.toLowerCase() === m.user ? m.displayName : `${m.displayName} (${m.user})`;
  const cheer = m.bits ? ` [${m.bits} bits]` : '';
  return `${time(m.sentAt)} #${m.channel} ${printable(name)}${m.action ? '' : ':'} ${printable(m.text)}${cheer}`;
}

function noticeText(n: DeepReadonly<ChatNotice>): string {
  return `${time(n.sentAt)} #${n.channel} * ${printable(n.systemText || n.kind)}${n.text ? ` — ${printable(n.text)}` : ''}`;
}

export interface TailIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/**
 * Reads until `signal` aborts. Resolves with the exit code: 0 after a clean stop, 1 when a channel
 * does not exist or none could be joined.
 */
export async function chatTail(config: LurkConfig, logins: string[], opts: { json: boolean; signal: AbortSignal }, io: TailIo): Promise<number> {
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const simulator =
    config.mode === 'simulator'
      ? createSimulator({
          ...config.sim,
          port: 0,
          ircPort: 0,
          ircWsPort: null,
          host: 'localhost',
          log,
          clients: [{ clientId: generateClientId(), clientSecret: generateClientSecret(), redirectUris: [] }],
        })
      : undefined;
  const bus = new InProcessBus(log);
  const clock = simulator?.clock ?? new SystemClock();
  const twitch = new TwitchAccess({
    target: () =>
      simulator
        ? { endpoints: simulatorEndpoints(simulator.address), ...simulator.lurkClient() }
        : { endpoints: configuredEndpoints(config.twitch), clientId: config.twitch.clientId!, clientSecret: config.twitch.clientSecret! },
    rateClock: simulator?.rateClock ?? new SystemClock(),
    clock,
    bus,
    log,
    metrics: createMetrics(),
  });
  try {
    if (simulator) {
      io.err(`lurk chat tail: no Twitch credentials, reading the built-in simulator (seed ${config.sim.seed})`);
      await simulator.start();
    }
    twitch.start();
    // unknown logins are named before anything is joined
    const users = await twitch.helix().get<{ data: { login: string }[] }>('users', { login: logins }, { priority: 'interactive', signal: opts.signal });
    const known = new Set(users.data.map((u) => u.login.toLowerCase()));
    const unknown = logins.filter((l) => !known.has(l));
    if (unknown.length > 0) {
      io.err(`lurk chat tail: no Twitch channel named ${unknown.join(', ')}`);
      return 1;
    }
    let joined = 0;
    let failed = 0;
    const done = new Promise<number>((resolve) => {
      bus.subscribe('chat.channel', (e) => {
        if (e.state === 'joined') io.err(`joined #${e.channel} (${++joined}/${logins.length})`);
        if (e.state === 'failed') {
          failed++;
          io.err(`could not join #${e.channel}: ${e.reason ?? 'refused'}`);
          if (failed === logins.length) resolve(1);
        }
      });
      opts.signal.addEventListener('abort', () => resolve(0), { once: true });
    });
    bus.subscribe('chat.message', ({ items }) => {
      for (const m of items) io.out(opts.json ? tailJson(m) : tailText(m));
    });
    if (!opts.json) {
      bus.subscribe('chat.notice', ({ items }) => {
        for (const n of items) io.out(noticeText(n));
      });
    }
    twitch.chat.want('tail', logins);
    return await done;
  } catch (err) {
    if (opts.signal.aborted) return 0;
    io.err(`lurk chat tail: ${(err as Error).message}`);
    return 1;
  } finally {
    await twitch.stop();
    await bus.close();
    await simulator?.stop();
  }
}
