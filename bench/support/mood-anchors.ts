// The two lexicon classifiers Mood is measured against, as their authors document them:
// VADER (vader-sentiment 1.1.3, the JavaScript port of Hutto & Gilbert 2014) and AFINN-165
// (sentiment 5.0.2). Neither knows Twitch emotes beyond a few ASCII faces.
import { createRequire } from 'node:module';
import type { MoodLabel } from '../../src/mood/classifier/types.js';

interface VaderScores {
  neg: number;
  neu: number;
  pos: number;
  compound: number;
}
interface Vader {
  SentimentIntensityAnalyzer: { polarity_scores(text: string): VaderScores };
}
interface AfinnResult {
  score: number;
}
type AfinnConstructor = new () => { analyze(text: string): AfinnResult };

const require = createRequire(import.meta.url);
const vader = (require('vader-sentiment') as Vader).SentimentIntensityAnalyzer;
const afinn = new (require('sentiment') as AfinnConstructor)();

export const VADER_ANCHOR = 'vader-sentiment 1.1.3';
export const AFINN_ANCHOR = 'sentiment 5.0.2 (AFINN-165)';

export function vaderCompound(text: string): number {
  return vader.polarity_scores(text).compound;
}

/** VADER's documented thresholds: compound ≥ 0.05 positive, ≤ −0.05 negative */
export function vaderLabel(text: string): MoodLabel {
  const c = vaderCompound(text);
  return c >= 0.05 ? 'positive' : c <= -0.05 ? 'negative' : 'neutral';
}

export function afinnScore(text: string): number {
  return afinn.analyze(text).score;
}

/** the sign of the AFINN sum */
export function afinnLabel(text: string): MoodLabel {
  const s = afinnScore(text);
  return s > 0 ? 'positive' : s < 0 ? 'negative' : 'neutral';
}
