// Every setting Lurk reads, in one table: the loader, `lurk config` and the README table all come from here.

import { isIP } from 'node:net';

export type Parsed<T> = { ok: true; value: T } | { ok: false; expected: string };

export interface Setting<T> {
  /** environment variable name */
  env: string;
  /** key in lurk.config.json */
  key: string;
  description: string;
  /** value used when neither the environment nor the file sets it */
  default: T | undefined;
  secret?: boolean;
  parse(raw: unknown): Parsed<T>;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(expected: string): Parsed<T> => ({ ok: false, expected });

function integer(min: number, max: number, what: string) {
  return (raw: unknown): Parsed<number> => {
    const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
    if (!/^-?\d+$/.test(text)) return bad(`${what}: an integer from ${min} to ${max}`);
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < min || n > max) return bad(`${what}: an integer from ${min} to ${max}`);
    return ok(n);
  };
}

function nonEmptyString(what: string, pattern?: RegExp) {
  return (raw: unknown): Parsed<string> => {
    if (typeof raw !== 'string' || raw.trim() === '') return bad(what);
    const text = raw.trim();
    if (pattern && !pattern.test(text)) return bad(what);
    return ok(text);
  };
}

function oneOf<T extends string>(values: readonly T[]) {
  return (raw: unknown): Parsed<T> => {
    const text = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
    return (values as readonly string[]).includes(text) ? ok(text as T) : bad(`one of ${values.join(', ')}`);
  };
}

function databaseUrl(raw: unknown): Parsed<string> {
  const expected = 'sqlite:<path>, sqlite::memory: or postgres://user@host:port/database';
  if (typeof raw !== 'string') return bad(expected);
  const text = raw.trim();
  if (/^sqlite:.+/.test(text)) return ok(text);
  if (/^postgres(ql)?:\/\//.test(text)) {
    try {
      const url = new URL(text);
      if (!url.hostname || url.pathname.replace(/^\//, '') === '') return bad(`${expected} (host and database name required)`);
      return ok(text);
    } catch {
      return bad(expected);
    }
  }
  return bad(expected);
}

function redisUrl(raw: unknown): Parsed<string> {
  const expected = 'redis://host:port[/db] or rediss://…';
  if (typeof raw !== 'string' || !/^rediss?:\/\//.test(raw.trim())) return bad(expected);
  try {
    new URL(raw.trim());
    return ok(raw.trim());
  } catch {
    return bad(expected);
  }
}

function decimal(min: number, max: number, what: string) {
  return (raw: unknown): Parsed<number> => {
    const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
    const n = Number(text);
    if (text === '' || !Number.isFinite(n) || n < min || n > max) return bad(`${what}: a number from ${min} to ${max}`);
    return ok(n);
  };
}

function languageList(raw: unknown): Parsed<string[]> {
  const expected = 'comma-separated ISO 639-1 codes such as en,de,es (or other); empty for every language';
  const text = Array.isArray(raw) ? raw.join(',') : typeof raw === 'string' ? raw : undefined;
  if (text === undefined) return bad(expected);
  const codes = text.split(',').map((c) => c.trim().toLowerCase()).filter(Boolean);
  if (codes.length > 100 || codes.some((c) => !/^([a-z]{2}|other)$/.test(c))) return bad(expected);
  return ok([...new Set(codes)]);
}

function timeZone(raw: unknown): Parsed<string> {
  const expected = 'an IANA time zone such as UTC, Europe/Berlin or America/New_York';
  if (typeof raw !== 'string' || raw.trim() === '') return bad(expected);
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: raw.trim() }).resolvedOptions().timeZone;
    return ok(resolved);
  } catch {
    return bad(expected);
  }
}

function timeOfDay(raw: unknown): Parsed<string> {
  const text = typeof raw === 'string' ? raw.trim() : '';
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return bad('a time of day HH:MM (24-hour), e.g. 08:00');
  return ok(`${m[1]!.padStart(2, '0')}:${m[2]}`);
}

function httpUrl(what: string) {
  return (raw: unknown): Parsed<string> => {
    if (typeof raw !== 'string') return bad(what);
    try {
      const url = new URL(raw.trim());
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return bad(what);
      return ok(raw.trim().replace(/\/+$/, ''));
    } catch {
      return bad(what);
    }
  };
}

function loginList(raw: unknown): Parsed<string[]> {
  const expected = 'comma-separated Twitch logins';
  const text = Array.isArray(raw) ? raw.join(',') : typeof raw === 'string' ? raw : undefined;
  if (text === undefined) return bad(expected);
  const logins = text.split(',').map((c) => c.trim().toLowerCase().replace(/^#/, '')).filter(Boolean);
  if (logins.some((l) => !/^[a-z0-9_]{1,25}$/.test(l))) return bad(expected);
  return ok([...new Set(logins)]);
}

function hostList(raw: unknown): Parsed<string[]> {
  const expected = 'comma-separated host names or IP addresses without ports (lurk.example.com,192.168.1.5), .example.com for a domain and its subdomains, or * for any';
  const text = Array.isArray(raw) ? raw.join(',') : typeof raw === 'string' ? raw : undefined;
  if (text === undefined) return bad(expected);
  const names = text.split(',').map((c) => c.trim().toLowerCase()).filter(Boolean);
  // a colon is only allowed in an IPv6 address (bracketed or not): `name:port` is a mistake
  const valid = (n: string) => n === '*' || (n.includes(':') ? isIP(n.replace(/^\[(.*)\]$/, '$1')) === 6 : /^\.?[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$/.test(n));
  if (names.length === 0 || !names.every(valid)) return bad(expected);
  return ok([...new Set(names)]);
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const settings = {
  databaseUrl: {
    env: 'DATABASE_URL',
    key: 'databaseUrl',
    description: 'Where Lurk keeps its data: a SQLite file (folder created) or a PostgreSQL database.',
    default: 'sqlite:./data/lurk.db',
    parse: databaseUrl,
  } satisfies Setting<string>,
  port: {
    env: 'PORT',
    key: 'port',
    description: 'HTTP port of the web UI and API (0 picks a free port).',
    default: 8080,
    parse: integer(0, 65535, 'a TCP port'),
  } satisfies Setting<number>,
  host: {
    env: 'HOST',
    key: 'host',
    description: 'Address the web server listens on. 0.0.0.0 exposes it to the network.',
    default: '127.0.0.1',
    parse: nonEmptyString('a host name or IP address', /^[A-Za-z0-9.:\-\[\]]+$/),
  } satisfies Setting<string>,
  allowedHosts: {
    env: 'LURK_ALLOWED_HOSTS',
    key: 'allowedHosts',
    description: 'Host names the web server answers to (any port); other Host headers get 421 (DNS rebinding). * for any. Default: HOST and the loopback names.',
    default: undefined,
    parse: hostList,
  } satisfies Setting<string[]>,
  twitchClientId: {
    env: 'TWITCH_CLIENT_ID',
    key: 'twitchClientId',
    description: 'Twitch application client id. Absent: Lurk runs against its built-in Twitch simulator.',
    default: undefined,
    parse: nonEmptyString('a Twitch client id (letters and digits)', /^[A-Za-z0-9]+$/),
  } satisfies Setting<string>,
  twitchClientSecret: {
    env: 'TWITCH_CLIENT_SECRET',
    key: 'twitchClientSecret',
    description: 'Twitch application client secret (required with TWITCH_CLIENT_ID).',
    default: undefined,
    secret: true,
    parse: nonEmptyString('a Twitch client secret', /^[A-Za-z0-9]+$/),
  } satisfies Setting<string>,
  redisUrl: {
    env: 'REDIS_URL',
    key: 'redisUrl',
    description: 'Redis for scale-out (bus and leases). Absent: everything stays in one process.',
    default: undefined,
    secret: true,
    parse: redisUrl,
  } satisfies Setting<string>,
  logLevel: {
    env: 'LOG_LEVEL',
    key: 'logLevel',
    description: 'Log verbosity (logs are JSON lines on stdout).',
    default: 'info',
    parse: oneOf(LOG_LEVELS),
  } satisfies Setting<LogLevel>,
  bodyLimit: {
    env: 'LURK_BODY_LIMIT',
    key: 'bodyLimit',
    description: 'Largest accepted HTTP request body in bytes; larger bodies get 413.',
    default: 1_048_576,
    parse: integer(1024, 104_857_600, 'a size in bytes'),
  } satisfies Setting<number>,
  shutdownTimeoutMs: {
    env: 'LURK_SHUTDOWN_TIMEOUT_MS',
    key: 'shutdownTimeoutMs',
    description: 'How long a graceful shutdown may take before the process exits anyway.',
    default: 10_000,
    parse: integer(100, 60_000, 'milliseconds'),
  } satisfies Setting<number>,
  discoverLanguages: {
    env: 'LURK_DISCOVER_LANGUAGES',
    key: 'discoverLanguages',
    description: 'Discover: languages to sweep (comma-separated); empty sweeps every language.',
    default: [] as string[],
    parse: languageList,
  } satisfies Setting<string[]>,
  discoverMaxViewers: {
    env: 'LURK_DISCOVER_MAX_VIEWERS',
    key: 'discoverMaxViewers',
    description: 'Discover: streams with at most this many viewers are kept in the pool.',
    default: 1,
    parse: integer(0, 10, 'a viewer count'),
  } satisfies Setting<number>,
  discoverGraceSweeps: {
    env: 'LURK_DISCOVER_GRACE_SWEEPS',
    key: 'discoverGraceSweeps',
    description: 'Discover: a stream missing from this many completed sweeps in a row is removed.',
    default: 2,
    parse: integer(1, 20, 'a number of sweeps'),
  } satisfies Setting<number>,
  discoverThrottleVisitors: {
    env: 'LURK_DISCOVER_THROTTLE_VISITORS',
    key: 'discoverThrottleVisitors',
    description: 'Discover: a stream handed to this many visitors within the throttle window is set aside (0 = never).',
    default: 3,
    parse: integer(0, 1000, 'a number of visitors'),
  } satisfies Setting<number>,
  discoverThrottleMinutes: {
    env: 'LURK_DISCOVER_THROTTLE_MINUTES',
    key: 'discoverThrottleMinutes',
    description: 'Discover: the throttle window in minutes.',
    default: 10,
    parse: integer(1, 1440, 'minutes'),
  } satisfies Setting<number>,
  apiRateLimit: {
    env: 'LURK_API_RATE_LIMIT',
    key: 'apiRateLimit',
    description: 'Public API requests per minute per client address (0 = no limit, e.g. for benchmarks).',
    default: 120,
    parse: integer(0, 1_000_000, 'requests per minute'),
  } satisfies Setting<number>,
  watchtimeTimeZone: {
    env: 'LURK_WATCHTIME_TIME_ZONE',
    key: 'watchtimeTimeZone',
    description: 'Watch time: the time zone days are counted in (daylight saving is followed).',
    default: 'UTC',
    parse: timeZone,
  } satisfies Setting<string>,
  watchtimeDayStart: {
    env: 'LURK_WATCHTIME_DAY_START',
    key: 'watchtimeDayStart',
    description: 'Watch time: the wall-clock time a day starts at, in that zone (the original bot used 08:00 UTC).',
    default: '08:00',
    parse: timeOfDay,
  } satisfies Setting<string>,
  watchtimeMinViewers: {
    env: 'LURK_WATCHTIME_MIN_VIEWERS',
    key: 'watchtimeMinViewers',
    description: 'Watch time: streams with fewer viewers are not counted (raise it to keep storage small).',
    default: 0,
    parse: integer(0, 1_000_000, 'a viewer count'),
  } satisfies Setting<number>,
  watchtimeGapSeconds: {
    env: 'LURK_WATCHTIME_GAP_SECONDS',
    key: 'watchtimeGapSeconds',
    description: 'Watch time: two samples of a stream further apart than this are an end and a new start, not one interval.',
    default: 600,
    parse: integer(10, 86_400, 'seconds'),
  } satisfies Setting<number>,
  watchtimeFlushSeconds: {
    env: 'LURK_WATCHTIME_FLUSH_SECONDS',
    key: 'watchtimeFlushSeconds',
    description: 'Watch time: how often counted hours are written (at the end of a sweep, in one transaction).',
    default: 60,
    parse: integer(0, 3600, 'seconds'),
  } satisfies Setting<number>,
  watchtimeSampleSeconds: {
    env: 'LURK_WATCHTIME_SAMPLE_SECONDS',
    key: 'watchtimeSampleSeconds',
    description: 'Watch time: raw samples are stored at most this often per stream (rollups use every sample).',
    default: 300,
    parse: integer(0, 86_400, 'seconds'),
  } satisfies Setting<number>,
  watchtimeRawDays: {
    env: 'LURK_WATCHTIME_RAW_DAYS',
    key: 'watchtimeRawDays',
    description: 'Watch time: days raw samples are kept; hourly and daily rollups are kept for good.',
    default: 3,
    parse: integer(1, 3650, 'days'),
  } satisfies Setting<number>,
  digestTime: {
    env: 'LURK_DIGEST_TIME',
    key: 'digestTime',
    description: 'Daily digest: when yesterday\'s posts go out, in the watch-time time zone.',
    default: '15:00',
    parse: timeOfDay,
  } satisfies Setting<string>,
  digestDir: {
    env: 'LURK_DIGEST_DIR',
    key: 'digestDir',
    description: 'Daily digest: folder the posts and charts are written to ("off" to disable the folder publisher).',
    default: './data/digests',
    parse: nonEmptyString('a folder path, or off'),
  } satisfies Setting<string>,
  digestSeed: {
    env: 'LURK_DIGEST_SEED',
    key: 'digestSeed',
    description: 'Daily digest: seed of the random game (the same day and seed give the same game).',
    default: 0,
    parse: integer(0, 2_147_483_647, 'a seed'),
  } satisfies Setting<number>,
  blueskyService: {
    env: 'LURK_BLUESKY_SERVICE',
    key: 'blueskyService',
    description: 'Bluesky: the PDS base URL.',
    default: 'https://bsky.social',
    parse: httpUrl('an http(s) URL'),
  } satisfies Setting<string>,
  blueskyIdentifier: {
    env: 'LURK_BLUESKY_IDENTIFIER',
    key: 'blueskyIdentifier',
    description: 'Bluesky: handle or DID to post as (with LURK_BLUESKY_APP_PASSWORD turns the Bluesky publisher on).',
    default: undefined,
    parse: nonEmptyString('a Bluesky handle or DID'),
  } satisfies Setting<string>,
  blueskyAppPassword: {
    env: 'LURK_BLUESKY_APP_PASSWORD',
    key: 'blueskyAppPassword',
    description: 'Bluesky: an app password.',
    default: undefined,
    secret: true,
    parse: nonEmptyString('an app password'),
  } satisfies Setting<string>,
  mastodonUrl: {
    env: 'LURK_MASTODON_URL',
    key: 'mastodonUrl',
    description: 'Mastodon: the instance base URL (with LURK_MASTODON_TOKEN turns the Mastodon publisher on).',
    default: undefined,
    parse: httpUrl('an http(s) URL'),
  } satisfies Setting<string>,
  mastodonToken: {
    env: 'LURK_MASTODON_TOKEN',
    key: 'mastodonToken',
    description: 'Mastodon: an access token with write:statuses, write:media and read:notifications.',
    default: undefined,
    secret: true,
    parse: nonEmptyString('an access token'),
  } satisfies Setting<string>,
  discordWebhookUrl: {
    env: 'LURK_DISCORD_WEBHOOK_URL',
    key: 'discordWebhookUrl',
    description: 'Discord: a channel webhook URL (turns the Discord publisher on).',
    default: undefined,
    secret: true,
    parse: httpUrl('an http(s) webhook URL'),
  } satisfies Setting<string>,
  xBaseUrl: {
    env: 'LURK_X_BASE_URL',
    key: 'xBaseUrl',
    description: 'X: API base URL.',
    default: 'https://api.x.com',
    parse: httpUrl('an http(s) URL'),
  } satisfies Setting<string>,
  xApiKey: {
    env: 'LURK_X_API_KEY',
    key: 'xApiKey',
    description: 'X: consumer API key (with the secret and access token pair turns the X publisher on).',
    default: undefined,
    secret: true,
    parse: nonEmptyString('an API key'),
  } satisfies Setting<string>,
  xApiSecret: {
    env: 'LURK_X_API_SECRET',
    key: 'xApiSecret',
    description: 'X: consumer API secret.',
    default: undefined,
    secret: true,
    parse: nonEmptyString('an API secret'),
  } satisfies Setting<string>,
  xAccessToken: {
    env: 'LURK_X_ACCESS_TOKEN',
    key: 'xAccessToken',
    description: 'X: user access token.',
    default: undefined,
    secret: true,
    parse: nonEmptyString('an access token'),
  } satisfies Setting<string>,
  xAccessSecret: {
    env: 'LURK_X_ACCESS_SECRET',
    key: 'xAccessSecret',
    description: 'X: user access token secret.',
    default: undefined,
    secret: true,
    parse: nonEmptyString('an access token secret'),
  } satisfies Setting<string>,
  publishTimeoutSeconds: {
    env: 'LURK_PUBLISH_TIMEOUT_SECONDS',
    key: 'publishTimeoutSeconds',
    description: 'Publishers: how long one call to Bluesky, Mastodon, Discord or X may take before it counts as failed (retried later).',
    default: 30,
    parse: integer(1, 600, 'seconds'),
  } satisfies Setting<number>,
  answersPollSeconds: {
    env: 'LURK_ANSWERS_POLL_SECONDS',
    key: 'answersPollSeconds',
    description: 'Answers: how often Bluesky and Mastodon mentions are read (0 = never).',
    default: 60,
    parse: integer(0, 86_400, 'seconds'),
  } satisfies Setting<number>,
  watchtimeChatChannels: {
    env: 'LURK_WATCHTIME_CHAT_CHANNELS',
    key: 'watchtimeChatChannels',
    description: 'Answers: Twitch channels whose chat gets replies to !watchtime <game or streamer>.',
    default: [] as string[],
    parse: loginList,
  } satisfies Setting<string[]>,
  chatLogin: {
    env: 'LURK_CHAT_LOGIN',
    key: 'chatLogin',
    description: 'Chat: the bot account that answers !watchtime (with real Twitch; the simulator lends one).',
    default: undefined,
    parse: nonEmptyString('a Twitch login', /^[A-Za-z0-9_]{1,25}$/),
  } satisfies Setting<string>,
  chatToken: {
    env: 'LURK_CHAT_TOKEN',
    key: 'chatToken',
    description: "Chat: that account's user access token with chat:read and chat:edit.",
    default: undefined,
    secret: true,
    parse: nonEmptyString('a user access token'),
  } satisfies Setting<string>,
  simSeed: {
    env: 'LURK_SIM_SEED',
    key: 'simSeed',
    description: 'Simulator: the seed its world grows from (same seed, same world).',
    default: 42,
    parse: integer(0, 2_147_483_647, 'a seed'),
  } satisfies Setting<number>,
  simChannels: {
    env: 'LURK_SIM_CHANNELS',
    key: 'simChannels',
    description: 'Simulator: registered channels.',
    default: 20_000,
    parse: integer(1, 1_000_000, 'a channel count'),
  } satisfies Setting<number>,
  simLive: {
    env: 'LURK_SIM_LIVE',
    key: 'simLive',
    description: 'Simulator: live channels it keeps (default: a quarter of the channels).',
    default: undefined,
    parse: integer(0, 1_000_000, 'a live channel count'),
  } satisfies Setting<number>,
  simSpeed: {
    env: 'LURK_SIM_SPEED',
    key: 'simSpeed',
    description: 'Simulator: simulated seconds per real second (0 = time stands still until advanced).',
    default: 1,
    parse: decimal(0, 100_000, 'a speed'),
  } satisfies Setting<number>,
  simPort: {
    env: 'LURK_SIM_PORT',
    key: 'simPort',
    description: 'Simulator: HTTP port for OAuth, Helix, EventSub and /_sim (0 picks a free one).',
    default: 8081,
    parse: integer(0, 65535, 'a TCP port'),
  } satisfies Setting<number>,
  simIrcPort: {
    env: 'LURK_SIM_IRC_PORT',
    key: 'simIrcPort',
    description: 'Simulator: IRC over TCP (twurple\'s ChatClient only connects to 6667).',
    default: 6667,
    parse: integer(0, 65535, 'a TCP port'),
  } satisfies Setting<number>,
  simIrcWsPort: {
    env: 'LURK_SIM_IRC_WS_PORT',
    key: 'simIrcWsPort',
    description: 'Simulator: IRC over WebSocket.',
    default: 8082,
    parse: integer(0, 65535, 'a TCP port'),
  } satisfies Setting<number>,
};

export type SettingName = keyof typeof settings;
export type SettingValues = {
  [K in SettingName]: (typeof settings)[K] extends Setting<infer T> ? T | undefined : never;
};
