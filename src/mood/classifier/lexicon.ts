// The lexicon's plain-text format (README, "Mood" → "Classifier"), read from Lurk's own file and
// from a user's (LURK_MOOD_LEXICON). One entry a line: `term value [kind]`; `#` starts a comment;
// a phrase is quoted ("sure buddy"); `version <text>` names the file's version.
import { readFileSync } from 'node:fs';

/** how a term is found in a message */
export type Form = 'word' | 'emote' | 'emoji' | 'suffix';
/** what a found term does to the score */
export type Role = 'sentiment' | 'laugh' | 'negator' | 'intensifier' | 'sarcasm' | 'contrast' | 'question';

export interface LexiconEntry {
  term: string;
  value: number;
  form: Form;
  role: Role;
  /** 1-based, for messages */
  line: number;
}

export interface Lexicon {
  version: string | undefined;
  entries: LexiconEntry[];
}

/** the scanner looks this many words ahead */
export const MAX_PHRASE_WORDS = 5;
const FORMS: readonly Form[] = ['word', 'emote', 'emoji', 'suffix'];
const ROLES: readonly Role[] = ['sentiment', 'laugh', 'negator', 'intensifier', 'sarcasm', 'contrast', 'question'];
export const KINDS_HELP = 'word, emote, emoji, suffix, laugh, negator, intensifier, sarcasm, contrast, question, or form:role such as emote:laugh';

export class LexiconError extends Error {
  constructor(
    readonly line: number | undefined,
    readonly problem: string,
  ) {
    super(line === undefined ? problem : `line ${line}: ${problem}`);
    this.name = 'LexiconError';
  }
}

/** `kind` as written: a form, a role (a word with that role) or `form:role` */
function parseKind(kind: string | undefined, line: number): { form: Form; role: Role } {
  if (kind === undefined) return { form: 'word', role: 'sentiment' };
  const [a, b, extra] = kind.toLowerCase().split(':');
  if (extra === undefined && b !== undefined && FORMS.includes(a as Form) && ROLES.includes(b as Role)) return { form: a as Form, role: b as Role };
  if (b === undefined && FORMS.includes(a as Form)) return { form: a as Form, role: 'sentiment' };
  if (b === undefined && ROLES.includes(a as Role)) return { form: 'word', role: a as Role };
  throw new LexiconError(line, `unknown kind ${JSON.stringify(kind)} (expected ${KINDS_HELP})`);
}

/** the fields of one line: a quoted phrase or a bare term, then the rest split on white space */
function fields(text: string, line: number): string[] {
  let rest = text;
  const out: string[] = [];
  if (rest.startsWith('"')) {
    const close = rest.indexOf('"', 1);
    if (close < 0) throw new LexiconError(line, 'the quoted phrase has no closing "');
    const phrase = rest.slice(1, close).trim().split(/\s+/).join(' ');
    if (phrase === '') throw new LexiconError(line, 'the quoted phrase is empty');
    out.push(phrase);
    rest = rest.slice(close + 1);
    if (rest !== '' && !/^\s/.test(rest)) throw new LexiconError(line, 'expected white space after the quoted phrase');
  }
  // a comment starts at a `#` after white space (a term may contain #, e.g. a hashtag, only at its start)
  const hash = rest.search(/\s#/);
  if (hash >= 0) rest = rest.slice(0, hash);
  out.push(...rest.split(/\s+/).filter((f) => f !== ''));
  return out;
}

const EMOJI = /^\p{Extended_Pictographic}\uFE0F?$/u;

function checkTerm(term: string, form: Form, role: Role, line: number): void {
  if (form === 'emoji' && !EMOJI.test(term)) throw new LexiconError(line, `${JSON.stringify(term)} is not one emoji (an emoji entry is a single emoji; sequences are read by their first emoji)`);
  if (term.includes(' ')) {
    if (form !== 'word') throw new LexiconError(line, `a phrase is a word entry, not ${form}`);
    if (role === 'negator' || role === 'contrast' || role === 'question') throw new LexiconError(line, `a phrase cannot be a ${role}`);
    if (term.split(' ').length > MAX_PHRASE_WORDS) throw new LexiconError(line, `a phrase has at most ${MAX_PHRASE_WORDS} words`);
  }
  if (form === 'suffix' && !/^[A-Z0-9]/.test(term))
    throw new LexiconError(line, `suffix ${JSON.stringify(term)} must start with an upper-case letter or a digit (as after a channel's lower-case prefix: xqc + L)`);
}

/** Parses a lexicon file's text; the first problem is thrown as a LexiconError naming its line. */
export function parseLexicon(text: string): Lexicon {
  let version: string | undefined;
  const entries: LexiconEntry[] = [];
  const seen = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const raw = lines[i]!.trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const f = fields(raw, line);
    if (f.length === 0) continue;
    // `version 3` is the version line; a term spelled "version" gives its kind: `version 0 word`
    if (f[0] === 'version' && f.length === 2) {
      if (version !== undefined) throw new LexiconError(line, 'a second version line');
      version = f[1];
      continue;
    }
    if (f.length < 2) throw new LexiconError(line, `${JSON.stringify(f[0])} has no value (expected: term value [kind])`);
    if (f.length > 3) throw new LexiconError(line, `too many fields (expected: term value [kind]; quote a phrase: "sure buddy" -0.4 sarcasm)`);
    const [term, valueText, kind] = f as [string, string, string | undefined];
    const value = Number(valueText);
    if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(valueText) || !(value >= -1 && value <= 1)) throw new LexiconError(line, `value ${JSON.stringify(valueText)} is not a number from -1 to 1`);
    const { form, role } = parseKind(kind, line);
    checkTerm(term, form, role, line);
    if (role === 'contrast' && value < 0) throw new LexiconError(line, 'a contrast value is the weight of the clause before it, from 0 to 1');
    if (role === 'question' && (value < 0 || form !== 'word')) throw new LexiconError(line, 'a question word is a word whose value, from 0 to 1, is what its clause loses');
    const identity = `${form === 'word' ? 'word' : form === 'suffix' ? 'suffix' : 'exact'}\u0000${form === 'word' ? foldTerm(term) : term.replace(/\uFE0F/g, '')}`;
    const earlier = seen.get(identity);
    if (earlier !== undefined) throw new LexiconError(line, `${JSON.stringify(term)} is already defined on line ${earlier}`);
    seen.set(identity, line);
    entries.push({ term, value, form, role, line });
  }
  return { version, entries };
}

/** how words are compared: ASCII and Latin-1 letters lower-cased, apostrophes dropped (don't = dont) */
export function foldTerm(term: string): string {
  let out = '';
  for (let i = 0; i < term.length; i++) {
    const c = foldCode(term.charCodeAt(i));
    if (c >= 0) out += String.fromCharCode(c);
  }
  return out;
}

/** a code unit as words compare it, or -1 for one that is skipped (apostrophes, the emoji variation selector) */
export function foldCode(c: number): number {
  if (c >= 65 && c <= 90) return c + 32;
  if (c === 39 || c === 0x2019 || c === 0xfe0f) return -1;
  if (c >= 0xc0 && c <= 0xde && c !== 0xd7) return c + 32;
  return c;
}

/** Reads a lexicon file; an unreadable file or a bad line is a LexiconError naming the problem. */
export function readLexicon(file: string | URL): Lexicon {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new LexiconError(undefined, `cannot be read (${e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'it is a directory' : e.code === 'EACCES' ? 'permission denied' : e.message})`);
  }
  if (text.includes('\u0000')) throw new LexiconError(undefined, 'is not a text file');
  return parseLexicon(text);
}
