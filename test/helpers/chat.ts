// A simulator with IRC and its truth, and a chat pool on it whose bus output is collected.
import { type DeepReadonly, InProcessBus } from '../../src/core/bus.js';
import { controlProtocol } from '../../src/sim/protocols/control.js';
import { type IrcOptions, type IrcProtocol, ircProtocol } from '../../src/sim/protocols/irc/index.js';
import { oauthProtocol } from '../../src/sim/protocols/oauth.js';
import { Simulator } from '../../src/sim/simulator.js';
import type { ChatChannelEvent, ChatMembership, ChatMessage } from '../../src/twitch/chat/events.js';
import { type ChatAccount, ChatPool, type ChatPoolOptions } from '../../src/twitch/chat/pool.js';
import { simulatorEndpoints } from '../../src/twitch/endpoints.js';
import { memoryLogger } from './app.js';
import { SIM_START } from './sim.js';

export interface World {
  sim: Simulator;
  irc: IrcProtocol;
}

/** OAuth, /_sim and IRC over TCP on free ports */
export async function chatWorld(o: { channels: number; live: number; speed: number; irc?: Partial<IrcOptions> }): Promise<World> {
  const irc = ircProtocol({ ...o.irc, port: 0, wsPort: null });
  const sim = new Simulator({ seed: 11, channels: o.channels, live: o.live, speed: o.speed, startMs: SIM_START, port: 0, ircPort: 0, ircWsPort: null, log: memoryLogger('warn').log });
  sim.use(oauthProtocol()).use(controlProtocol()).use(irc);
  await sim.start();
  return { sim, irc };
}

export interface PoolRun {
  pool: ChatPool;
  /** every chat.message item, in order */
  messages: DeepReadonly<ChatMessage>[];
  channelEvents: DeepReadonly<ChatChannelEvent>[];
  membership: DeepReadonly<ChatMembership>[];
  logLines: () => Record<string, unknown>[];
  close(): Promise<void>;
}

export function poolOn(sim: Simulator, options: Partial<ChatPoolOptions> = {}, account?: ChatAccount): PoolRun {
  const bus = new InProcessBus();
  const messages: DeepReadonly<ChatMessage>[] = [];
  const channelEvents: DeepReadonly<ChatChannelEvent>[] = [];
  const membership: DeepReadonly<ChatMembership>[] = [];
  bus.subscribe('chat.membership', ({ items }) => void membership.push(...items));
  bus.subscribe('chat.message', ({ items }) => void messages.push(...items));
  bus.subscribe('chat.channel', (e) => void channelEvents.push(e));
  const { log, lines } = memoryLogger('debug');
  const pool = new ChatPool({ bus, clock: sim.clock, log, ...options });
  pool.start(simulatorEndpoints(sim.address), () => account);
  return {
    pool,
    messages,
    channelEvents,
    membership,
    logLines: lines,
    async close() {
      pool.close();
      await bus.close();
    },
  };
}

/** a logged-in account for the bot: a viewer of the world (not a broadcaster) */
export function botAccount(sim: Simulator, index: number): ChatAccount {
  const login = sim.world.login(index);
  return { login, token: () => sim.auth.issueUser(sim.auth.registeredClients()[0]!.clientId, index, ['chat:read', 'chat:edit']).accessToken };
}

/** the world's messages in [from, to) for these channels, from /_sim/truth/messages */
export async function truth(sim: Simulator, from: number, to: number, channels: Set<string>): Promise<{ id: string; at: number }[]> {
  const q = new URLSearchParams({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), limit: '1000000' });
  const res = await fetch(`${sim.address.httpUrl}/_sim/truth/messages?${q}`);
  if (res.status !== 200) throw new Error(`truth: HTTP ${res.status}`);
  const body = (await res.json()) as { total: number; messages: { id: string; at: string; channel: string }[] };
  if (body.total > body.messages.length) throw new Error('truth window too large');
  return body.messages.filter((m) => channels.has(m.channel)).map((m) => ({ id: m.id, at: Date.parse(m.at) }));
}

export async function setFaults(sim: Simulator, faults: Record<string, number | boolean>): Promise<void> {
  const res = await fetch(`${sim.address.httpUrl}/_sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
  if (res.status !== 200) throw new Error(`faults: HTTP ${res.status}`);
}

/** ids that arrived more than once */
export function duplicates(messages: readonly DeepReadonly<ChatMessage>[]): string[] {
  const seen = new Set<string>();
  const twice: string[] = [];
  for (const m of messages) {
    if (seen.has(m.id)) twice.push(m.id);
    seen.add(m.id);
  }
  return twice;
}

/** the live channels of the world, as many as asked */
export function liveLogins(sim: Simulator, n: number, skip = 0): string[] {
  const live = [...sim.world.liveChannelList()].slice(skip, skip + n);
  if (live.length < n) throw new Error(`the world has only ${live.length} live channels`);
  return live.map((c) => sim.world.login(c));
}

/**
 * The start of the first world step wholly after now: a step of 1 s stamps its messages from its
 * own time on, so those of the current step may have been said before a channel was joined.
 */
export function nextStep(sim: Simulator): number {
  return sim.world.now() + 1000;
}

/** waits until the world's clock has moved on by `ms` (world time) */
export async function worldPasses(sim: Simulator, ms: number): Promise<number> {
  const until = sim.world.now() + ms;
  while (sim.world.now() < until) await new Promise((r) => setTimeout(r, 20));
  return sim.world.now();
}
