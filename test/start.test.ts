import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { freePort, waitFor } from './helpers/app.js';
import { tempPostgres, tempSqlite } from './helpers/db.js';
import { runLurk, startLurk } from './helpers/process.js';

async function ready(port: number): Promise<any> {
  return waitFor('lurk to be ready', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    return res.status === 200 ? res.json() : undefined;
  });
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`lurk start stops cleanly on ${signal}`, async () => {
    const db = await tempSqlite();
    const port = await freePort();
    const lurk = startLurk(['start'], { PORT: String(port), DATABASE_URL: db.url });
    try {
      await ready(port);
      lurk.child.kill(signal);
      const exit = await lurk.exited;
      assert.equal(exit.code, 0, lurk.output());
      assert.match(lurk.output(), /"msg":"stopped"/);
    } finally {
      lurk.child.kill('SIGKILL');
      await db.drop();
    }
  });
}

test('the default database is a SQLite file under ./data, created with its folder', async () => {
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'lurk-cwd-'));
  const port = await freePort();
  const lurk = startLurk(['start'], { PORT: String(port) }, cwd);
  try {
    await ready(port);
    assert.ok(existsSync(path.join(cwd, 'data/lurk.db')));
    const status = (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as any;
    assert.equal(status.database.kind, 'sqlite');
    assert.equal(status.database.label, 'sqlite data/lurk.db');
  } finally {
    lurk.child.kill('SIGTERM');
    await lurk.exited;
    await rm(cwd, { recursive: true, force: true });
  }
});

test('DATABASE_URL=postgres://… runs the same app on PostgreSQL', async () => {
  const db = await tempPostgres();
  const port = await freePort();
  const lurk = startLurk(['start'], { PORT: String(port), DATABASE_URL: db.url });
  try {
    const readiness = await ready(port);
    assert.deepEqual(readiness.checks, { database: 'ok', migrations: 'ok' });
    const status = (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as any;
    assert.equal(status.database.kind, 'postgres');
    assert.ok(status.database.sizeBytes > 0 || status.jobs.length > 0);
    const run = (await (await fetch(`http://127.0.0.1:${port}/api/jobs/store.maintenance/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as any;
    assert.equal(run.outcome, 'ok');
  } finally {
    lurk.child.kill('SIGTERM');
    await lurk.exited;
    await db.drop();
  }
});

test('a port already in use is a clear error naming PORT, exit 2', async () => {
  const db = await tempSqlite();
  const port = await freePort();
  const first = startLurk(['start'], { PORT: String(port), DATABASE_URL: db.url });
  try {
    await ready(port);
    const second = startLurk(['start'], { PORT: String(port), DATABASE_URL: db.url });
    const exit = await second.exited;
    assert.equal(exit.code, 2);
    assert.match(second.output(), new RegExp(`PORT: port ${port} on 127.0.0.1 is already in use`));
  } finally {
    first.child.kill('SIGTERM');
    await first.exited;
    await db.drop();
  }
});

test('lurk migrate applies once and then reports up to date', async () => {
  const db = await tempSqlite();
  const { runLurk } = await import('./helpers/process.js');
  try {
    const dry = await runLurk(['migrate', '--dry-run'], { DATABASE_URL: db.url });
    const { schemaMigrations } = await import('../src/store/migrations/index.js');
    const { sqliteFacts } = await import('../src/store/dialect.js');
    const names = Object.keys(schemaMigrations(sqliteFacts));
    assert.equal(names[0], '0001_foundation');
    assert.ok(dry.stdout.includes(`${names.length} pending: ${names.join(', ')}`), dry.stdout);
    const first = await runLurk(['migrate'], { DATABASE_URL: db.url });
    assert.equal(first.code, 0, first.stderr);
    assert.ok(first.stdout.includes(`applied ${names.join(', ')}`), first.stdout);
    const second = await runLurk(['migrate'], { DATABASE_URL: db.url });
    assert.ok(second.stdout.includes(`up to date (${names.length} migrations applied earlier)`), second.stdout);
  } finally {
    await db.drop();
  }
});

test('a bad LURK_MOOD_LEXICON stops lurk start with exit 2 naming the setting, the file and the line', async () => {
  const db = await tempSqlite();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lurk-lexicon-'));
  const file = path.join(dir, 'mine.txt');
  writeFileSync(file, 'version 1\npoggers 0.8\nthis is not a value\n');
  try {
    const run = await runLurk(['start'], { PORT: String(await freePort()), DATABASE_URL: db.url, LURK_MOOD_LEXICON: file });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /LURK_MOOD_LEXICON/);
    assert.match(run.stderr, /mine\.txt/);
    assert.match(run.stderr, /line 3/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  }
});
