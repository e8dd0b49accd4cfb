// The benchmark's scoring (bench/support/mood-eval.ts) on small examples worked out by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluate } from '../../bench/support/mood-eval.js';
import type { MoodLabel } from '../../src/mood/classifier/types.js';

const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual}, expected ${expected}`);

test('six messages: the confusion matrix, accuracy, per-label precision/recall/F1 and macro-F1', () => {
  const truth: MoodLabel[] = ['positive', 'positive', 'positive', 'neutral', 'neutral', 'negative'];
  const predicted: MoodLabel[] = ['positive', 'positive', 'neutral', 'neutral', 'negative', 'negative'];
  const e = evaluate(truth, predicted);
  assert.deepEqual(e.confusion, [
    [2, 1, 0],
    [0, 1, 1],
    [0, 0, 1],
  ]);
  assert.equal(e.messages, 6);
  close(e.accuracy, 4 / 6, 'accuracy');
  // positive: 2 of the 2 given are right, 2 of the 3 found
  close(e.perLabel.positive.precision, 1, 'positive precision');
  close(e.perLabel.positive.recall, 2 / 3, 'positive recall');
  close(e.perLabel.positive.f1, 0.8, 'positive F1');
  // neutral: 1 of 2 given, 1 of 2 found
  close(e.perLabel.neutral.precision, 0.5, 'neutral precision');
  close(e.perLabel.neutral.recall, 0.5, 'neutral recall');
  close(e.perLabel.neutral.f1, 0.5, 'neutral F1');
  // negative: 1 of 2 given, 1 of 1 found
  close(e.perLabel.negative.precision, 0.5, 'negative precision');
  close(e.perLabel.negative.recall, 1, 'negative recall');
  close(e.perLabel.negative.f1, 2 / 3, 'negative F1');
  assert.deepEqual([e.perLabel.positive.support, e.perLabel.neutral.support, e.perLabel.negative.support], [3, 2, 1]);
  close(e.macroF1, (0.8 + 0.5 + 2 / 3) / 3, 'macro-F1');
});

test('a label never given has precision 0 (not NaN), and one absent from both sides still counts in the macro mean', () => {
  const e = evaluate(['positive', 'negative'], ['positive', 'positive']);
  close(e.perLabel.positive.precision, 0.5, 'positive precision');
  close(e.perLabel.positive.recall, 1, 'positive recall');
  close(e.perLabel.positive.f1, 2 / 3, 'positive F1');
  assert.deepEqual(e.perLabel.negative, { precision: 0, recall: 0, f1: 0, support: 1 });
  assert.deepEqual(e.perLabel.neutral, { precision: 0, recall: 0, f1: 0, support: 0 });
  close(e.accuracy, 0.5, 'accuracy');
  close(e.macroF1, 2 / 9, 'macro-F1');
});

test('every message right: accuracy and macro-F1 are 1', () => {
  const labels: MoodLabel[] = ['negative', 'neutral', 'positive', 'neutral'];
  const e = evaluate(labels, labels);
  assert.equal(e.accuracy, 1);
  assert.equal(e.macroF1, 1);
});

test('lists of different lengths, or none at all, are refused', () => {
  assert.throws(() => evaluate(['positive'], []), /1 true labels but 0 predicted/);
  assert.throws(() => evaluate([], []), /nothing to evaluate/);
});
