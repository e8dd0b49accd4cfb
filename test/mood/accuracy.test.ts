// A regression guard on Lurk's classifier: on the team's dev set (plain text, emotes recognised
// by name) its macro-F1 must stay above both lexicon baselines', all three scored here on the
// same messages, so a lexicon change that makes Lurk no better than VADER or AFINN fails.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AFINN_ANCHOR, afinnLabel, VADER_ANCHOR, vaderLabel } from '../../bench/support/mood-anchors.js';
import { DEV_SET, readDevSet } from '../../bench/support/mood-data.js';
import { describeEvaluation, evaluate } from '../../bench/support/mood-eval.js';
import { createClassifier } from '../../src/mood/classifier/index.js';
import { ROOT } from '../helpers/process.js';

const devSet = readDevSet(ROOT);

test('on the dev set, Lurk’s macro-F1 is above VADER’s and AFINN’s', { skip: devSet ? false : `${DEV_SET} is absent: no dev set to score on` }, (t) => {
  const messages = devSet!;
  const truth = messages.map((m) => m.label);
  const classifier = createClassifier();
  const lurk = evaluate(
    truth,
    messages.map((m) => classifier.classify(m.text).label),
  );
  const vader = evaluate(
    truth,
    messages.map((m) => vaderLabel(m.text)),
  );
  const afinn = evaluate(
    truth,
    messages.map((m) => afinnLabel(m.text)),
  );
  // one diagnostic a line: the runner would escape the newlines of one
  for (const [name, e] of [
    [`Lurk ${classifier.version}`, lurk],
    [VADER_ANCHOR, vader],
    [AFINN_ANCHOR, afinn],
  ] as const)
    for (const line of describeEvaluation(name, e).split('\n')) t.diagnostic(line);
  assert.ok(lurk.macroF1 > vader.macroF1, `Lurk's macro-F1 ${lurk.macroF1.toFixed(3)} is not above ${VADER_ANCHOR}'s ${vader.macroF1.toFixed(3)} on ${messages.length} messages`);
  assert.ok(lurk.macroF1 > afinn.macroF1, `Lurk's macro-F1 ${lurk.macroF1.toFixed(3)} is not above ${AFINN_ANCHOR}'s ${afinn.macroF1.toFixed(3)} on ${messages.length} messages`);
});
