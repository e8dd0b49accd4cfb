// The loops Mood's throughput figures time, each over the same recorded PRIVMSG lines: Lurk end to
// end (parse, classify with the tag's emotes, count in the live windows, a tick every simulated
// second), Lurk's classifier alone, and the anchors: tmi.js's parser, VADER and AFINN.
import type { Classifier, EmoteSpan } from '../../src/mood/classifier/types.js';
import { createMoodEngine } from '../../src/mood/windows.js';
import { parseChatLine } from '../../src/twitch/chat/parser.js';
import { afinnScore, vaderCompound } from './mood-anchors.js';
import { tmi } from './tmi-parser.js';

/** the PRIVMSG lines of a recorded corpus, and what the end-to-end loop needs to know of them */
export interface MessageCorpus {
  /** raw lines, each a string of its own (as the pool's LineSplitter hands them over) */
  lines: string[];
  /** the same messages parsed once, for the loops that time a classifier alone */
  texts: { text: string; emotes: EmoteSpan[] }[];
  /** the channels the lines come from, tracked before the first message */
  channels: string[];
  /** the first message's send time (simulated), ms */
  startAt: number;
  /** simulated seconds the corpus spans */
  seconds: number;
  /** messages with at least one emote in their tag */
  withEmotes: number;
}

export function messageCorpus(recorded: readonly string[]): MessageCorpus {
  const lines: string[] = [];
  const texts: MessageCorpus['texts'] = [];
  const channels = new Set<string>();
  let startAt = Number.POSITIVE_INFINITY;
  let endAt = Number.NEGATIVE_INFINITY;
  let withEmotes = 0;
  for (const l of recorded) {
    const p = parseChatLine(l, 0);
    if (p.kind !== 'message') continue;
    // a string of its own, not a slice of the read it was cut from
    lines.push(Buffer.from(l, 'utf8').toString('utf8'));
    texts.push({ text: p.event.text, emotes: p.event.emotes });
    channels.add(p.event.channel);
    startAt = Math.min(startAt, p.event.sentAt);
    endAt = Math.max(endAt, p.event.sentAt);
    if (p.event.emotes.length > 0) withEmotes++;
  }
  if (lines.length === 0) throw new Error('the recording holds no PRIVMSG line');
  return { lines, texts, channels: [...channels], startAt, seconds: (endAt - startAt) / 1000, withEmotes };
}

/** what each loop computed goes here, so none of its work is unused */
export const sink = { value: 0 };

/**
 * Lurk's path for one pass over the corpus: a fresh engine tracking the corpus's channels, each
 * line parsed, classified with its tag's emotes and counted, and a tick each time the messages'
 * send times cross a simulated second (ticks close minutes and look for moments). `ticks: false`
 * leaves the ticks out, for their share: the corpus is sparse (a few dozen messages a simulated
 * second), so a tick per second weighs more here than in a busy Lurk.
 */
export function endToEnd(corpus: MessageCorpus, classifier: Classifier, ticks = true): number {
  const engine = createMoodEngine();
  for (const c of corpus.channels) engine.track(c, corpus.startAt);
  let nextTick = corpus.startAt + 1000;
  const receivedAt = Date.now();
  for (const line of corpus.lines) {
    const p = parseChatLine(line, receivedAt);
    if (p.kind !== 'message') continue;
    const m = p.event;
    while (ticks && m.sentAt >= nextTick) {
      sink.value += engine.tick(nextTick).minutes.length;
      nextTick += 1000;
    }
    const c = classifier.classify(m.text, m.emotes);
    engine.message(m.channel, { id: m.id, at: m.sentAt, user: m.user, text: m.text, label: c.label, score: c.score, emotes: c.emotes, bits: m.bits });
  }
  sink.value += engine.tick(nextTick).minutes.length;
  return corpus.lines.length;
}

export function lurkClassify(corpus: MessageCorpus, classifier: Classifier): number {
  for (const { text, emotes } of corpus.texts) sink.value += classifier.classify(text, emotes).score;
  return corpus.texts.length;
}

/** VADER runs about 40 times slower than Lurk's classifier: its passes take the first 10,000 messages, so a round stays in seconds */
export const VADER_MESSAGES = 10_000;

export function vaderClassify(corpus: MessageCorpus): number {
  const texts = corpus.texts.length > VADER_MESSAGES ? corpus.texts.slice(0, VADER_MESSAGES) : corpus.texts;
  for (const { text } of texts) sink.value += vaderCompound(text);
  return texts.length;
}

export function afinnClassify(corpus: MessageCorpus): number {
  for (const { text } of corpus.texts) sink.value += afinnScore(text);
  return corpus.texts.length;
}

/** tmi.js's parser as its client runs it on every line: msg() and the badges/badge-info/emotes pass */
export function tmiParse(corpus: MessageCorpus): number {
  for (const l of corpus.lines) {
    const m = tmi.msg(l);
    if (m) sink.value += Object.keys(tmi.badges(tmi.badgeInfo(tmi.emotes(m.tags)))).length;
  }
  return corpus.lines.length;
}

/** Lurk's parser alone, for the share of the end-to-end time it takes */
export function lurkParse(corpus: MessageCorpus): number {
  const at = Date.now();
  for (const l of corpus.lines) if (parseChatLine(l, at).kind === 'message') sink.value++;
  return corpus.lines.length;
}

/** messages per second of `work` (which says how many it took): whole passes until 200 ms have gone */
export function rate(work: () => number): Promise<number> {
  let done = 0;
  const t0 = performance.now();
  do done += work();
  while (performance.now() - t0 < 200);
  return Promise.resolve(done / ((performance.now() - t0) / 1000));
}
