// Chat parsing on one core (goal ≥ 1,000,000 lines/s parsed and published): the reads of a
// connection to the simulator's IRC server, recorded as the socket handed them over, taken the
// way the pool takes them (each read into lines by a LineSplitter, parsed by Lurk's lean parser,
// published in batches through an InProcessBus), beside tmi.js 1.8.5's parser, twurple's
// parseTwitchMessage and a bare loop that only splits each line on spaces, all on the same lines
// in the same run.
import { StringDecoder } from 'node:string_decoder';
import { parseTwitchMessage } from '@twurple/chat';
import { InProcessBus } from '../src/core/bus.js';
import type { ChatClear, ChatMembership, ChatMessage, ChatNotice } from '../src/twitch/chat/events.js';
import { LineSplitter } from '../src/twitch/chat/lines.js';
import { parseChatLine } from '../src/twitch/chat/parser.js';
import { recordChatWire } from './support/chat-corpus.js';
import { type BenchContext, type Figure, interleavedMedians } from './lib.js';
import { tmi } from './support/tmi-parser.js';

/** lines a TCP read hands the pool at once: ~64 KiB of ~350-character lines (the recorded reads' size) */
const CHUNK = 180;

/** lines per second of `work` (which says how many lines it took) over the whole corpus (one pass, or more until 200 ms have gone) */
async function rate<T>(items: readonly T[], work: (items: readonly T[]) => Promise<number> | number): Promise<number> {
  let done = 0;
  const t0 = performance.now();
  do done += await work(items);
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

/**
 * The pool's path: each read into lines (`decode`), its lines parsed, their events published in
 * one batch per topic per read, as a connection's 'data' handler does.
 */
async function readAndPublish(bus: InProcessBus, delivered: { items: number }, reads: readonly Buffer[], decode: () => (read: Buffer) => string[], lines: number): Promise<number> {
  const before = delivered.items;
  const split = decode();
  let expected = 0;
  let read = 0;
  for (const r of reads) {
    const ls = split(r);
    read += ls.length;
    expected += await publish(bus, parseChunk(ls, 0, ls.length));
  }
  if (read !== lines) throw new Error(`the reads gave ${read} lines of ${lines}`);
  if (delivered.items - before !== expected) throw new Error(`the subscriber counted ${delivered.items - before} events of ${expected}`);
  return read;
}

/** a LineSplitter: each line decoded from the read's Buffer, a string of its own */
function ownLines(): (read: Buffer) => string[] {
  const splitter = new LineSplitter();
  return (read) => splitter.push(read);
}

/** each read decoded whole and split(): every line a slice of its read's string (what socket.setEncoding('utf8') and split() give) */
function slicedLines(): (read: Buffer) => string[] {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  return (read) => {
    const parts = (rest + decoder.write(read)).split('\r\n');
    rest = parts.pop()!;
    return parts;
  };
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
  const { reads, lines } = await recordChatWire(count);
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

  const names = ['reads → lines → parse + publish', 'the same, reads split()', 'parse + publish', 'parse', 'parse (own strings)', 'publish', 'tmi.js', 'twurple', 'split loop'];
  ctx.log(`${runs} interleaved rounds of ${names.join(', ')} on one core…`);
  const [wire, wireSliced, published, parsed, parsedOwn, publishedOnly, tmiRate, twurpleRate, loopRate] = (await interleavedMedians(
    runs,
    [
      () => rate(reads, (rs) => readAndPublish(bus, delivered, rs, ownLines, lines.length)),
      () => rate(reads, (rs) => readAndPublish(bus, delivered, rs, slicedLines, lines.length)),
      () => rate(lines, (ls) => parseAndPublish(bus, delivered, ls)),
      () => rate(lines, parseOnly),
      () => rate(ownStrings, parseOnly),
      () => rate(lines, publishOnly),
      () => rate(lines, tmiParse),
      () => rate(lines, twurpleParse),
      () => rate(lines, splitLoop),
    ],
    (round, i) => ctx.log(`round ${round}: ${names[i]}`),
  )) as [number, number, number, number, number, number, number, number, number];
  await bus.close();

  const readBytes = reads.reduce((n, r) => n + r.length, 0) / reads.length;
  const corpus = `${lines.length.toLocaleString('en-US')} lines in ${reads.length.toLocaleString('en-US')} reads (~${Math.round(readBytes / 1024)} KiB each) recorded from the simulator's IRC server (${mix}; ~${Math.round(bytes)} chars per line)`;
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
      'chat: reads → lines → parse → publish on one core (goal ≥ 1,000,000 lines/s)',
      wire,
      'the goal',
      1_000_000,
      `${corpus}; each read into lines by a LineSplitter, parsed, published as one batch per topic through an InProcessBus with one counting subscriber`,
    ),
    figure('chat: reads → lines → parse → publish', wire, tmiAnchor, tmiRate),
    figure('chat: reads → lines → parse → publish', wire, twurpleAnchor, twurpleRate),
    figure('chat: reads → lines → parse → publish', wire, loopAnchor, loopRate),
    figure(
      'chat: reads → lines → parse → publish, each line decoded from the read (LineSplitter)',
      wire,
      "the same, each read decoded whole and split(): lines are slices of the read's string",
      wireSliced,
    ),
    figure('chat: parse + publish, lines cut by split() from the reads', published, 'the goal', 1_000_000, `batches per topic every ${CHUNK} lines`),
    figure('chat: Lurk parse only', parsed, tmiAnchor, tmiRate),
    figure('chat: Lurk parse only', parsed, twurpleAnchor, twurpleRate),
    figure('chat: Lurk parse only', parsed, loopAnchor, loopRate),
    figure('chat: Lurk parse only, each line a string of its own', parsedOwn, 'Lurk parse only, lines cut from the read chunk by split()', parsed),
    // the bus's share: it hands every subscriber the publisher's batch, so a batch costs a few promise hops
    figure('chat: InProcessBus publish alone, the same batches parsed beforehand', publishedOnly, 'Lurk parse only', parsed, 'one counting subscriber'),
  ];
}
