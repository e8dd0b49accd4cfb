/**
 * Finding games and streamers by what people type: "baldurs gate", "Baldur’s Gate 3",
 * "pokemon", a login, an id, or a name with a small typo.
 */

/** lower case, accents and apostrophes dropped, any other punctuation a single space */
export function searchKey(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’‘`´ʼ]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

import type { MatchKind } from './types.js';

export type { MatchKind };

export interface NameEntry {
  kind: 'game' | 'streamer';
  id: string;
  name: string;
  login?: string;
  /** searchKey of name and login */
  key: string;
  /** searchKey of the name alone */
  nameKey: string;
  compact: string;
  /** when the name was last seen (written), for pruning */
  seenAt: number;
}

export interface NameMatch {
  entry: NameEntry;
  match: MatchKind;
  /** lower is better */
  score: number;
}

const RANK: Record<MatchKind, number> = { id: 0, exact: 1, prefix: 2, contains: 3, fuzzy: 4 };

/** Damerau (optimal string alignment) distance, or max + 1 once it must exceed max */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const prev2 = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = new Array<number>(b.length + 1);
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    for (let j = 0; j <= b.length; j++) prev2[j] = prev[j]!;
    prev = cur;
  }
  return prev[b.length]!;
}

function allowedEdits(length: number): number {
  return length < 4 ? 0 : length < 8 ? 1 : 2;
}

export class NameIndex {
  private readonly entries = new Map<string, NameEntry>();

  get size(): number {
    return this.entries.size;
  }

  put(entry: Omit<NameEntry, 'key' | 'nameKey' | 'compact' | 'seenAt'>, seenAt = 0): void {
    const id = `${entry.kind}:${entry.id}`;
    const old = this.entries.get(id);
    // a name loaded again from an older row keeps the later sighting
    if (old && old.name === entry.name && old.login === entry.login) {
      if (seenAt > old.seenAt) old.seenAt = seenAt;
      return;
    }
    const nameKey = searchKey(entry.name);
    const key = entry.kind === 'streamer' ? searchKey(`${entry.name} ${entry.login ?? ''}`) : nameKey;
    this.entries.set(id, { ...entry, key, nameKey, compact: key.replace(/ /g, ''), seenAt });
  }

  /** forget names last seen before `before`; returns how many */
  prune(before: number): number {
    let pruned = 0;
    for (const [id, e] of this.entries) {
      if (e.seenAt < before) {
        this.entries.delete(id);
        pruned++;
      }
    }
    return pruned;
  }

  find(query: string, limit: number): NameMatch[] {
    const raw = query.trim();
    const q = searchKey(raw);
    if (q === '' && raw === '') return [];
    const lowered = raw.toLowerCase();
    const out: NameMatch[] = [];
    const fuzzyCandidates: NameEntry[] = [];
    const compactQ = q.replace(/ /g, '');
    const edits = allowedEdits(compactQ.length);
    for (const e of this.entries.values()) {
      let match: MatchKind | undefined;
      if (e.id === raw) match = 'id';
      else if (e.kind === 'streamer' && e.login === lowered) match = 'exact';
      else if (q !== '') {
        if (e.nameKey === q) match = 'exact';
        else if (e.key.startsWith(q) || e.nameKey.startsWith(q)) match = 'prefix';
        else if (e.key.includes(q) || (compactQ.length >= 4 && e.compact.includes(compactQ))) match = 'contains';
        else if (edits > 0) fuzzyCandidates.push(e);
      }
      if (match) out.push({ entry: e, match, score: RANK[match] * 1000 + Math.abs(e.key.length - q.length) / 100 });
    }
    if (out.length < limit && edits > 0) {
      for (const e of fuzzyCandidates) {
        const d = this.fuzzyDistance(compactQ, e, edits);
        if (d <= edits) out.push({ entry: e, match: 'fuzzy', score: RANK.fuzzy * 1000 + d * 10 + Math.abs(e.key.length - q.length) / 100 });
      }
    }
    out.sort((a, b) => a.score - b.score || a.entry.name.localeCompare(b.entry.name));
    return out;
  }

  /** distance to the whole name, to its start (people type the beginning), or to any one word */
  private fuzzyDistance(q: string, e: NameEntry, max: number): number {
    const compact = e.compact;
    let best = editDistance(q, compact, max);
    if (best > 0 && compact.length > q.length) best = Math.min(best, editDistance(q, compact.slice(0, q.length), max));
    if (best > 0) for (const word of e.key.split(' ')) if (word.length >= 4) best = Math.min(best, editDistance(q, word, max));
    return best;
  }
}
