// The intake's settings: the master key file (0600, made once, reused), LURK_PUBLIC_URL's rules,
// its host among Lurk's names, and what `lurk config` says about EventSub.
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError, describeConfig, loadConfig } from '../../src/config/load.js';
import { loadSecretKey, SECRET_KEY_FILE, secretKeyDir } from '../../src/config/secret-key.js';
import { hostAllowed, hostPolicy } from '../../src/web/origin.js';
import { runLurk } from '../helpers/process.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lurk-intake-settings-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const REAL = { TWITCH_CLIENT_ID: 'clientid123', TWITCH_CLIENT_SECRET: 'verysecretvalue42' };

describe('the master key', () => {
  test('is made once beside the database, readable by its owner only, and read back the same', async () => {
    const folder = path.join(dir, 'data');
    const keyDir = secretKeyDir({ kind: 'sqlite', sqlitePath: path.join(folder, 'lurk.db') }, dir);
    assert.equal(keyDir, folder);
    const first = loadSecretKey({ dir: keyDir });
    const file = path.join(folder, SECRET_KEY_FILE);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal(first.length, 32);
    assert.deepEqual(loadSecretKey({ dir: keyDir }), first, 'a restart derives the same secrets');
    // LURK_SECRET_KEY wins over the file
    assert.notDeepEqual(loadSecretKey({ configured: 'x'.repeat(40), dir: keyDir }), first);
  });

  test('a file that holds no key is an error naming LURK_SECRET_KEY, not a new key', async () => {
    const folder = await mkdtemp(path.join(dir, 'bad-'));
    await writeFile(path.join(folder, SECRET_KEY_FILE), 'not a key\n', { mode: 0o600 });
    assert.throws(() => loadSecretKey({ dir: folder }), /LURK_SECRET_KEY: .*does not hold a key/);
  });

  test('is a secret: masked by lurk config, and too short a key is refused without being shown', () => {
    const config = loadConfig({ env: { LURK_SECRET_KEY: 'k'.repeat(48) }, cwd: dir });
    assert.equal(describeConfig(config).find((r) => r.env === 'LURK_SECRET_KEY')!.value, '(set, hidden)');
    try {
      loadConfig({ env: { LURK_SECRET_KEY: 'short-key' }, cwd: dir });
      assert.fail('a short key is refused');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.doesNotMatch(err.message, /short-key/);
      assert.match(err.message, /LURK_SECRET_KEY/);
    }
  });
});

describe('LURK_PUBLIC_URL', () => {
  test('https anywhere; plain http only to this machine on real Twitch, exit 2 naming it otherwise', async () => {
    assert.equal(loadConfig({ env: { ...REAL, LURK_PUBLIC_URL: 'https://lurk.example.com/' }, cwd: dir }).http.publicUrl, 'https://lurk.example.com');
    assert.equal(loadConfig({ env: { ...REAL, LURK_PUBLIC_URL: 'http://127.0.0.1:8080' }, cwd: dir }).http.publicUrl, 'http://127.0.0.1:8080');
    assert.throws(() => loadConfig({ env: { ...REAL, LURK_PUBLIC_URL: 'http://lurk.example.com' }, cwd: dir }), /LURK_PUBLIC_URL: .*plain http/);
    assert.throws(() => loadConfig({ env: { LURK_PUBLIC_URL: 'ftp://lurk.example.com' }, cwd: dir }), /LURK_PUBLIC_URL/);
    const result = await runLurk(['start'], { ...REAL, LURK_PUBLIC_URL: 'http://lurk.example.com', DATABASE_URL: `sqlite:${path.join(dir, 'never.db')}` });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /LURK_PUBLIC_URL/);
  });

  test("its host is one of Lurk's names, also beside an explicit list", () => {
    assert.ok(hostAllowed(hostPolicy('127.0.0.1', undefined, 'https://lurk.example.com'), 'lurk.example.com'));
    assert.ok(hostAllowed(hostPolicy('127.0.0.1', ['nas.lan'], 'https://lurk.example.com'), 'lurk.example.com:443'));
    assert.ok(!hostAllowed(hostPolicy('127.0.0.1', undefined), 'lurk.example.com'));
  });

  test('lurk config says when real Twitch has no public URL', async () => {
    const without = await runLurk(['config'], { ...REAL, DATABASE_URL: `sqlite:${path.join(dir, 'cfg.db')}` });
    assert.equal(without.code, 0, without.stderr);
    assert.match(without.stdout, /eventsub: no LURK_PUBLIC_URL: webhooks are off/);
    const withUrl = await runLurk(['config'], { ...REAL, LURK_PUBLIC_URL: 'https://lurk.example.com', DATABASE_URL: `sqlite:${path.join(dir, 'cfg.db')}` });
    assert.match(withUrl.stdout, /eventsub: webhooks at https:\/\/lurk\.example\.com\/eventsub\/webhook/);
  });
});
