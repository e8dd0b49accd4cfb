// How well a sentiment classifier's labels match the truth: accuracy, macro-F1, per-label
// precision and recall, and the confusion matrix. Mood's benchmark and its accuracy guard
// score Lurk, VADER and AFINN with it on the same messages.
import type { MoodLabel } from '../../src/mood/classifier/types.js';

/** the order of the confusion matrix's rows and columns */
export const LABELS: readonly MoodLabel[] = ['positive', 'neutral', 'negative'];

export interface LabelScores {
  /** of the messages given this label, the share that had it; 0 when none was given it */
  precision: number;
  /** of the messages that had this label, the share given it; 0 when none had it */
  recall: number;
  /** harmonic mean of the two; 0 when both are 0 */
  f1: number;
  /** messages that had this label */
  support: number;
}

export interface Evaluation {
  messages: number;
  accuracy: number;
  /** the unweighted mean of the three labels' F1, so a rare label counts as much as a common one */
  macroF1: number;
  perLabel: Record<MoodLabel, LabelScores>;
  /** confusion[truth][predicted], both in LABELS order */
  confusion: number[][];
}

const INDEX: Record<MoodLabel, number> = { positive: 0, neutral: 1, negative: 2 };

export function evaluate(truth: readonly MoodLabel[], predicted: readonly MoodLabel[]): Evaluation {
  if (truth.length !== predicted.length) throw new Error(`${truth.length} true labels but ${predicted.length} predicted`);
  if (truth.length === 0) throw new Error('nothing to evaluate');
  const confusion = LABELS.map(() => LABELS.map(() => 0));
  for (const [i, t] of truth.entries()) confusion[INDEX[t]]![INDEX[predicted[i]!]]!++;
  let correct = 0;
  const perLabel = {} as Record<MoodLabel, LabelScores>;
  for (const [k, label] of LABELS.entries()) {
    const hits = confusion[k]![k]!;
    correct += hits;
    const support = confusion[k]!.reduce((a, b) => a + b, 0);
    const given = confusion.reduce((a, row) => a + row[k]!, 0);
    const precision = given === 0 ? 0 : hits / given;
    const recall = support === 0 ? 0 : hits / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    perLabel[label] = { precision, recall, f1, support };
  }
  const macroF1 = LABELS.reduce((a, l) => a + perLabel[l].f1, 0) / LABELS.length;
  return { messages: truth.length, accuracy: correct / truth.length, macroF1, perLabel, confusion };
}

/** a few lines for a progress log: per-label precision/recall/F1 and the confusion matrix */
export function describeEvaluation(name: string, e: Evaluation): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const short = (l: MoodLabel) => l.slice(0, 3);
  const lines = [`${name}: accuracy ${pct(e.accuracy)}, macro-F1 ${e.macroF1.toFixed(3)} over ${e.messages} messages`];
  for (const l of LABELS) {
    const s = e.perLabel[l];
    lines.push(`  ${l.padEnd(8)} precision ${pct(s.precision).padStart(7)}  recall ${pct(s.recall).padStart(7)}  F1 ${s.f1.toFixed(3)}  (${s.support})`);
  }
  lines.push(`  confusion (rows: truth, columns: predicted ${LABELS.map(short).join('/')}):`);
  for (const [k, l] of LABELS.entries()) lines.push(`  ${short(l)} ${e.confusion[k]!.map((n) => String(n).padStart(6)).join(' ')}`);
  return lines.join('\n');
}

/** one line for a figure's note: per-label precision/recall and the confusion matrix's rows */
export function summarizeEvaluation(e: Evaluation): string {
  const r = (x: number) => x.toFixed(2);
  const labels = LABELS.map((l) => `${l} P ${r(e.perLabel[l].precision)} R ${r(e.perLabel[l].recall)}`).join(', ');
  return `${labels}; confusion (truth rows, predicted columns, ${LABELS.join('/')}) ${JSON.stringify(e.confusion)}`;
}
