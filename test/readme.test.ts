import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { configurationTable, findTable, shownDefault } from '../src/config/docs.js';
import { CONFIG_FILE, settings } from '../src/config/settings.js';
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

test('the README configuration table has a row only for a declared setting, with its key and default', () => {
  const lines = readme.split('\n');
  const where = findTable(lines);
  assert.ok(where, 'README lacks the configuration table');
  const declared = new Map<string, { key: string; shown: string }>(Object.values(settings).map((s) => [s.env, { key: `\`${s.key}\``, shown: shownDefault(s) }]));
  declared.set(CONFIG_FILE.env, { key: '', shown: `\`./${CONFIG_FILE.defaultName}\`` });
  const seen = new Set<string>();
  for (const row of lines.slice(where.start + 2, where.end)) {
    const [env, key, shown] = row
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim());
    const name = env!.replace(/`/g, '');
    const setting = declared.get(name);
    assert.ok(setting, `README's configuration table has a row for ${name}, which is no setting`);
    assert.ok(!seen.has(name), `README's configuration table has two rows for ${name}`);
    seen.add(name);
    assert.equal(key, setting.key, `README row for ${name}: key`);
    assert.equal(shown, setting.shown, `README row for ${name}: default`);
  }
  assert.deepEqual(
    [...declared.keys()].filter((n) => !seen.has(n)),
    [],
    'settings without a row in the README',
  );
});

test('the README configuration table is the one rendered from src/config/settings.ts (npm run docs:config writes it)', () => {
  const lines = readme.split('\n');
  const where = findTable(lines)!;
  assert.deepEqual(lines.slice(where.start, where.end), configurationTable(), 'run `npm run docs:config` after changing a setting in src/config/settings.ts');
});

test('the Quick start has exactly two command lines, and .ci/run runs the second', () => {
  const section = readme.split('## Quick start')[1]!.split('\n## ')[0]!;
  const commands = [...section.matchAll(/```sh\n([^`]+?)\n```/g)].map((m) => m[1]!.trim());
  assert.deepEqual(commands, ['npm ci && npm start', 'npm ci && npm test']);
  const ci = readFileSync(path.join(ROOT, '.ci/run'), 'utf8');
  assert.match(ci, /^npm ci && npm test$/m);
});
