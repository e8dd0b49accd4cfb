import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startLurkInBrowser } from '../helpers/e2e.js';
import { liveChildren } from '../helpers/process.js';

// startLurkInBrowser starts a `lurk` child before it launches the browser: when the launch
// fails, that child must be stopped, or this file would never end.

let dir: string;
const saved = process.env.CHROMIUM_PATH;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lurk-launch-'));
});

after(async () => {
  if (saved === undefined) delete process.env.CHROMIUM_PATH;
  else process.env.CHROMIUM_PATH = saved;
  await rm(dir, { recursive: true, force: true });
});

async function assertStopsItsChild(chromium: string, message: RegExp): Promise<void> {
  assert.deepEqual(
    liveChildren().map((c) => c.pid),
    [],
    'no child before',
  );
  process.env.CHROMIUM_PATH = chromium;
  const seen = new Set<number>();
  const watch = setInterval(() => {
    for (const c of liveChildren()) seen.add(c.pid!);
  }, 20);
  try {
    await assert.rejects(startLurkInBrowser(), message);
  } finally {
    clearInterval(watch);
    process.env.CHROMIUM_PATH = saved ?? '';
  }
  assert.ok(seen.size > 0, 'a lurk child was started');
  const left = liveChildren();
  // not left for the file's end: a failing assertion here must not also hang the file
  await Promise.all(
    left.map(
      (c) =>
        new Promise((resolve) => {
          c.once('exit', resolve);
          c.kill('SIGKILL');
        }),
    ),
  );
  assert.deepEqual(
    left.map((c) => c.pid),
    [],
    'the lurk child is stopped when the browser does not launch',
  );
  for (const pid of seen) assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `process ${pid} is gone`);
}

test('a browser that is not there: startLurkInBrowser stops its lurk child and throws', async () => {
  await assertStopsItsChild(path.join(dir, 'no-such-chromium'), /chromium not found at .*no-such-chromium/);
});

test('a browser that fails to launch: startLurkInBrowser stops its lurk child and throws', async () => {
  // an executable that exits at once instead of speaking the DevTools protocol
  const fake = path.join(dir, 'not-a-browser');
  await writeFile(fake, '#!/bin/sh\necho "not a browser" >&2\nexit 3\n', { mode: 0o755 });
  await assertStopsItsChild(fake, /not a browser|exit|closed|launch/i);
});
