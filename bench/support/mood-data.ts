// The labelled messages Mood's accuracy is measured on: the team's dev set (plain text, written
// and labelled for Lurk under bench/data/mood/) and chat from a seeded simulator world, whose
// every message carries its ground-truth label and its IRC emotes tag.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { EmoteSpan, MoodLabel } from '../../src/mood/classifier/types.js';
import { createLogger } from '../../src/core/logger.js';
import { Simulator } from '../../src/sim/simulator.js';
import { emoteOffsets } from '../../src/twitch/chat/parser.js';
import { LABELS } from './mood-eval.js';

export interface LabelledMessage {
  id: string;
  label: MoodLabel;
  text: string;
  /** the emotes tag's spans (simulator chat); absent for plain text */
  emotes?: EmoteSpan[];
}

export const DEV_SET = 'bench/data/mood/dev-set.tsv';
const HEADER = 'id\tlabel\ttext\tcontext';

/** The dev set's messages, or undefined when the file is not there. A malformed line throws, naming it. */
export function readDevSet(root: string): LabelledMessage[] | undefined {
  const file = path.join(root, DEV_SET);
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  if (lines[0] !== HEADER) throw new Error(`${DEV_SET}: the first line must be ${JSON.stringify(HEADER)}`);
  const messages: LabelledMessage[] = [];
  for (const [i, line] of lines.entries()) {
    if (i === 0 || line === '') continue;
    const [id, label, text] = line.split('\t');
    if (!id || !text || !LABELS.includes(label as MoodLabel)) throw new Error(`${DEV_SET}:${i + 1}: want id, label (${LABELS.join('/')}), text and context, got ${JSON.stringify(line)}`);
    messages.push({ id, label: label as MoodLabel, text });
  }
  return messages;
}

/**
 * `count` chat messages of a seeded world stepped in memory (no sockets), in the order it made
 * them, each with its label and its emotes tag's spans as Lurk's parser reads them off the wire.
 */
export function simulatorChat(count: number, seed = 11): LabelledMessage[] {
  const startMs = Date.UTC(2026, 10, 22, 18);
  const sim = new Simulator({ seed, channels: 400, live: 100, viewersPerLive: 300, speed: 0, port: 0, ircPort: null, ircWsPort: null, startMs, log: createLogger('warn') });
  const messages: LabelledMessage[] = [];
  const off = sim.world.onChat((m) => {
    if (messages.length < count) messages.push({ id: m.id, label: m.sentiment, text: m.text, emotes: emoteOffsets(m.emotes, m.text) });
  });
  try {
    // channels drift through hype, boring and loss episodes: spread the sample over a simulated hour or more
    for (let t = startMs; messages.length < count; t += 1000) sim.world.advanceTo(t + 1000);
  } finally {
    off();
  }
  return messages;
}
