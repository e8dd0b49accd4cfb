// The Mood dev set is data written and labelled by hand; these checks keep its shape honest so a
// benchmark reading it never silently scores against a broken row, a stray label or a stale copy
// of the texts handed to the blind second labeller.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const dir = path.resolve(import.meta.dirname, '../../bench/data/mood');
const labels = ['positive', 'neutral', 'negative'] as const;

function table(file: string, header: string[]): string[][] {
  const lines = readFileSync(path.join(dir, file), 'utf8').split('\n');
  assert.equal(lines.pop(), '', `${file} ends with a newline`);
  assert.deepEqual(lines.shift()?.split('\t'), header, `${file} header`);
  return lines.map((line, i) => {
    const cells = line.split('\t');
    assert.equal(cells.length, header.length, `${file} line ${i + 2} has ${header.length} columns: ${line}`);
    return cells;
  });
}

const rows = table('dev-set.tsv', ['id', 'label', 'text', 'context']).map(([id, label, text, context]) => ({ id: id!, label: label!, text: text!, context: context! }));

test('the dev set has at least 1,000 rows with ids d0001… in order', () => {
  assert.ok(rows.length >= 1000, `only ${rows.length} rows`);
  for (const [i, r] of rows.entries()) assert.equal(r.id, `d${String(i + 1).padStart(4, '0')}`);
  assert.equal(new Set(rows.map((r) => r.id)).size, rows.length);
});

test('every row has a known label and a non-empty, trimmed text', () => {
  for (const r of rows) {
    assert.ok((labels as readonly string[]).includes(r.label), `${r.id}: label ${r.label}`);
    assert.ok(r.text.length > 0 && r.text === r.text.trim(), `${r.id}: text "${r.text}"`);
  }
});

test('texts are repeated only a handful of times (case and spacing ignored)', () => {
  const seen = new Map<string, string[]>();
  for (const r of rows) {
    const key = r.text.toLowerCase().replace(/\s+/g, ' ');
    seen.set(key, [...(seen.get(key) ?? []), r.id]);
  }
  const repeats = [...seen].filter(([, ids]) => ids.length > 1);
  assert.ok(repeats.length <= 5, `repeated texts: ${JSON.stringify(repeats)}`);
});

test('each label keeps a realistic share: mostly neutral, then positive, then negative', () => {
  const share = (label: string) => rows.filter((r) => r.label === label).length / rows.length;
  assert.ok(share('neutral') >= 0.4 && share('neutral') <= 0.55, `neutral ${share('neutral')}`);
  assert.ok(share('positive') >= 0.25 && share('positive') <= 0.4, `positive ${share('positive')}`);
  assert.ok(share('negative') >= 0.15 && share('negative') <= 0.25, `negative ${share('negative')}`);
});

test('the README states the counts the file has', () => {
  const readme = readFileSync(path.join(dir, 'README.md'), 'utf8');
  for (const label of labels) {
    const count = rows.filter((r) => r.label === label).length;
    assert.match(readme, new RegExp(`^\\| ${label} \\| ${count} \\|`, 'm'), `README row for ${label} (${count})`);
  }
  assert.match(readme, new RegExp(`^\\| total \\| ${rows.length} \\|`, 'm'));
});

test('texts-only.tsv has the same ids and texts, and no labels', () => {
  const blind = table('texts-only.tsv', ['id', 'text']);
  assert.deepEqual(
    blind.map(([id, text]) => ({ id, text })),
    rows.map((r) => ({ id: r.id, text: r.text })),
  );
});
