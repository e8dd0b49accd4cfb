import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { freePort } from './helpers/app.js';
import { ROOT } from './helpers/process.js';
import { DEFAULT_PG_URL, embeddedPostgresProblem, planServices, postgresAnswers, redisAnswers, SetupError, startServices } from './helpers/services.js';

// The suite's own set-up (scripts/run-tests.mjs, test/helpers/services.ts): what it starts when
// a service is missing, and the one line it stops with when it cannot.

const none = { postgres: false, redis: false, browser: false };
let dir: string;
let deadPort: number;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lurk-setup-'));
  deadPort = await freePort(); // nothing listens there
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('when PostgreSQL does not answer', () => {
  test('an embedded PostgreSQL is started, answers queries, and is gone after stop()', async (t) => {
    const problem = embeddedPostgresProblem();
    if (problem) {
      // a checkout where the postgres user may not reach the binaries (under a 0700 folder, as
      // mktemp makes): then the promise is the one line that names the folder, before anything starts
      t.diagnostic(`the embedded PostgreSQL cannot run from this checkout: ${problem}`);
      await assert.rejects(planServices({ ...none, postgres: true }, { LURK_TEST_PG_URL: `postgres://postgres@127.0.0.1:${deadPort}/postgres` }), (err: Error) => {
        assert.ok(err instanceof SetupError);
        assert.ok(err.message.includes(problem) && !err.message.includes('\n'), err.message);
        return true;
      });
      return;
    }
    const plan = await planServices({ ...none, postgres: true }, { LURK_TEST_PG_URL: `postgres://postgres@127.0.0.1:${deadPort}/postgres` });
    assert.deepEqual(plan.postgres, { url: `postgres://postgres@127.0.0.1:${deadPort}/postgres`, answers: false });
    const started = await startServices(plan);
    try {
      const url = started.env.LURK_TEST_PG_URL!;
      assert.match(url, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
      assert.notEqual(url, plan.postgres!.url);
      assert.match(started.notes.join('\n'), /no PostgreSQL answers at .*: started an embedded one at/);
      // what the suite does with it: a database of its own, created and dropped
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query('create database lurk_setup_probe');
        await client.query('drop database lurk_setup_probe');
        assert.match((await client.query<{ v: string }>('select version() as v')).rows[0]!.v, /^PostgreSQL \d+/);
      } finally {
        await client.end();
      }
    } finally {
      await started.stop();
    }
    assert.equal(await postgresAnswers(started.env.LURK_TEST_PG_URL!, 1_000), false, 'stopped');
  });

  test('a server that answers but refuses is named in one line, nothing started', async () => {
    const real = new URL(process.env.LURK_TEST_PG_URL || DEFAULT_PG_URL);
    real.pathname = '/lurk_no_such_database';
    await assert.rejects(planServices({ ...none, postgres: true }, { LURK_TEST_PG_URL: real.toString() }), (err: Error) => {
      assert.ok(err instanceof SetupError);
      assert.match(err.message, /^PostgreSQL at .*lurk_no_such_database \(LURK_TEST_PG_URL\) answers but refuses the tests: .*does not exist/);
      assert.doesNotMatch(err.message, /\n/);
      return true;
    });
  });
});

describe('when Redis does not answer', () => {
  test('the redis-server on the PATH is started on a free port, answers PING, and is gone after stop()', async () => {
    const plan = await planServices({ ...none, redis: true }, { LURK_TEST_REDIS_URL: `redis://127.0.0.1:${deadPort}/0`, PATH: process.env.PATH });
    assert.ok(plan.redis && !plan.redis.answers, 'nothing answers there');
    const started = await startServices(plan);
    let url: string;
    try {
      url = started.env.LURK_TEST_REDIS_URL!;
      assert.match(url, /^redis:\/\/127\.0\.0\.1:\d+\/0$/);
      assert.equal(await redisAnswers(url), true);
    } finally {
      await started.stop();
    }
    assert.equal(await redisAnswers(url), false, 'stopped');
  });

  test('without a redis-server the run stops at once with one line naming Redis and the fix', async () => {
    // a PATH with node on it and no redis-server
    const bin = path.join(dir, 'bin');
    await mkdir(bin);
    await symlink(process.execPath, path.join(bin, 'node'));
    const env = { ...process.env, PATH: bin, LURK_TEST_REDIS_URL: `redis://127.0.0.1:${deadPort}/0` };
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts/run-tests.mjs'), '--check', 'config.test'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(killer);
    assert.equal(code, 1, stdout + stderr);
    assert.equal(stdout, '');
    const lines = stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, stderr);
    assert.match(
      lines[0]!,
      new RegExp(`^test setup: no Redis answers at redis://127\\.0\\.0\\.1:${deadPort}/0 \\(LURK_TEST_REDIS_URL\\) and no redis-server is installed .*apt-get install redis-server`),
    );
  });
});

describe('Chromium', () => {
  test('CHROMIUM_PATH naming a file that is not there is one line naming it, nothing started', async () => {
    const missing = path.join(dir, 'no-chromium');
    await assert.rejects(
      planServices({ ...none, browser: true }, { CHROMIUM_PATH: missing }),
      new SetupError(`CHROMIUM_PATH=${missing} is not an executable file; unset it to use /usr/bin/chromium or the bundled build, or set it to "bundled"`),
    );
  });

  test('an installed one is used as it is; without one, or with CHROMIUM_PATH=bundled, the bundled build is planned', async () => {
    assert.deepEqual((await planServices({ ...none, browser: true }, { CHROMIUM_PATH: process.execPath })).browser, { path: process.execPath });
    assert.deepEqual((await planServices({ ...none, browser: true }, { CHROMIUM_PATH: 'bundled' })).browser, { bundled: true, reason: 'CHROMIUM_PATH=bundled' });
    const unset = (await planServices({ ...none, browser: true }, {})).browser;
    assert.deepEqual(unset, existsSync('/usr/bin/chromium') ? { path: '/usr/bin/chromium' } : { bundled: true, reason: 'no chromium at /usr/bin/chromium' });
  });
});
