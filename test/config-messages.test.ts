import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, runLurk, type RunResult } from './helpers/process.js';

// Configuration messages through the real CLI: exit 2 naming the setting, and never a secret.

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lurk-config-messages-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `lurk …args`, killed after `limitMs` if it has not exited (a spinning child must not outlive the test). */
const run = (args: string[], env: Record<string, string>, limitMs = 30_000) => runLurk(args, env, ROOT, limitMs);

function assertRefused(result: RunResult & { killed: boolean }, key: string, secrets: string[] = []) {
  assert.equal(result.killed, false, 'lurk must fail fast, not spin');
  assert.equal(result.code, 2, result.stdout + result.stderr);
  assert.match(result.stderr, new RegExp(`\\b${key}\\b`));
  for (const secret of secrets) {
    assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), `${secret} leaked: ${result.stdout}${result.stderr}`);
  }
}

describe('DATABASE_URL messages never show its password', () => {
  for (const url of [
    'postgres://lurk:Hunter2Secret@/',
    'mysql://lurk:Hunter2Secret@db.example/lurk',
    'postgres:lurk:Hunter2Secret@db.example/lurk',
    'postgres://lurk:Hunter2Secret@db example/lurk',
    // quoted as in a .env or compose file, in angle brackets, without a scheme
    '"postgres://lurk:Hunter2Secret@db.example/lurk"',
    '<postgres://lurk:Hunter2Secret@db.example/lurk>',
    'lurk:Hunter2Secret@db.example/lurk',
  ]) {
    test(`malformed ${url.replace('Hunter2Secret', '…')}`, async () => {
      const result = await run(['migrate'], { DATABASE_URL: url });
      assertRefused(result, 'DATABASE_URL', ['Hunter2Secret']);
      assert.match(result.stderr, /DATABASE_URL: ".*\*\*\*\*.*" is not valid/);
    });
  }
});

test('lurk config masks a password in the URL query and shows nothing of a secret', async () => {
  const secrets = ['QueryPass1', 'SslPass2', 'verysecretvalue42', 'mastodontoken99'];
  const result = await run(['config', '--no-check'], {
    DATABASE_URL: 'postgres://lurk@db.example:5432/lurk?password=QueryPass1&sslpassword=SslPass2&sslmode=require',
    TWITCH_CLIENT_ID: 'clientid123',
    TWITCH_CLIENT_SECRET: 'verysecretvalue42',
    LURK_MASTODON_URL: 'https://example.social',
    LURK_MASTODON_TOKEN: 'mastodontoken99',
  });
  assert.equal(result.code, 0, result.stderr);
  for (const secret of secrets) assert.ok(!result.stdout.includes(secret), `${secret} leaked`);
  assert.match(result.stdout, /DATABASE_URL\s+postgres:\/\/lurk@db\.example:5432\/lurk\?password=\*\*\*\*&sslpassword=\*\*\*\*&sslmode=require\s+\[env\]/);
  // not even two characters at each end
  assert.match(result.stdout, /TWITCH_CLIENT_SECRET\s+\(set, hidden\)\s+\[env\]/);
  assert.match(result.stdout, /LURK_MASTODON_TOKEN\s+\(set, hidden\)\s+\[env\]/);
  assert.doesNotMatch(result.stdout, /ve\*+42|mo\*+99/);
});

describe('a taken simulator port names its setting', () => {
  let holder: Server;
  let taken: number;
  before(async () => {
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    taken = (holder.address() as { port: number }).port;
  });
  after(() => new Promise<void>((resolve) => holder.close(() => resolve())));

  for (const key of ['LURK_SIM_PORT', 'LURK_SIM_IRC_PORT', 'LURK_SIM_IRC_WS_PORT']) {
    test(`lurk start with ${key} taken`, async () => {
      const result = await run(['start'], { PORT: '0', [key]: String(taken), DATABASE_URL: `sqlite:${path.join(dir, `${key}.db`)}` }, 60_000);
      assertRefused(result, key);
      assert.match(result.stderr, new RegExp(`${key}: port ${taken} on .* is already in use`));
      assert.doesNotMatch(result.stderr, /\bset PORT\b/);
    });
  }

  test('lurk sim --port taken names the flag', async () => {
    const result = await run(['sim', '--port', String(taken), '--channels', '100'], {}, 60_000);
    assertRefused(result, 'LURK_SIM_PORT');
    assert.match(result.stderr, new RegExp(`--port \\(LURK_SIM_PORT\\): port ${taken} on .* is already in use`));
  });
});

describe('a SQLite path that cannot hold a database names DATABASE_URL', () => {
  test('its parent is a file', async () => {
    const file = path.join(dir, 'a-file');
    await writeFile(file, 'not a folder');
    for (const command of ['migrate', 'start']) {
      const result = await run([command], { PORT: '0', DATABASE_URL: `sqlite:${path.join(file, 'lurk.db')}` });
      assertRefused(result, 'DATABASE_URL');
      assert.match(result.stderr, /a-file is a file, not a folder/);
    }
  });

  // Node's recursive mkdir spun at full CPU for minutes under /proc/self; the limit kills such a child
  for (const target of ['/proc/self/lurk/lurk.db', '/proc/1/lurk.db', '/sys/lurk.db', '/dev/null']) {
    test(`sqlite:${target}`, { timeout: 120_000 }, async () => {
      const result = await run(['migrate'], { DATABASE_URL: `sqlite:${target}` }, 60_000);
      assertRefused(result, 'DATABASE_URL');
      assert.match(result.stderr, /filesystem, which cannot hold a database|is not a regular file/);
    });
  }
});

describe('a secret that is set but invalid is reported once, as invalid', () => {
  test('TWITCH_CLIENT_SECRET', async () => {
    const result = await run(['migrate'], { TWITCH_CLIENT_ID: 'abc123', TWITCH_CLIENT_SECRET: 'hunter2 with spaces' });
    assertRefused(result, 'TWITCH_CLIENT_SECRET', ['hunter2']);
    assert.match(result.stderr, /TWITCH_CLIENT_SECRET: \(hidden\) is not valid/);
    assert.doesNotMatch(result.stderr, /is required/);
  });

  test('one of the X keys', async () => {
    const result = await run(['migrate'], { LURK_X_API_KEY: '   ', LURK_X_API_SECRET: 'xsecret77', LURK_X_ACCESS_TOKEN: 'xtoken88', LURK_X_ACCESS_SECRET: 'xaccess99' });
    assertRefused(result, 'LURK_X_API_KEY', ['xsecret77', 'xtoken88', 'xaccess99']);
    assert.match(result.stderr, /LURK_X_API_KEY: \(hidden\) is not valid/);
    assert.doesNotMatch(result.stderr, /is required/);
  });
});
