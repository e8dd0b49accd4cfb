// One pass over a message's char codes: tokens split on white space and around emoji, each looked
// up in the compiled tables without slicing it, its effect kept in a few numbers (clauses, laughs,
// negation scope, pending intensifier, sarcasm). The only allocations are the result and, when
// the message used emotes, their list.
import type { Classification, EmoteSpan, MoodLabel } from './types.js';
import { foldCode, MAX_PHRASE_WORDS } from './lexicon.js';
import { CONTRAST, type Compiled, Entry, FNV_OFFSET, FNV_PRIME, HEAD, INTENSIFIER, LAUGH, NEGATOR, QUESTION as ASKS, runsCover, SARCASM, SENTIMENT } from './table.js';

/** a score at or beyond ±LABEL_AT is positive / negative; the band between is neutral */
export const LABEL_AT = 0.25;
/** how many tokens after a negator it reaches (a clause's end stops it sooner) */
const NEGATION_SCOPE = 3;
/** a negated negative word ("not bad") turns mildly positive: this share of the negator's strength */
const NEGATED_NEGATIVE = 0.75;
/** a question's clause loses this much of its strength: most questions are neutral unless loaded ("why is he so bad?") */
const QUESTION = 0.45;
/** a repeated term adds this share of its value, at most REPEAT_LIMIT times */
const REPEAT = 0.1;
const REPEAT_LIMIT = 3;
const CAPS = 1.2;
const ELONGATED = 1.15;
const EXCLAMATION = 0.1;
/** a mocking phrase ("sure buddy", "yeah right") on a line with nothing to turn is disbelief: this negative */
const MOCKING = 0.4;
/** a word sarcasm at least this strong mocks on its own (a weaker one, "nice try", may be kind) */
const MOCKS_AT = -0.5;
/** a lone "???" at a play: confusion that reads as disapproval */
const BAFFLED = 0.35;
/** the longest phrase, in words after its first */
const MAX_AHEAD = MAX_PHRASE_WORDS - 1;

/** this.h's slots: the last hashed range's folded hash, ASCII letters and capitals, first '/' */
const HF = 0;
const LETTERS = 1;
const CAPITALS = 2;
const SLASH = 3;
/** whether a letter repeats (only then can a stretched spelling be looked up) */
const RUN = 4;

const NONE: readonly string[] = Object.freeze([]);
const NEUTRAL_LABEL: MoodLabel = 'neutral';

function isSeparator(c: number): boolean {
  if (c <= 32) return true;
  if (c < 0x85) return false;
  return c === 0x85 || c === 0xa0 || (c >= 0x2000 && c <= 0x200d) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x2060 || c === 0x3000 || c === 0xfeff;
}

/** the first unit of an emoji: the astral pictographs, the BMP's symbols and dingbats */
function isEmojiStart(c: number): boolean {
  if (c < 0x2300) return false;
  if (c >= 0xd83c && c <= 0xd83e) return true;
  return c <= 0x23ff || (c >= 0x2600 && c <= 0x27bf) || (c >= 0x2b00 && c <= 0x2bff) || c === 0x3030 || c === 0x303d || c === 0x3297 || c === 0x3299;
}

function isPunct(c: number): boolean {
  if (c < 127) return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || c >= 123;
  return c === 0xa1 || c === 0xbf || (c >= 0x2018 && c <= 0x201f) || c === 0x2026 || c === 0x3001 || c === 0x3002 || c === 0xff01 || c === 0xff0c || c === 0xff1f;
}

/** two letters that, alternating, make a laugh: haha, hehe, jaja, jsjs, lolol, rsrs, хаха */
const LAUGH_PAIRS = new Set(['ha', 'ah', 'he', 'eh', 'hi', 'ja', 'aj', 'je', 'js', 'sj', 'lo', 'ol', 'rs', 'sr', 'хa', 'ха', 'ах', 'хе'].map((p) => p.charCodeAt(0) * 65536 + p.charCodeAt(1)));

/** the letters a laugh can start with (the pairs' and kkkk, ㅋㅋ, ㅎㅎ, 555) */
const LAUGH_STARTS = new Set([...[...LAUGH_PAIRS].map((p) => Math.floor(p / 65536)), 107, 0x314b, 0x314e, 53]);

export class Scanner {
  private stamp = 0;
  private done = 0;
  private cur = 0;
  private laugh = 0;
  private sarcasm = 1;
  private mocked = false;
  private negScope = 0;
  private negFactor = 0;
  private boost = 1;
  private boostLife = 0;
  private exclaim = 0;
  /** the clause opened with a question word (who, is, does…): what it loses when it ends */
  private asking = 0;
  /** a token of the clause was read (a question word counts only first) */
  private started = false;
  private emotes: string[] | null = null;
  private readonly h = new Int32Array(5);
  /** the end of the last phrase matched, and whether its last word was stretched */
  private phraseEnd = 0;
  private phraseStretched = false;
  private matched: Entry | null = null;
  private readonly ahead = new Int32Array(MAX_AHEAD * 3);
  /** each word ahead's collapsed hash: most phrases are passed over on it */
  private readonly aheadHash = new Int32Array(MAX_AHEAD);
  /** what a syllable laugh (hahaha, jajaja, kkkk) counts: the lexicon's "haha" */
  private readonly syllableLaugh: Entry;

  constructor(private readonly t: Compiled) {
    this.syllableLaugh = t.folded.get('haha') ?? new Entry('haha', LAUGH, 0.4, null);
  }

  classify(text: string, spans: readonly EmoteSpan[] | undefined): Classification {
    const n = text.length;
    let pos = 0;
    while (pos < n && isSeparator(text.charCodeAt(pos))) pos++;
    // a bot command (!uptime, !sr …) says nothing about the mood
    if (pos + 1 < n && text.charCodeAt(pos) === 33 && !isPunct(text.charCodeAt(pos + 1)) && !isSeparator(text.charCodeAt(pos + 1))) return { label: NEUTRAL_LABEL, score: 0, emotes: NONE };
    this.stamp = (this.stamp + 1) | 0;
    this.done = 0;
    this.cur = 0;
    this.laugh = 0;
    this.sarcasm = 1;
    this.mocked = false;
    this.negScope = 0;
    this.boost = 1;
    this.boostLife = 0;
    this.exclaim = 0;
    this.asking = 0;
    this.started = false;
    this.emotes = null;
    const tagged = spans !== undefined && spans.length > 0;
    while (pos < n) {
      const c = text.charCodeAt(pos);
      if (isSeparator(c)) {
        pos++;
        continue;
      }
      // U+E0000 and its tag characters: the invisible suffix chat clients add to repeat a message
      if (c === 0xdb40) {
        pos = Math.min(n, pos + 2);
        continue;
      }
      if (tagged) {
        const end = this.spanAt(spans, pos, n);
        if (end > pos) {
          this.tagEmote(text, pos, end);
          pos = end;
          continue;
        }
      }
      if (isEmojiStart(c)) {
        pos = this.emoji(text, pos, n);
        continue;
      }
      const start = pos;
      pos = this.hash(text, pos, n, true);
      pos = this.word(text, start, pos, n, spans === undefined);
    }
    if (this.asking > 0 && this.exclaim === 0) this.endClause(this.asking);
    let total = this.done + this.cur;
    // sarcasm turns what the words praise; a laugh beside it is still a laugh ("LUL Kappa")
    if (this.sarcasm < 1 && total > 0) total *= this.sarcasm;
    else if (this.mocked && total <= 0.05) total -= MOCKING;
    // laughter adds to a message that is not negative; it does not rescue an insult ("trash lol")
    if (this.laugh !== 0 && (total >= -0.05 || this.laugh < 0)) total += this.laugh;
    if (this.exclaim > 0) total *= 1 + EXCLAMATION * Math.min(this.exclaim, 3);
    const score = Math.tanh(total);
    const label: MoodLabel = score >= LABEL_AT ? 'positive' : score <= -LABEL_AT ? 'negative' : 'neutral';
    return { label, score, emotes: this.emotes ?? NONE };
  }

  private spanAt(spans: readonly EmoteSpan[], pos: number, n: number): number {
    for (let i = 0; i < spans.length; i++) {
      const s = spans[i]!;
      if (s.start === pos && s.end > pos && s.end <= n) return s.end;
    }
    return -1;
  }

  private addEmote(name: string): void {
    if (this.emotes === null) this.emotes = [name];
    else if (!this.emotes.includes(name)) this.emotes.push(name);
  }

  /**
   * Hashes text from `s` (folded), with its letters, capitals, first '/' and repeated letters, into
   * this.h, up to `e` or, `toBreak`, the token's end (white space, an emoji); returns where it stopped.
   */
  private hash(text: string, s: number, e: number, toBreak: boolean): number {
    let hf = FNV_OFFSET;
    let last = -1;
    let letters = 0;
    let capitals = 0;
    let slash = -1;
    let run = 0;
    let i = s;
    for (; i < e; i++) {
      const d = text.charCodeAt(i);
      if (toBreak && (d <= 32 || (d >= 0x85 && (isSeparator(d) || isEmojiStart(d) || d === 0xdb40)))) break;
      let f = d;
      if (d >= 97 && d <= 122) letters++;
      else if (d >= 65 && d <= 90) {
        letters++;
        capitals++;
        f = d + 32;
      } else {
        if (d === 47 && slash < 0) slash = i;
        f = foldCode(d);
        if (f < 0) continue;
      }
      hf = Math.imul(hf ^ f, FNV_PRIME);
      if (f === last) run = 1;
      last = f;
    }
    const h = this.h;
    h[HF] = hf;
    h[LETTERS] = letters;
    h[CAPITALS] = capitals;
    h[SLASH] = slash;
    h[RUN] = run;
    return i;
  }

  /** text[s, e)'s collapsed hash (only a token with a repeated letter needs it) */
  private collapsedHash(text: string, s: number, e: number): number {
    let hc = FNV_OFFSET;
    let last = -1;
    for (let i = s; i < e; i++) {
      const f = foldCode(text.charCodeAt(i));
      if (f < 0 || f === last) continue;
      hc = Math.imul(hc ^ f, FNV_PRIME);
      last = f;
    }
    return hc;
  }

  /** a plain token [s, e); returns where scanning goes on (after a phrase, its last word) */
  private word(text: string, s: number, e: number, n: number, plain: boolean): number {
    const first = text.charCodeAt(s);
    if (first === 64) return e; // an @mention names someone, it says nothing
    const t = this.t;
    if (this.h[SLASH]! >= 0 && isLink(text, s, e, this.h[SLASH]!)) return e;
    // whole token first: ":)", "<3", "/s", "D:", "10/10"
    let entry = t.exact.exact(text, s, e, this.h[HF]!);
    let asEmote = entry !== undefined;
    entry ??= t.folded.folded(text, s, e, this.h[HF]!);
    let cs = s;
    let ce = e;
    let caps = false;
    let stretched = false;
    if (entry === undefined) {
      while (cs < ce && isPunct(text.charCodeAt(cs))) cs++;
      while (ce > cs && isPunct(text.charCodeAt(ce - 1))) ce--;
      if (cs === ce) {
        if (e - s >= 3 && text.charCodeAt(s) === 63 && text.charCodeAt(s + 1) === 63) {
          this.cur -= BAFFLED;
          this.tick();
        }
        this.punctuation(text, s, e);
        return e;
      }
      if (cs !== s || ce !== e) {
        this.hash(text, cs, ce, false);
        entry = t.exact.exact(text, cs, ce, this.h[HF]!);
        asEmote = entry !== undefined;
      }
      if (entry === undefined) {
        entry = t.folded.folded(text, cs, ce, this.h[HF]!);
        if (entry === undefined && this.h[RUN] === 1) {
          entry = t.collapsed.collapsed(text, cs, ce, this.collapsedHash(text, cs, ce));
          stretched = entry !== undefined;
        }
      }
    }
    if (!asEmote) caps = this.h[LETTERS]! >= 2 && this.h[CAPITALS] === this.h[LETTERS];
    let next = e;
    // an emote that is also a phrase's first word ("WHAT A SAVE", the WHAT emote): the phrase wins
    let head = entry;
    if (asEmote && entry !== undefined && entry.phrases === null) head = t.folded.folded(text, cs, ce, this.h[HF]!);
    if (head !== undefined && head.phrases !== null && this.phrase(text, head, ce, n)) {
      next = this.phraseEnd;
      this.apply(this.matched!, caps, this.phraseStretched);
      this.matched = null;
      ce = next;
      while (ce > cs && isPunct(text.charCodeAt(ce - 1))) ce--;
      this.punctuation(text, ce, next);
      return next;
    }
    if (entry !== undefined && entry.role !== HEAD) {
      if (asEmote && entry.name !== null && entry.stamp !== this.stamp) this.addEmote(entry.name);
      this.apply(entry, caps, stretched);
    } else if (isLaughter(text, cs, ce)) {
      this.apply(this.syllableLaugh, false, false);
    } else if (!(plain && this.h[CAPITALS]! > 0 && this.plainSubEmote(text, cs, ce))) this.tick();
    if (ce < e) this.punctuation(text, ce, e);
    return next;
  }

  /** whether one of `head`'s phrases goes on from `from`; sets matched, phraseEnd, phraseStretched */
  private phrase(text: string, head: Entry, from: number, n: number): boolean {
    const phrases = head.phrases!;
    // the next words' bounds, read once for every phrase: [start, core end, end] each
    const w = this.ahead;
    const hashes = this.aheadHash;
    if (!this.readAhead(text, from, n, 0) || (head.nextBits & (1 << (hashes[0]! & 31))) === 0) return false;
    let read = 1;
    // how many words there are to read: once one is missing, no longer phrase tries again
    let last = MAX_AHEAD;
    let pos = w[2]!;
    for (let p = 0; p < phrases.length; p++) {
      const phrase = phrases[p]!;
      const words = phrase.words;
      let ok = true;
      let stretched = false;
      for (let i = 0; i < words.length; i++) {
        if (i === read) {
          if (read === last || !this.readAhead(text, pos, n, read)) {
            last = read;
            ok = false;
            break;
          }
          pos = w[read * 3 + 2]!;
          read++;
        }
        const s = w[i * 3]!;
        const ce = w[i * 3 + 1]!;
        const word = words[i]!;
        if (phrase.hashes[i] !== hashes[i] || !runsCover(text, s, ce, word)) {
          ok = false;
          break;
        }
        if (ce - s > word.length) stretched = true;
      }
      if (ok) {
        this.matched = phrase.entry;
        this.phraseEnd = w[(words.length - 1) * 3 + 2]!;
        this.phraseStretched = stretched;
        return true;
      }
    }
    return false;
  }

  /** the word after `pos` (white space first, else no word) into this.ahead's slot `i` */
  private readAhead(text: string, pos: number, n: number, i: number): boolean {
    while (pos < n && !isSeparator(text.charCodeAt(pos)) && isPunct(text.charCodeAt(pos))) pos++;
    const gap = pos;
    while (pos < n && isSeparator(text.charCodeAt(pos))) pos++;
    if (pos === gap || pos === n) return false;
    const s = pos;
    while (pos < n) {
      const d = text.charCodeAt(pos);
      if (isSeparator(d) || isEmojiStart(d)) break;
      pos++;
    }
    let ce = pos;
    while (ce > s && isPunct(text.charCodeAt(ce - 1))) ce--;
    if (ce === s) return false;
    this.ahead[i * 3] = s;
    this.ahead[i * 3 + 1] = ce;
    this.ahead[i * 3 + 2] = pos;
    this.aheadHash[i] = this.collapsedHash(text, s, ce);
    return true;
  }

  /** trailing or lone punctuation: a clause ends at , . ; : ! ? (a question's clause counts less) */
  private punctuation(text: string, s: number, e: number): void {
    let ends = false;
    let questions = 0;
    let exclaimed = false;
    for (let i = s; i < e; i++) {
      const c = text.charCodeAt(i);
      if (c === 33 || c === 0xff01) {
        this.exclaim++;
        exclaimed = ends = true;
      } else if (c === 63 || c === 0xff1f) {
        questions++;
        ends = true;
      } else if (c === 44 || c === 46 || c === 59 || c === 58 || c === 0x2026 || c === 0x3002) ends = true;
    }
    // "??" is incredulity more than a question ("ads again??"): only a clause that asks loses strength
    if (ends) this.endClause(questions === 1 ? QUESTION : exclaimed ? 0 : this.asking);
  }

  /** a clause ends; a question's loses `shrink` of its strength */
  private endClause(shrink: number): void {
    this.done += shrink > 0 ? Math.sign(this.cur) * Math.max(0, Math.abs(this.cur) - shrink) : this.cur;
    this.cur = 0;
    this.negScope = 0;
    this.asking = 0;
    this.started = false;
  }

  /** a token's effect; repeated within a message it counts once, with a small boost */
  private apply(entry: Entry, caps: boolean, stretched: boolean): void {
    const first = entry.stamp !== this.stamp;
    if (first) {
      entry.stamp = this.stamp;
      entry.count = 1;
    } else entry.count++;
    const share = first ? 1 : entry.count <= REPEAT_LIMIT + 1 ? REPEAT : 0;
    switch (entry.role) {
      case SENTIMENT: {
        let v = entry.value * this.boost;
        if (caps) v *= CAPS;
        if (stretched) v *= ELONGATED;
        // an emote or emoji is chat's reaction to the line, not a word the negator turns ("dont end it PepeHands")
        if (this.negScope > 0 && entry.name === null) v *= v > 0 ? this.negFactor : this.negFactor * NEGATED_NEGATIVE;
        this.boost = 1;
        this.boostLife = 0;
        this.cur += v * share;
        this.tick();
        return;
      }
      case LAUGH:
        this.laugh += entry.value * share * (stretched ? ELONGATED : 1);
        this.tick();
        return;
      case NEGATOR:
        this.negScope = NEGATION_SCOPE;
        this.negFactor = entry.value;
        return;
      case INTENSIFIER:
        this.boost *= 1 + entry.value;
        this.boostLife = 2;
        return;
      case SARCASM:
        if (entry.value < this.sarcasm) this.sarcasm = entry.value;
        if (entry.name === null && entry.value <= MOCKS_AT) this.mocked = true;
        this.tick();
        return;
      case ASKS:
        if (!this.started) this.asking = entry.value;
        this.tick();
        return;
      case CONTRAST:
        this.done = (this.done + this.cur) * entry.value;
        this.laugh *= entry.value;
        this.cur = 0;
        this.negScope = 0;
        return;
      default:
        this.tick();
    }
  }

  /** one more token passed: the negation's scope and a pending intensifier run down */
  private tick(): void {
    this.started = true;
    if (this.negScope > 0) this.negScope--;
    if (this.boostLife > 0 && --this.boostLife === 0) this.boost = 1;
  }

  /** an emoji and what rides on it (variation selector, skin tone, keycap, ZWJ sequence, flag pair) */
  private emoji(text: string, s: number, n: number): number {
    const c = text.charCodeAt(s);
    let base = Math.min(n, s + (c >= 0xd800 && c <= 0xdbff ? 2 : 1));
    const low = s + 1 < n ? text.charCodeAt(s + 1) : 0;
    // regional indicators: a flag is two
    if (c === 0xd83c && low >= 0xdde6 && low <= 0xddff && base + 1 < n && text.charCodeAt(base) === 0xd83c) {
      const l2 = text.charCodeAt(base + 1);
      if (l2 >= 0xdde6 && l2 <= 0xddff) base += 2;
    }
    let end = base;
    while (end < n) {
      const d = text.charCodeAt(end);
      if (d === 0xfe0f || d === 0xfe0e || d === 0x20e3) end++;
      else if (d === 0xd83c && end + 1 < n && text.charCodeAt(end + 1) >= 0xdffb && text.charCodeAt(end + 1) <= 0xdfff) end += 2;
      else if (d === 0x200d && end + 1 < n) {
        const x = text.charCodeAt(end + 1);
        if (x >= 0xd800 && x <= 0xdbff) end = Math.min(n, end + 3);
        else if (isEmojiStart(x)) end += 2;
        else break;
      } else if (d === 0xdb40) end = Math.min(n, end + 2);
      else break;
    }
    this.hash(text, s, base, false);
    const entry = this.t.exact.exact(text, s, base, this.h[HF]!);
    if (entry !== undefined) {
      if (entry.name !== null && entry.stamp !== this.stamp) this.addEmote(entry.name);
      this.apply(entry, false, false);
    } else {
      // an emoji the lexicon does not know still counts as used (a skin tone alone does not)
      if (!(c === 0xd83c && low >= 0xdffb && low <= 0xdfff)) this.addEmote(text.slice(s, base));
      this.tick();
    }
    return end;
  }

  /** an emote placed by the IRC tag: by its name, else by its suffix after the channel's prefix */
  private tagEmote(text: string, s: number, e: number): void {
    this.hash(text, s, e, false);
    const entry = this.t.exact.exact(text, s, e, this.h[HF]!);
    if (entry !== undefined) {
      const name = entry.name ?? text.slice(s, e);
      if (entry.stamp !== this.stamp || entry.name === null) this.addEmote(name);
      this.apply(entry, false, false);
      return;
    }
    this.addEmote(text.slice(s, e));
    const suffix = this.suffix(text, s, e, 1);
    if (suffix !== undefined) this.apply(suffix, false, false);
    else this.tick();
  }

  /**
   * A word shaped like a sub emote (a lower-case prefix of 3+, then a suffix of 2+ Lurk knows,
   * as written): without the tag's positions, "pokiCry" is still read as an emote.
   */
  private plainSubEmote(text: string, s: number, e: number): boolean {
    const entry = this.suffix(text, s, e, 2);
    if (entry === undefined) return false;
    this.addEmote(text.slice(s, e));
    this.apply(entry, false, false);
    return true;
  }

  private suffix(text: string, s: number, e: number, minSuffix: number): Entry | undefined {
    let i = s;
    while (i < e) {
      const c = text.charCodeAt(i);
      if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57))) break;
      i++;
    }
    const tagged = minSuffix === 1;
    if (i - s < (tagged ? 1 : 3) || e === i) return undefined;
    const c = text.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57))) return undefined;
    this.hash(text, i, e, false);
    const t = this.t;
    // a one-letter suffix reads untagged too (xqcL, lirikW: a word rarely ends in one capital),
    // but only as a suffix, not as any emote's name
    const exact = t.suffixExact.exact(text, i, e, this.h[HF]!) ?? (e - i >= minSuffix ? t.exact.exact(text, i, e, this.h[HF]!) : undefined);
    if (exact !== undefined || !tagged) return exact;
    return t.suffixFolded.folded(text, i, e, this.h[HF]!);
  }
}

/** a URL or a bare link (clips.twitch.tv/…): neither says anything about the mood */
function isLink(text: string, s: number, e: number, slash: number): boolean {
  if (slash >= s + 1 && text.charCodeAt(slash - 1) === 58 && text.charCodeAt(slash + 1) === 47) return true;
  for (let i = s + 1; i < slash - 1; i++) if (text.charCodeAt(i) === 46) return e > slash + 1;
  return false;
}

/** haha, hahaha, hehe, jajaja, lolol, rsrs, хаха (runs squeezed: "hahhaha"), kkkk, ㅋㅋ, 555 */
function isLaughter(text: string, s: number, e: number): boolean {
  if (e - s < 2 || !LAUGH_STARTS.has(foldCode(text.charCodeAt(s)))) return false;
  let a = -1;
  let b = -1;
  let length = 0;
  let last = -1;
  for (let i = s; i < e; i++) {
    const c = foldCode(text.charCodeAt(i));
    if (c < 0 || c === last) continue;
    last = c;
    if (length === 0) a = c;
    else if (length === 1) b = c;
    else if (c !== (length % 2 === 0 ? a : b)) return false;
    length++;
  }
  if (length === 1) {
    const n = e - s;
    return (a === 107 && n >= 4) || ((a === 0x314b || a === 0x314e) && n >= 2) || (a === 53 && n >= 3);
  }
  return length >= 4 && LAUGH_PAIRS.has(a * 65536 + b);
}
