import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { settings } from '../src/config/settings.js';
import { ROOT } from './helpers/process.js';

const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

test('the README configuration table lists every setting with its key and default', () => {
  for (const s of Object.values(settings)) {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${s.env}\` |`));
    assert.ok(row, `README lacks a row for ${s.env}`);
    assert.ok(row.includes(`\`${s.key}\``), `README row for ${s.env} lacks its key ${s.key}`);
    if (s.default !== undefined && !(Array.isArray(s.default) && s.default.length === 0)) assert.ok(row.includes(`\`${s.default}\``), `README row for ${s.env} lacks its default ${s.default}`);
  }
});

test('the Quick start has exactly two command lines, and .ci/run runs the second', () => {
  const section = readme.split('## Quick start')[1]!.split('\n## ')[0]!;
  const commands = [...section.matchAll(/```sh\n([^`]+?)\n```/g)].map((m) => m[1]!.trim());
  assert.deepEqual(commands, ['npm ci && npm start', 'npm ci && npm test']);
  const ci = readFileSync(path.join(ROOT, '.ci/run'), 'utf8');
  assert.match(ci, /^npm ci && npm test$/m);
});
