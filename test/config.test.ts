import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError, describeConfig, loadConfig, maskUrl } from '../src/config/load.js';
import { runLurk } from './helpers/process.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lurk-config-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function problems(env: Record<string, string>, cwd = dir): { name: string; message: string }[] {
  try {
    loadConfig({ env, cwd });
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
    return err.problems;
  }
  assert.fail('expected the configuration to be rejected');
}

describe('defaults', () => {
  test('an empty environment gives the embedded default in simulator mode', () => {
    const config = loadConfig({ env: {}, cwd: dir });
    assert.equal(config.mode, 'simulator');
    assert.equal(config.database.url, 'sqlite:./data/lurk.db');
    assert.equal(config.database.kind, 'sqlite');
    assert.equal(config.database.sqlitePath, path.join(dir, 'data/lurk.db'));
    assert.equal(config.http.port, 8080);
    assert.equal(config.http.host, '127.0.0.1');
    assert.equal(config.logLevel, 'info');
    assert.equal(config.shutdownTimeoutMs, 10_000);
    assert.equal(config.sources.port, 'default');
  });

  test('both Twitch credentials switch to real Twitch mode', () => {
    const config = loadConfig({ env: { TWITCH_CLIENT_ID: 'abc123', TWITCH_CLIENT_SECRET: 's3cr3tvalue' }, cwd: dir });
    assert.equal(config.mode, 'twitch');
    assert.equal(config.twitch.clientSecret, 's3cr3tvalue');
  });

  test('a postgres URL selects PostgreSQL', () => {
    const config = loadConfig({ env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/lurk' }, cwd: dir });
    assert.equal(config.database.kind, 'postgres');
    assert.equal(config.database.sqlitePath, undefined);
  });
});

describe('every bad value is named', () => {
  const cases: [string, Record<string, string>, string, RegExp][] = [
    ['PORT not a number', { PORT: 'abc' }, 'PORT', /"abc".*integer from 0 to 65535/],
    ['PORT out of range', { PORT: '70000' }, 'PORT', /integer from 0 to 65535/],
    ['PORT negative', { PORT: '-1' }, 'PORT', /integer/],
    ['PORT fractional', { PORT: '80.5' }, 'PORT', /integer/],
    ['HOST with spaces', { HOST: 'local host' }, 'HOST', /host name or IP/],
    ['DATABASE_URL unknown scheme', { DATABASE_URL: 'mysql://x/y' }, 'DATABASE_URL', /sqlite:<path>.*postgres:\/\//],
    ['DATABASE_URL without database', { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/' }, 'DATABASE_URL', /database name required/],
    ['DATABASE_URL empty sqlite path', { DATABASE_URL: 'sqlite:' }, 'DATABASE_URL', /sqlite:<path>/],
    ['LOG_LEVEL unknown', { LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /one of fatal, error, warn, info, debug, trace, silent/],
    ['REDIS_URL not redis', { REDIS_URL: 'http://x' }, 'REDIS_URL', /redis:\/\//],
    ['LURK_BODY_LIMIT too small', { LURK_BODY_LIMIT: '10' }, 'LURK_BODY_LIMIT', /from 1024/],
    ['LURK_SHUTDOWN_TIMEOUT_MS not a number', { LURK_SHUTDOWN_TIMEOUT_MS: 'soon' }, 'LURK_SHUTDOWN_TIMEOUT_MS', /milliseconds/],
    ['TWITCH_CLIENT_ID with bad characters', { TWITCH_CLIENT_ID: 'a b', TWITCH_CLIENT_SECRET: 'x' }, 'TWITCH_CLIENT_ID', /client id/],
    ['client id without secret', { TWITCH_CLIENT_ID: 'abc' }, 'TWITCH_CLIENT_SECRET', /required when TWITCH_CLIENT_ID is set/],
    ['secret without client id', { TWITCH_CLIENT_SECRET: 'abc' }, 'TWITCH_CLIENT_ID', /required when TWITCH_CLIENT_SECRET is set/],
    ['unknown LURK_ variable', { LURK_PROT: '1' }, 'LURK_PROT', /unknown LURK_ variable.*LURK_BODY_LIMIT/],
    ['LURK_CONFIG file missing', { LURK_CONFIG: 'nope.json' }, 'LURK_CONFIG', /does not exist/],
  ];
  for (const [label, env, name, message] of cases) {
    test(label, () => {
      const found = problems(env);
      const problem = found.find((p) => p.name === name);
      assert.ok(problem, `expected a problem named ${name}, got ${JSON.stringify(found)}`);
      assert.match(problem.message, message);
    });
  }

  test('all problems are reported at once', () => {
    const found = problems({ PORT: 'abc', LOG_LEVEL: 'loud', HOST: ' ', DATABASE_URL: 'nope' });
    assert.deepEqual(found.map((p) => p.name).sort(), ['DATABASE_URL', 'HOST', 'LOG_LEVEL', 'PORT']);
  });

  test('a secret never appears in an error message', () => {
    const found = problems({ TWITCH_CLIENT_ID: 'abc', TWITCH_CLIENT_SECRET: 'hunter2 with spaces' });
    const text = new ConfigError(found).message;
    assert.match(text, /TWITCH_CLIENT_SECRET: \(hidden\) is not valid/);
    assert.doesNotMatch(text, /hunter2/);
  });

  test('a client id that is set but invalid, without its secret: the secret is the one missing', () => {
    const found = problems({ TWITCH_CLIENT_ID: 'bad id!' });
    assert.deepEqual(
      found.map((p) => p.name),
      ['TWITCH_CLIENT_ID', 'TWITCH_CLIENT_SECRET'],
    );
    assert.match(found[0]!.message, /is not valid/);
    assert.match(found[1]!.message, /^is required when TWITCH_CLIENT_ID is set/);
  });
});

describe('lurk.config.json', () => {
  test('values from the file apply, and the environment wins over them', async () => {
    const sub = await mkdtemp(path.join(dir, 'file-'));
    await writeFile(path.join(sub, 'lurk.config.json'), JSON.stringify({ port: 9000, host: '0.0.0.0', logLevel: 'debug' }));
    const config = loadConfig({ env: { PORT: '9100' }, cwd: sub });
    assert.equal(config.http.port, 9100);
    assert.equal(config.sources.port, 'env');
    assert.equal(config.http.host, '0.0.0.0');
    assert.equal(config.sources.host, 'file');
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.configFile, path.join(sub, 'lurk.config.json'));
  });

  test('bad values and unknown keys in the file are named by file and key', async () => {
    const sub = await mkdtemp(path.join(dir, 'file-'));
    await writeFile(path.join(sub, 'lurk.config.json'), JSON.stringify({ port: 'eighty', colour: 'red' }));
    const found = problems({}, sub);
    assert.deepEqual(found.map((p) => p.name).sort(), ['lurk.config.json: colour', 'lurk.config.json: port']);
    assert.match(found.find((p) => p.name.endsWith('colour'))!.message, /unknown setting; allowed keys are databaseUrl, port/);
  });

  test('invalid JSON is reported', async () => {
    const sub = await mkdtemp(path.join(dir, 'file-'));
    await writeFile(path.join(sub, 'lurk.config.json'), '{ "port": 80, }');
    const [problem] = problems({}, sub);
    assert.equal(problem?.name, 'lurk.config.json');
    assert.match(problem!.message, /not valid JSON/);
  });

  test('a JSON value that is not an object is reported', async () => {
    const sub = await mkdtemp(path.join(dir, 'file-'));
    await writeFile(path.join(sub, 'lurk.config.json'), '[1,2]');
    const [problem] = problems({}, sub);
    assert.match(problem!.message, /JSON object/);
  });

  test('LURK_CONFIG points at another file', async () => {
    const file = path.join(dir, 'elsewhere.json');
    await writeFile(file, JSON.stringify({ port: 1234 }));
    assert.equal(loadConfig({ env: { LURK_CONFIG: file }, cwd: dir }).http.port, 1234);
  });
});

describe('allowed hosts', () => {
  test('LURK_ALLOWED_HOSTS is a list of names; absent leaves the default to the web server', () => {
    assert.equal(loadConfig({ env: {}, cwd: dir }).http.allowedHosts, undefined);
    const config = loadConfig({ env: { LURK_ALLOWED_HOSTS: ' Lurk.example.com, .home.arpa,192.168.1.5,[::1],lurk.example.com ' }, cwd: dir });
    assert.deepEqual(config.http.allowedHosts, ['lurk.example.com', '.home.arpa', '192.168.1.5', '[::1]']);
    assert.deepEqual(loadConfig({ env: { LURK_ALLOWED_HOSTS: '*' }, cwd: dir }).http.allowedHosts, ['*']);
    assert.equal(describeConfig(config).find((r) => r.env === 'LURK_ALLOWED_HOSTS')!.value, 'lurk.example.com,.home.arpa,192.168.1.5,[::1]');
  });

  for (const bad of ['lurk.local:8080', 'http://lurk.local', ' , ', 'a b', '1::2::3']) {
    test(`LURK_ALLOWED_HOSTS=${JSON.stringify(bad)} is named`, () => {
      const problem = problems({ LURK_ALLOWED_HOSTS: bad }).find((p) => p.name === 'LURK_ALLOWED_HOSTS');
      assert.ok(problem, 'names LURK_ALLOWED_HOSTS');
      assert.match(problem.message, /host names or IP addresses without ports/);
    });
  }

  test('a bad LURK_ALLOWED_HOSTS stops lurk start with exit 2', async () => {
    const result = await runLurk(['start'], { LURK_ALLOWED_HOSTS: 'lurk.local:8080', DATABASE_URL: `sqlite:${path.join(dir, 'never.db')}` });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /LURK_ALLOWED_HOSTS: "lurk.local:8080" is not valid/);
  });
});

describe('masking', () => {
  test('describeConfig hides secrets and URL passwords', () => {
    const config = loadConfig({
      env: {
        TWITCH_CLIENT_ID: 'clientid123',
        TWITCH_CLIENT_SECRET: 'verysecretvalue42',
        DATABASE_URL: 'postgres://lurk:pa55word@db.example:5432/lurk',
        REDIS_URL: 'redis://:redispass@127.0.0.1:6379/0',
      },
      cwd: dir,
    });
    const text = JSON.stringify(describeConfig(config));
    assert.doesNotMatch(text, /verysecretvalue42|pa55word|redispass/);
    const secret = describeConfig(config).find((r) => r.env === 'TWITCH_CLIENT_SECRET')!;
    assert.equal(secret.value, '(set, hidden)');
    assert.equal(maskUrl('postgres://u:p@h/db'), 'postgres://u:****@h/db');
    // malformed ones too: quoted, without a scheme; a URL without a password is left as it is
    assert.equal(maskUrl('"postgres://u:p@h/db"'), '"postgres://u:****@h/db"');
    assert.equal(maskUrl('u:p@h/db'), 'u:****@h/db');
    assert.equal(maskUrl('postgres://u@h:5432/db'), 'postgres://u@h:5432/db');
  });
});

describe('the CLI', () => {
  test('PORT=abc lurk start exits 2 naming PORT', async () => {
    const result = await runLurk(['start'], { PORT: 'abc', DATABASE_URL: `sqlite:${path.join(dir, 'never.db')}` });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /PORT: "abc" is not valid/);
  });

  test('lurk config masks secrets and checks the database', async () => {
    const result = await runLurk(['config'], { TWITCH_CLIENT_ID: 'clientid123', TWITCH_CLIENT_SECRET: 'verysecretvalue42', DATABASE_URL: `sqlite:${path.join(dir, 'cfg.db')}` });
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stdout, /verysecretvalue42/);
    assert.match(result.stdout, /TWITCH_CLIENT_SECRET\s+\(set, hidden\)\s+\[env\]/);
    assert.match(result.stdout, /mode: real Twitch/);
    assert.match(result.stdout, /ok\s+database sqlite/);
  });

  test('lurk config reports an unreachable Redis and exits 1', async () => {
    const result = await runLurk(['config', '--json'], { REDIS_URL: 'redis://127.0.0.1:1/0', DATABASE_URL: `sqlite:${path.join(dir, 'cfg2.db')}` });
    assert.equal(result.code, 1);
    const report = JSON.parse(result.stdout) as { checks: { name: string; ok: boolean }[] };
    assert.deepEqual(
      report.checks.map((c) => [c.name, c.ok]),
      [
        ['database', true],
        ['redis', false],
      ],
    );
  });

  test('lurk config checks a Redis that answers', async () => {
    const result = await runLurk(['config', '--json'], { REDIS_URL: process.env.LURK_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0', DATABASE_URL: `sqlite:${path.join(dir, 'cfg3.db')}` });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const report = JSON.parse(result.stdout) as { checks: { name: string; ok: boolean }[] };
    assert.deepEqual(
      report.checks.map((c) => [c.name, c.ok]),
      [
        ['database', true],
        ['redis', true],
      ],
    );
  });

  test('an unknown flag exits 2 and names it', async () => {
    const result = await runLurk(['start', '--colour']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown option '--colour'/);
  });

  test('an unknown command exits 2', async () => {
    const result = await runLurk(['strat']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown command 'strat'/);
  });

  test('--version and --help exit 0', async () => {
    const version = await runLurk(['--version']);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
    for (const command of ['start', 'migrate', 'config']) {
      const help = await runLurk([command, '--help']);
      assert.equal(help.code, 0);
      assert.match(help.stdout, new RegExp(`Usage: lurk ${command}`));
    }
  });
});

describe('simulator settings', () => {
  test('defaults, and the live count defaults to a quarter of the channels', () => {
    const config = loadConfig({ env: { LURK_SIM_CHANNELS: '1000' }, cwd: dir });
    assert.deepEqual(config.sim, { seed: 42, channels: 1000, live: 250, speed: 1, port: 8081, ircPort: 6667, ircWsPort: 8082 });
  });

  test('bad simulator values are named', () => {
    const found = problems({ LURK_SIM_SPEED: 'fast', LURK_SIM_CHANNELS: '10', LURK_SIM_LIVE: '20', LURK_SIM_PORT: '99999' });
    assert.deepEqual(found.map((p) => p.name).sort(), ['LURK_SIM_LIVE', 'LURK_SIM_PORT', 'LURK_SIM_SPEED']);
  });

  test('lurk sim names a bad flag and exits 2', async () => {
    const result = await runLurk(['sim', '--speed', 'fast', '--channels', '0']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--speed "fast": expected a number/);
    assert.match(result.stderr, /--channels "0": expected an integer from 1/);
  });
});

describe('one declaration per setting', () => {
  // every setting set to a valid value that is not its default
  const everything: Record<string, string> = {
    DATABASE_URL: 'postgres://lurk@db.example:5432/lurk',
    PORT: '9001',
    HOST: '0.0.0.0',
    LURK_ALLOWED_HOSTS: 'lurk.example.com,.home.arpa',
    LURK_PUBLIC_URL: 'https://lurk.example.com/twitch',
    LURK_SECRET_KEY: 'a-master-key-of-at-least-thirty-two-characters',
    LURK_EVENTSUB_RECONCILE_SECONDS: '120',
    TWITCH_CLIENT_ID: 'abc123',
    TWITCH_CLIENT_SECRET: 'def456',
    REDIS_URL: 'redis://127.0.0.1:6379/2',
    LOG_LEVEL: 'debug',
    LURK_BODY_LIMIT: '2048',
    LURK_SHUTDOWN_TIMEOUT_MS: '500',
    LURK_DISCOVER_LANGUAGES: 'en,de',
    LURK_DISCOVER_MAX_VIEWERS: '0',
    LURK_DISCOVER_GRACE_SWEEPS: '5',
    LURK_DISCOVER_THROTTLE_VISITORS: '7',
    LURK_DISCOVER_THROTTLE_MINUTES: '60',
    LURK_API_RATE_LIMIT: '30',
    LURK_WATCHTIME_TIME_ZONE: 'Europe/Berlin',
    LURK_WATCHTIME_DAY_START: '07:05',
    LURK_WATCHTIME_MIN_VIEWERS: '3',
    LURK_WATCHTIME_GAP_SECONDS: '30',
    LURK_WATCHTIME_FLUSH_SECONDS: '5',
    LURK_WATCHTIME_SAMPLE_SECONDS: '10',
    LURK_WATCHTIME_RAW_DAYS: '9',
    LURK_DIGEST_TIME: '23:59',
    LURK_DIGEST_DIR: './out',
    LURK_DIGEST_SEED: '7',
    LURK_BLUESKY_SERVICE: 'https://pds.example',
    LURK_BLUESKY_IDENTIFIER: 'me.bsky.social',
    LURK_BLUESKY_APP_PASSWORD: 'app-pw',
    LURK_MASTODON_URL: 'https://m.example',
    LURK_MASTODON_TOKEN: 'tok',
    LURK_DISCORD_WEBHOOK_URL: 'https://discord.example/api/webhooks/1/abc',
    LURK_X_BASE_URL: 'http://127.0.0.1:9',
    LURK_X_API_KEY: 'k',
    LURK_X_API_SECRET: 's',
    LURK_X_ACCESS_TOKEN: 't',
    LURK_X_ACCESS_SECRET: 'a',
    LURK_PUBLISH_TIMEOUT_SECONDS: '5',
    LURK_ANSWERS_POLL_SECONDS: '0',
    LURK_CHAT_CHANNELS_PER_CONNECTION: '50',
    LURK_MOOD_CHANNELS: 'Moody,calm_one',
    LURK_MOOD_TOP: '25',
    LURK_AUDIENCE_CHANNELS: 'Wanderer,home_base',
    LURK_AUDIENCE_TOP: '40',
    LURK_AUDIENCE_LINGER_SECONDS: '900',
    LURK_AUDIENCE_MOVE_WINDOW_SECONDS: '300',
    LURK_AUDIENCE_PER_USER: 'on',
    LURK_AUDIENCE_PER_USER_DAYS: '14',
    LURK_LIVE_RETENTION_DAYS: '30',
    LURK_LIVE_SESSION_DAYS: '7',
    LURK_LIVE_MAX_CLIENTS: '500',
    LURK_MOOD_LEXICON: 'my-lexicon.txt',
    LURK_MOOD_RAW_RETENTION_HOURS: '6',
    LURK_WATCHTIME_CHAT_CHANNELS: 'foo,bar',
    LURK_CHAT_LOGIN: 'botty',
    LURK_CHAT_TOKEN: 'oauth',
    LURK_SIM_SEED: '1',
    LURK_SIM_CHANNELS: '100',
    LURK_SIM_LIVE: '10',
    LURK_SIM_SPEED: '2.5',
    LURK_SIM_PORT: '0',
    LURK_SIM_IRC_PORT: '0',
    LURK_SIM_IRC_WS_PORT: '0',
    LURK_TWITCH_OAUTH_URL: 'http://127.0.0.1:7777/oauth2',
    LURK_TWITCH_HELIX_URL: 'http://127.0.0.1:7777/helix',
    LURK_TWITCH_EVENTSUB_WS_URL: 'ws://127.0.0.1:7777/ws',
    LURK_TWITCH_IRC_URL: 'irc://127.0.0.1:6667',
  };

  test('lurk config reads back every setting from where it landed: fed back, its rows give the same configuration', () => {
    const config = loadConfig({ env: everything, cwd: dir });
    const rows = describeConfig(config);
    assert.deepEqual(rows.map((r) => r.env).sort(), Object.keys(everything).sort(), 'this test sets every setting');
    for (const r of rows) assert.equal(r.source, 'env', r.env);
    // secrets and the masked webhook URL are shown hidden, so those are fed back as they were set
    const fedBack = Object.fromEntries(rows.map((r) => [r.env, r.value === '(set, hidden)' || r.value.endsWith('/****') ? everything[r.env]! : r.value]));
    assert.deepEqual(loadConfig({ env: fedBack, cwd: dir }), config);
  });

  test('a publisher or the chat bot is in the configuration only when its settings are set', () => {
    const config = loadConfig({ env: { LURK_BLUESKY_SERVICE: 'https://pds.example', LURK_X_BASE_URL: 'http://127.0.0.1:9', LURK_DIGEST_DIR: 'off' }, cwd: dir });
    assert.deepEqual(config.publish, { timeoutMs: 30_000 });
    assert.equal(config.watchtime.chat, undefined);
    assert.deepEqual(
      config.twitch,
      { oauthUrl: 'https://id.twitch.tv/oauth2', helixUrl: 'https://api.twitch.tv/helix', eventSubWsUrl: 'wss://eventsub.wss.twitch.tv/ws', ircUrl: 'ircs://irc.chat.twitch.tv:6697' },
      'real Twitch, and no credentials',
    );
    const full = loadConfig({ env: everything, cwd: dir }).publish;
    assert.deepEqual(Object.keys(full).sort(), ['bluesky', 'discord', 'folder', 'mastodon', 'timeoutMs', 'x']);
    assert.deepEqual(full.x, { baseUrl: 'http://127.0.0.1:9', apiKey: 'k', apiSecret: 's', accessToken: 't', accessSecret: 'a' });
  });
});
