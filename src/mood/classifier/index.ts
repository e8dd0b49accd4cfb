// Placeholder until the lexicon classifier lands (issue #12): a handful of words, so the rest of
// Mood can be built and tested against the contract. Replaced, not extended.
import type { Classification, Classifier, EmoteSpan, MoodLabel } from './types.js';

export type { Classification, Classifier, EmoteSpan, MoodLabel } from './types.js';

const WORDS: Record<string, number> = {
  pogchamp: 0.8,
  pog: 0.8,
  kekw: 0.5,
  lul: 0.5,
  love: 0.7,
  gg: 0.6,
  w: 0.6,
  l: -0.6,
  biblethump: -0.6,
  residentsleeper: -0.6,
  notlikethis: -0.6,
  bad: -0.6,
  boring: -0.6,
};
const NONE: readonly string[] = Object.freeze([]);

export interface ClassifierOptions {
  /** a user lexicon file (LURK_MOOD_LEXICON) */
  lexiconFile?: string;
}

export function createClassifier(_options: ClassifierOptions = {}): Classifier {
  return {
    version: 'placeholder',
    classify(text: string, emotes?: readonly EmoteSpan[]): Classification {
      let sum = 0;
      for (const word of text.toLowerCase().split(/\s+/)) sum += WORDS[word] ?? 0;
      const score = Math.max(-1, Math.min(1, sum));
      const label: MoodLabel = score > 0.2 ? 'positive' : score < -0.2 ? 'negative' : 'neutral';
      const names = emotes && emotes.length > 0 ? [...new Set(emotes.map((e) => text.slice(e.start, e.end)))] : NONE;
      return { label, score, emotes: names };
    },
  };
}
