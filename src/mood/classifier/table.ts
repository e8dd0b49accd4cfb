// The lexicon compiled for the scanner: hash tables looked up straight from a message's char
// codes (a token is never sliced into a string), in three spellings: exact (emotes, emoji and
// punctuation terms, case-sensitive), folded (words: lower-cased, apostrophes dropped) and
// collapsed (folded with letter runs squeezed, so "gooood" finds "good" and "LMAOOO" finds "lmao").
import { foldCode, type Form, type LexiconEntry, type Role } from './lexicon.js';

export const SENTIMENT = 0;
export const LAUGH = 1;
export const NEGATOR = 2;
export const INTENSIFIER = 3;
export const SARCASM = 4;
export const CONTRAST = 5;
export const QUESTION = 7;
/** a phrase's first word that is no entry itself */
export const HEAD = 6;

const ROLE_CODE: Record<Role, number> = { sentiment: SENTIMENT, laugh: LAUGH, negator: NEGATOR, intensifier: INTENSIFIER, sarcasm: SARCASM, contrast: CONTRAST, question: QUESTION };

export class Entry {
  /** the message it was last seen in, and how often there (a repeated token counts once) */
  stamp = 0;
  count = 0;
  /** longest first; each phrase's words after this one, folded */
  phrases: Phrase[] | null = null;
  /** a bit per phrase's second word (its hash's low 5 bits): a word ahead with no bit set starts none */
  nextBits = 0;
  constructor(
    /** the key as stored in its table */
    readonly key: string,
    readonly role: number,
    readonly value: number,
    /** the name counted in a message's emotes (emotes and emoji), else null */
    readonly name: string | null,
  ) {}
}

export interface Phrase {
  words: string[];
  /** each word's hash folded and squeezed (hashOf(collapseKey(word))): a word ahead is compared letter by letter only when its hash is the same */
  hashes: Int32Array;
  entry: Entry;
}

export const FNV_OFFSET = 0x811c9dc5 | 0;
export const FNV_PRIME = 0x01000193;

export function exactKey(term: string): string {
  return term.replace(/\uFE0F/g, '');
}

export function collapseKey(folded: string): string {
  let out = '';
  for (let i = 0; i < folded.length; i++) if (i === 0 || folded[i] !== folded[i - 1]) out += folded[i];
  return out;
}

/**
 * Every table hashes its keys folded, the exact ones too (compared exactly after): a message's
 * token is hashed once, in one spelling, whichever table it is looked up in.
 */
function hashOf(key: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < key.length; i++) {
    const c = foldCode(key.charCodeAt(i));
    if (c >= 0) h = Math.imul(h ^ c, FNV_PRIME);
  }
  return h | 0;
}

/** chained hash table: `heads[hash & mask]` is the first node, `next` links nodes */
export class Table {
  private heads: Int32Array;
  private next: Int32Array;
  /** each node's full hash: a bucket's other keys are passed over without comparing letters */
  private hashes: Int32Array;
  private mask: number;
  readonly entries: Entry[] = [];
  readonly keys: string[] = [];

  constructor(capacity: number) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.heads = new Int32Array(size).fill(-1);
    this.next = new Int32Array(Math.max(capacity, 1)).fill(-1);
    this.hashes = new Int32Array(Math.max(capacity, 1));
    this.mask = size - 1;
  }

  add(key: string, entry: Entry): void {
    const node = this.entries.length;
    if (node >= this.next.length) {
      const grown = new Int32Array(this.next.length * 2).fill(-1);
      grown.set(this.next);
      this.next = grown;
      const hashes = new Int32Array(this.hashes.length * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
    }
    const hash = hashOf(key);
    const slot = hash & this.mask;
    this.hashes[node] = hash;
    this.entries.push(entry);
    this.keys.push(key);
    this.next[node] = this.heads[slot]!;
    this.heads[slot] = node;
  }

  /** the entry stored under exactly `key` */
  get(key: string): Entry | undefined {
    for (let node = this.heads[hashOf(key) & this.mask]!; node >= 0; node = this.next[node]!) if (this.keys[node] === key) return this.entries[node];
    return undefined;
  }

  /** text[start, end) as written (variation selectors skipped); `hash` is its folded hash */
  exact(text: string, start: number, end: number, hash: number): Entry | undefined {
    return this.find(text, start, end, hash, false);
  }

  /** text[start, end) folded */
  folded(text: string, start: number, end: number, hash: number): Entry | undefined {
    return this.find(text, start, end, hash, true);
  }

  private find(text: string, start: number, end: number, hash: number, fold: boolean): Entry | undefined {
    for (let node = this.heads[hash & this.mask]!; node >= 0; node = this.next[node]!) {
      if (this.hashes[node] === hash && sameText(text, start, end, this.keys[node]!, fold)) return this.entries[node];
    }
    return undefined;
  }

  /**
   * text[start, end) folded and squeezed: among the keys it could be an elongation of (each run
   * at least as long as the key's), the longest. `elongated` says the text had extra letters.
   */
  collapsed(text: string, start: number, end: number, hash: number): Entry | undefined {
    let best: Entry | undefined;
    let bestLength = -1;
    for (let node = this.heads[hash & this.mask]!; node >= 0; node = this.next[node]!) {
      if (this.hashes[node] !== hash) continue;
      const key = this.entries[node]!.key;
      if (key.length > bestLength && runsCover(text, start, end, key)) {
        best = this.entries[node];
        bestLength = key.length;
      }
    }
    return best;
  }
}

/** whether text[start, end), folded or as written, is `key` (variation selectors and, folded, apostrophes skipped) */
function sameText(text: string, start: number, end: number, key: string, fold: boolean): boolean {
  let k = 0;
  for (let i = start; i < end; i++) {
    let c = text.charCodeAt(i);
    if (fold ? c < 97 || c > 122 : c === 0xfe0f) {
      c = fold ? foldCode(c) : -1;
      if (c < 0) continue;
    }
    if (k >= key.length || key.charCodeAt(k) !== c) return false;
    k++;
  }
  return k === key.length;
}

/** whether text[start, end) folded has the runs of `key`, each at least as long */
export function runsCover(text: string, start: number, end: number, key: string): boolean {
  let k = 0;
  let i = start;
  while (i < end) {
    const c = foldCode(text.charCodeAt(i));
    if (c < 0) {
      i++;
      continue;
    }
    let run = 0;
    while (i < end) {
      const d = foldCode(text.charCodeAt(i));
      if (d === c) run++;
      else if (d >= 0) break;
      i++;
    }
    if (k >= key.length || key.charCodeAt(k) !== c) return false;
    let keyRun = 0;
    while (k < key.length && key.charCodeAt(k) === c) {
      keyRun++;
      k++;
    }
    if (run < keyRun) return false;
  }
  return k === key.length;
}

export interface Compiled {
  exact: Table;
  folded: Table;
  collapsed: Table;
  suffixExact: Table;
  suffixFolded: Table;
}

/** Builds the tables from the merged entries (a later entry with the same key replaced an earlier one). */
export function compile(entries: readonly LexiconEntry[], fold: (term: string) => string): Compiled {
  const n = entries.length + 16;
  const t: Compiled = { exact: new Table(n), folded: new Table(n), collapsed: new Table(n), suffixExact: new Table(n), suffixFolded: new Table(n) };
  const emotes: LexiconEntry[] = [];
  const phrases: LexiconEntry[] = [];
  for (const e of entries) {
    const role = ROLE_CODE[e.role];
    if (e.form === 'word' && e.term.includes(' ')) phrases.push(e);
    else if (e.form === 'word') addWord(t, fold(e.term), new Entry(fold(e.term), role, e.value, null));
    else if (e.form === 'suffix') {
      const entry = new Entry(e.term, role, e.value, null);
      t.suffixExact.add(e.term, entry);
      if (!t.suffixFolded.get(fold(e.term))) t.suffixFolded.add(fold(e.term), entry);
    } else {
      t.exact.add(exactKey(e.term), new Entry(exactKey(e.term), role, e.value, e.term));
      if (e.form === 'emote') emotes.push(e);
    }
  }
  // an emote typed in lower case ("catjam", "pepehands") still reads as the emote, though it is not
  // counted as one; not a Title-case or ALL-CAPS one, whose lower case is mostly a word (Stare, WHAT)
  for (const e of emotes) {
    if (/^[A-Z][a-z]*$|^[A-Z]+$/.test(e.term)) continue;
    const key = fold(e.term);
    if (key !== '' && !t.folded.get(key)) addWord(t, key, new Entry(key, ROLE_CODE[e.role], e.value, null));
  }
  for (const e of phrases) {
    const [head, ...rest] = e.term.split(' ').map(fold);
    let entry = t.folded.get(head!);
    if (!entry) {
      entry = new Entry(head!, HEAD, 0, null);
      addWord(t, head!, entry);
    }
    entry.phrases ??= [];
    entry.phrases.push({ words: rest, hashes: Int32Array.from(rest, (w) => hashOf(collapseKey(w))), entry: new Entry(fold(e.term), ROLE_CODE[e.role], e.value, null) });
    entry.phrases.sort((a, b) => b.words.length - a.words.length);
    entry.nextBits |= 1 << (hashOf(collapseKey(rest[0]!)) & 31);
  }
  return t;
}

function addWord(t: Compiled, key: string, entry: Entry): void {
  t.folded.add(key, entry);
  t.collapsed.add(collapseKey(key), entry);
}

export type { Form };
