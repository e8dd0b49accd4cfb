// Lurk's classifier and the two lexicon anchors scored on the same labelled messages.
import type { Classifier } from '../../src/mood/classifier/types.js';
import { afinnLabel, vaderLabel } from './mood-anchors.js';
import type { LabelledMessage } from './mood-data.js';
import { type Evaluation, evaluate } from './mood-eval.js';

export interface Scores {
  lurk: Evaluation;
  vader: Evaluation;
  afinn: Evaluation;
}

/** `withEmotes`: Lurk gets the emotes tag's spans (IRC chat); otherwise it recognises emote names in plain text */
export function scoreAll(messages: readonly LabelledMessage[], classifier: Classifier, withEmotes: boolean): Scores {
  const truth = messages.map((m) => m.label);
  return {
    lurk: evaluate(
      truth,
      messages.map((m) => (withEmotes ? classifier.classify(m.text, m.emotes ?? []) : classifier.classify(m.text)).label),
    ),
    vader: evaluate(
      truth,
      messages.map((m) => vaderLabel(m.text)),
    ),
    afinn: evaluate(
      truth,
      messages.map((m) => afinnLabel(m.text)),
    ),
  };
}
