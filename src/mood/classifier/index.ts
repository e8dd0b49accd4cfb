// Lurk's chat-sentiment classifier (README, "Mood" → "Classifier"): a lexicon of words, chat slang,
// Twitch / BTTV / FFZ / 7TV emotes and emoji (lexicon.txt, Lurk's own), with negation, intensifiers,
// "but", laughter, sarcasm, repetition and elongation read in one pass over the message.
import { ConfigError } from '../../config/load.js';
import { foldTerm, type Lexicon, LexiconError, type LexiconEntry, readLexicon } from './lexicon.js';
import { Scanner } from './scan.js';
import { compile } from './table.js';
import type { Classification, Classifier, EmoteSpan } from './types.js';

export type { Classification, Classifier, EmoteSpan, MoodLabel } from './types.js';
export { LABEL_AT } from './scan.js';

/** Lurk's own lexicon, found beside this file in the source tree */
export const LURK_LEXICON = new URL('./lexicon.txt', import.meta.url);

export interface ClassifierOptions {
  /** a user lexicon file (LURK_MOOD_LEXICON) whose entries add to or override Lurk's own */
  lexiconFile?: string;
  /** the setting or flag that named lexiconFile, for error messages (default LURK_MOOD_LEXICON) */
  lexiconSetting?: string;
}

let own: Lexicon | undefined;

function ownLexicon(): Lexicon {
  if (own) return own;
  try {
    own = readLexicon(LURK_LEXICON);
  } catch (err) {
    throw new Error(`Lurk's own lexicon ${LURK_LEXICON.pathname}: ${(err as Error).message}`);
  }
  if (!own.version) throw new Error(`Lurk's own lexicon ${LURK_LEXICON.pathname} has no version line`);
  return own;
}

function identity(e: LexiconEntry): string {
  return e.form === 'word' ? `w ${foldTerm(e.term)}` : e.form === 'suffix' ? `s ${e.term}` : `x ${e.term.replace(/\uFE0F/g, '')}`;
}

/**
 * Builds a classifier from Lurk's lexicon and the user's (when given). A user lexicon that cannot
 * be read or has a bad line is a ConfigError naming the setting, the file, the line and the problem.
 */
export function createClassifier(options: ClassifierOptions = {}): Classifier {
  const base = ownLexicon();
  const merged = new Map<string, LexiconEntry>();
  for (const e of base.entries) merged.set(identity(e), e);
  let version = base.version!;
  if (options.lexiconFile !== undefined) {
    let user: Lexicon;
    try {
      user = readLexicon(options.lexiconFile);
    } catch (err) {
      if (!(err instanceof LexiconError)) throw err;
      throw new ConfigError([{ name: options.lexiconSetting ?? 'LURK_MOOD_LEXICON', message: `${options.lexiconFile}${err.line === undefined ? ' ' : ': '}${err.message}` }]);
    }
    for (const e of user.entries) merged.set(identity(e), e);
    if (user.entries.length > 0) version += '+user';
  }
  const scanner = new Scanner(compile([...merged.values()], foldTerm));
  return {
    version,
    classify(text: string, emotes?: readonly EmoteSpan[]): Classification {
      return scanner.classify(text, emotes);
    },
  };
}
