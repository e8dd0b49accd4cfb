// The classifier's contract (README, "Mood"): one chat message in, a label and a score out.
// Types only: the Mood service, `lurk mood classify` and the benchmarks share them.

export type MoodLabel = 'positive' | 'neutral' | 'negative';

/** a Twitch emote placed by the IRC `emotes` tag: UTF-16 offsets into the text, `end` one past the last unit */
export interface EmoteSpan {
  readonly id: string;
  readonly start: number;
  readonly end: number;
}

export interface Classification {
  label: MoodLabel;
  /** -1 (most negative) to 1 (most positive); 0 is neutral */
  score: number;
  /**
   * the emotes the message used, each name once (Twitch emotes from the tag, third-party emotes
   * and emoji by name), for the windows' top emotes; shared and frozen when empty
   */
  emotes: readonly string[];
}

export interface Classifier {
  /** the lexicon's version (Lurk's own, plus `+user` when LURK_MOOD_LEXICON adds entries) */
  readonly version: string;
  /**
   * Classifies one message. `emotes` are the tag's exact positions when the message came from
   * IRC; without them (plain text, `lurk mood classify`) emote names are recognised by name.
   */
  classify(text: string, emotes?: readonly EmoteSpan[]): Classification;
}
