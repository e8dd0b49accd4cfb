// `lurk mood classify [--lexicon <file>]`: one chat message per line on stdin, one JSON object per
// line on stdout ({"label":…,"score":…}), in the same order. Streams with backpressure; an empty
// line is a neutral result (the line counts stay aligned); CRLF, invalid UTF-8 and huge lines are
// read without crashing. Starts nothing else: no Lurk, no simulator, no database.
import type { Readable, Writable } from 'node:stream';
import type { Classifier } from '../mood/classifier/index.js';

/** a longer line is classified by its first MAX_LINE characters (the rest is read and dropped) */
export const MAX_LINE = 64 * 1024;

function resultLine(c: Classifier, line: string): string {
  const { label, score } = c.classify(line.endsWith('\r') ? line.slice(0, -1) : line);
  const rounded = Math.round(score * 1000) / 1000;
  return `{"label":"${label}","score":${rounded === 0 ? 0 : rounded}}\n`;
}

/** Classifies `input` line by line onto `output`; resolves when the input ends (or the output closed). */
export async function moodClassify(classifier: Classifier, input: Readable, output: Writable): Promise<void> {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let pending = '';
  /** the current line passed MAX_LINE: its remainder is dropped up to the next newline */
  let overflow = false;
  let closed = false;
  output.on('error', () => {
    closed = true;
  });
  const write = async (text: string) => {
    if (text === '' || closed) return;
    if (!output.write(text))
      await new Promise<void>((resolve) => {
        const done = () => {
          output.off('drain', done);
          output.off('close', done);
          resolve();
        };
        output.on('drain', done);
        output.on('close', done);
      });
  };
  const take = (text: string): string => {
    let out = '';
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      if (nl < 0) break;
      if (!overflow) pending += text.slice(from, nl);
      out += resultLine(classifier, pending.length > MAX_LINE ? pending.slice(0, MAX_LINE) : pending);
      pending = '';
      overflow = false;
      from = nl + 1;
    }
    if (!overflow) {
      pending += text.slice(from);
      if (pending.length > MAX_LINE) {
        pending = pending.slice(0, MAX_LINE);
        overflow = true;
      }
    }
    return out;
  };
  for await (const chunk of input) {
    if (closed) break;
    await write(take(decoder.decode(chunk as Uint8Array, { stream: true })));
  }
  let tail = take(decoder.decode());
  if (pending !== '' || overflow) tail += resultLine(classifier, pending);
  await write(tail);
}
