// The page's list of pushed moments: the newest version of each, newest first, bounded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MoodMoment } from '../../src/mood/types.js';

// imported by a computed name: the server's type check must not take in the UI's DOM types
const uiModule = '../../ui/src/lib/mood.js';
const { addMoment, MAX_LIVE_MOMENTS, mergeMoments } = (await import(uiModule)) as {
  addMoment(list: readonly MoodMoment[], m: MoodMoment): MoodMoment[];
  mergeMoments(list: readonly MoodMoment[], more: readonly MoodMoment[]): MoodMoment[];
  MAX_LIVE_MOMENTS: number;
};

const t0 = Date.parse('2026-12-01T18:00:00Z');
function moment(id: number, startedS: number, peak = 1): MoodMoment {
  return { id: `m${id}`, login: 'a', started_at: new Date(t0 + startedS * 1000).toISOString(), peak_rate: peak } as unknown as MoodMoment;
}

test('pushed moments: a new version replaces its old one, every moment sits where its start puts it, and only the newest 200 are kept', () => {
  // starts out of order, with repeats: the same list as merging everything and sorting
  const pushes: MoodMoment[] = [];
  for (let i = 0; i < 600; i++) pushes.push(moment(i % 450, ((i % 450) * 7919) % 1000, i));
  let list: MoodMoment[] = [];
  for (const m of pushes) list = addMoment(list, m);
  const everything = mergeMoments([], pushes);
  assert.equal(list.length, MAX_LIVE_MOMENTS);
  assert.deepEqual(list, everything.slice(0, MAX_LIVE_MOMENTS));
  // a later version of a kept moment replaces it in place
  const kept = list[10]!;
  const again = addMoment(list, { ...kept, peak_rate: 999 });
  assert.equal(again.length, MAX_LIVE_MOMENTS);
  assert.equal(again[10]!.peak_rate, 999);
  // one older than all kept is not added
  assert.deepEqual(addMoment(list, moment(9999, -1)), list);
});
