// Chat parsing on one core (goal ≥ 1,000,000 lines/s parsed and published): lines recorded from
// the simulator's IRC server, read by Lurk's lean parser and published in batches through an
// InProcessBus as the pool does, beside tmi.js 1.8.5's parser, twurple's parseTwitchMessage and a
// bare loop that only splits each line on spaces, all on the same lines in the same run.
import { createRequire } from 'node:module';
import { parseTwitchMessage } from '@twurple/chat';
import { InProcessBus } from '../src/core/bus.js';
import type { ChatClear, ChatMembership, ChatMessage, ChatNotice } from '../src/twitch/chat/events.js';
import { parseChatLine } from '../src/twitch/chat/parser.js';
import { recordChatLines } from './support/chat-corpus.js';
import { type BenchContext, type Figure, interleavedMedians } from './lib.js';

interface TmiParser {
  msg(line: string): { tags: Record<string, unknown> } | null;
  badges(tags: Record<string, unknown>): Record<string, unknown>;
  badgeInfo(tags: Record<string, unknown>): Record<string, unknown>;
  emotes(tags: Record<string, unknown>): Record<string, unknown>;
}
const tmi = createRequire(import.meta.url)('tmi.js/lib/parser.js') as TmiParser;

/** lines a TCP read hands the pool at once: ~64 KiB of ~250-byte lines */
const CHUNK = 256;

/** lines per second of `work` over the whole corpus (one pass, or more until 200 ms have gone) */
async function rate(lines: readonly string[], work: (lines: readonly string[]) => Promise<number> | number): Promise<number> {
  let done = 0;
  const t0 = performance.now();
  do done += await work(lines);
  while (performance.now() - t0 < 200);
  return done / ((performance.now() - t0) / 1000);
}

/** what each loop computed goes here, so none of its work is unused */
const sink = { value: 0 };

/** one chunk's events, a batch per topic, as the pool accumulates them */
interface Batches {
  messages: ChatMessage[];
  notices: ChatNotice[];
  clears: ChatClear[];
  members: ChatMembership[];
}

function parseChunk(lines: readonly string[], from: number, to: number): Batches {
  const at = Date.now();
  const b: Batches = { messages: [], notices: [], clears: [], members: [] };
  for (let j = from; j < to; j++) {
    const p = parseChatLine(lines[j]!, at);
    if (p.kind === 'message') b.messages.push(p.event);
    else if (p.kind === 'notice') b.notices.push(p.event);
    else if (p.kind === 'clear') b.clears.push(p.event);
    else if (p.kind === 'membership') b.members.push(p.event);
  }
  return b;
}

/** publishes a chunk's batches and lets the bus deliver them (a socket's next read is a later macrotask anyway) */
async function publish(bus: InProcessBus, b: Batches): Promise<number> {
  if (b.messages.length) void bus.publish('chat.message', { items: b.messages });
  if (b.notices.length) void bus.publish('chat.notice', { items: b.notices });
  if (b.clears.length) void bus.publish('chat.clear', { items: b.clears });
  if (b.members.length) void bus.publish('chat.membership', { items: b.members });
  await bus.drain();
  return b.messages.length + b.notices.length + b.clears.length + b.members.length;
}

/** a counting subscriber on every chat batch topic */
function countingBus(): { bus: InProcessBus; delivered: { items: number } } {
  const bus = new InProcessBus();
  const delivered = { items: 0 };
  const count = (batch: { readonly items: readonly unknown[] }) => {
    delivered.items += batch.items.length;
  };
  bus.subscribe('chat.message', count);
  bus.subscribe('chat.notice', count);
  bus.subscribe('chat.clear', count);
  bus.subscribe('chat.membership', count);
  return { bus, delivered };
}

/** Parse and publish as the pool will: per chunk of lines, one batch per topic that has items. */
async function parseAndPublish(bus: InProcessBus, delivered: { items: number }, lines: readonly string[]): Promise<number> {
  const before = delivered.items;
  let expected = 0;
  for (let i = 0; i < lines.length; i += CHUNK) expected += await publish(bus, parseChunk(lines, i, Math.min(lines.length, i + CHUNK)));
  if (delivered.items - before !== expected) throw new Error(`the subscriber counted ${delivered.items - before} events of ${expected}`);
  return lines.length;
}

function parseOnly(lines: readonly string[]): number {
  const at = Date.now();
  for (const l of lines) if (parseChatLine(l, at).kind === 'message') sink.value++;
  return lines.length;
}

function tmiParse(lines: readonly string[]): number {
  for (const l of lines) {
    const m = tmi.msg(l);
    // what tmi.js's client does to every message's tags before it looks at the command
    if (m) sink.value += Object.keys(tmi.badges(tmi.badgeInfo(tmi.emotes(m.tags)))).length;
  }
  return lines.length;
}

function twurpleParse(lines: readonly string[]): number {
  for (const l of lines) sink.value += parseTwitchMessage(l).command.length;
  return lines.length;
}

function splitLoop(lines: readonly string[]): number {
  for (const l of lines) sink.value += l.split(' ').length;
  return lines.length;
}

export default async function chatBench(ctx: BenchContext): Promise<Figure[]> {
  const count = ctx.quick ? 20_000 : 200_000;
  const runs = ctx.quick ? 1 : 5;
  ctx.log(`recording ${count.toLocaleString('en-US')} lines from the simulator's IRC server…`);
  const lines = await recordChatLines(count);
  const kinds = new Map<string, number>();
  for (const l of lines) {
    const k = parseChatLine(l, 0).kind;
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  const mix = [...kinds].map(([k, n]) => `${k} ${((100 * n) / lines.length).toFixed(1)} %`).join(', ');
  const bytes = lines.reduce((n, l) => n + l.length, 0) / lines.length;

  const { bus, delivered } = countingBus();
  // the same batches parsed once, for the bus's share of the work
  const parsedChunks: Batches[] = [];
  for (let i = 0; i < lines.length; i += CHUNK) parsedChunks.push(parseChunk(lines, i, Math.min(lines.length, i + CHUNK)));
  const publishOnly = async () => {
    for (const b of parsedChunks) await publish(bus, b);
    return lines.length;
  };

  // The recorded lines are what split() cuts from a read chunk, and V8 keeps such a cut as a
  // slice of the chunk: one indirection on every access, and two bytes a character for every
  // line of a chunk that held one emoji. The same lines, each decoded into a string of its own
  // (as decoding each line from the socket's Buffer gives), show what that costs the parser.
  const ownStrings = lines.map((l) => Buffer.from(l, 'utf8').toString('utf8'));

  const names = ['parse + publish', 'parse', 'parse (own strings)', 'publish', 'tmi.js', 'twurple', 'split loop'];
  ctx.log(`${runs} interleaved rounds of ${names.join(', ')} on one core…`);
  const [published, parsed, parsedOwn, publishedOnly, tmiRate, twurpleRate, loopRate] = (await interleavedMedians(
    runs,
    [
      () => rate(lines, (ls) => parseAndPublish(bus, delivered, ls)),
      () => rate(lines, parseOnly),
      () => rate(ownStrings, parseOnly),
      () => rate(lines, publishOnly),
      () => rate(lines, tmiParse),
      () => rate(lines, twurpleParse),
      () => rate(lines, splitLoop),
    ],
    (round, i) => ctx.log(`round ${round}: ${names[i]}`),
  )) as [number, number, number, number, number, number, number];
  await bus.close();

  const corpus = `${lines.length.toLocaleString('en-US')} lines recorded from the simulator's IRC server (${mix}; ~${Math.round(bytes)} chars per line)`;
  const tmiAnchor = 'tmi.js 1.8.5 parser: msg() and the badges/badge-info/emotes pass its client makes';
  const twurpleAnchor = 'twurple 8.1.4 parseTwitchMessage';
  const loopAnchor = 'bare loop: split each line on spaces';
  const figure = (name: string, value: number, anchor: string, anchorValue: number, note?: string): Figure => ({
    name,
    value,
    unit: 'lines/s',
    anchor,
    anchorValue,
    better: 'higher',
    ...(note ? { note } : {}),
  });
  return [
    figure(
      'chat: parse + publish on one core (goal ≥ 1,000,000 lines/s)',
      published,
      'the goal',
      1_000_000,
      `${corpus}; batches per topic every ${CHUNK} lines through an InProcessBus with one counting subscriber`,
    ),
    figure('chat: parse + publish', published, tmiAnchor, tmiRate),
    figure('chat: parse + publish', published, twurpleAnchor, twurpleRate),
    figure('chat: parse + publish', published, loopAnchor, loopRate),
    figure('chat: Lurk parse only', parsed, tmiAnchor, tmiRate),
    figure('chat: Lurk parse only', parsed, twurpleAnchor, twurpleRate),
    figure('chat: Lurk parse only', parsed, loopAnchor, loopRate),
    figure('chat: Lurk parse only, each line a string of its own', parsedOwn, 'Lurk parse only, lines cut from the read chunk by split()', parsed),
    // where the rest goes: the in-process bus structured-clones every batch for every subscriber
    figure(
      'chat: InProcessBus publish alone, the same batches parsed beforehand',
      publishedOnly,
      'Lurk parse only',
      parsed,
      'one counting subscriber; the bus structured-clones each payload per subscriber',
    ),
  ];
}
