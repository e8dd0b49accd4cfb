import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { FolderPublisher } from '../../src/publish/folder.js';
import { PublishError } from '../../src/publish/types.js';

const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

test('the folder publisher writes text, image and alt text under the day, UTF-8 intact, and nothing else', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'lurk-folder-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const publisher = new FolderPublisher({ dir });
  const text = "Yesterday's top game: Baldur's Gate 3 — 12,345 h. Pokémon close behind. 日本語も";
  const ref = await publisher.publish({ key: 'games', day: '2026-11-21', text, image: { png, alt: 'Bar chart: Pokémon, 678 h' } });

  const dayDir = path.join(dir, '2026-11-21');
  assert.equal(ref.id, path.join(dayDir, 'games.txt'));
  assert.equal(await readFile(path.join(dayDir, 'games.txt'), 'utf8'), text);
  assert.ok((await readFile(path.join(dayDir, 'games.png'))).equals(png));
  assert.equal(await readFile(path.join(dayDir, 'games.alt.txt'), 'utf8'), 'Bar chart: Pokémon, 678 h');
  assert.deepEqual((await readdir(dayDir)).sort(), ['games.alt.txt', 'games.png', 'games.txt'], 'no temporary files left behind');

  // Publishing again replaces; a post without a day lands in the folder itself.
  await publisher.publish({ key: 'games', day: '2026-11-21', text: 'second' });
  assert.equal(await readFile(path.join(dayDir, 'games.txt'), 'utf8'), 'second');
  await publisher.publish({ key: 'random-game', text: 'no day' });
  assert.equal(await readFile(path.join(dir, 'random-game.txt'), 'utf8'), 'no day');
});

test('keys and days that could leave the folder are refused, not written', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'lurk-folder-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const publisher = new FolderPublisher({ dir: path.join(dir, 'out') });
  for (const post of [
    { key: '../escape', text: 'x' },
    { key: 'games', day: '../../etc', text: 'x' },
    { key: '', text: 'x' },
  ]) {
    await assert.rejects(publisher.publish(post), (e: unknown) => e instanceof PublishError && !e.retryable && e.publisher === 'folder');
  }
  assert.deepEqual(await readdir(dir), []);
});

test('an unwritable folder is a non-retryable PublishError naming the folder publisher', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'lurk-folder-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // A file where a folder should be fails the same way for any user, root included (ENOTDIR).
  await writeFile(path.join(dir, 'file'), 'x');
  await assert.rejects(new FolderPublisher({ dir: path.join(dir, 'file', 'sub') }).publish({ key: 'games', text: 'x' }), (e: unknown) => {
    assert.ok(e instanceof PublishError);
    assert.equal(e.publisher, 'folder');
    assert.equal(e.retryable, false);
    assert.match(e.message, /^folder: could not write/);
    return true;
  });
});
