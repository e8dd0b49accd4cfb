// Every setting Lurk reads, each declared once: its variable, file key, parser, default, whether it is a
// secret, its help, and where its value lands in LurkConfig. The loader (load.ts), `lurk config`
// (describeConfig) and the README's configuration table (docs.ts) all come from this table.

import path from 'node:path';
import { isIP } from 'node:net';
import { LOG_LEVELS, type LogLevel } from '../core/logger.js';
import type { Mode } from './mode.js';

export type { Mode };
export type Source = 'default' | 'env' | 'file';

/** The one typed configuration object every part of Lurk receives. */
export interface LurkConfig {
  mode: Mode;
  database: { url: string; kind: 'sqlite' | 'postgres'; sqlitePath?: string };
  /** allowedHosts: absent means the default (src/web/origin.ts hostPolicy) */
  http: { host: string; port: number; bodyLimit: number; allowedHosts?: string[]; publicUrl?: string };
  /** the master key (LURK_SECRET_KEY); absent: generated once into the data folder (src/config/secret-key.ts) */
  secretKey?: string;
  eventsub: { reconcileSeconds: number };
  /** the app's credentials and where Twitch (or a Twitch-compatible server, e.g. another process's `lurk sim`) answers */
  twitch: { clientId?: string; clientSecret?: string; oauthUrl: string; helixUrl: string; eventSubWsUrl: string; ircUrl: string };
  redisUrl?: string;
  logLevel: LogLevel;
  shutdownTimeoutMs: number;
  discover: { languages: string[]; maxViewers: number; graceSweeps: number; throttleVisitors: number; throttleMinutes: number };
  api: { rateLimitPerMinute: number };
  /** the chat pool (README, "Chat pool") */
  chat: { channelsPerConnection: number };
  mood: MoodConfig;
  audience: AudienceConfig;
  live: LiveConfig;
  watchtime: WatchtimeConfig;
  publish: PublishConfig;
  /** the built-in Twitch simulator, used when no Twitch credentials are set */
  sim: { seed: number; channels: number; live: number; speed: number; port: number; ircPort: number; ircWsPort: number };
  /** the config file that was read, if any */
  configFile?: string;
  /** where each setting's value came from, for `lurk config` */
  sources: Record<SettingName, Source>;
}

export interface WatchtimeConfig {
  timeZone: string;
  /** HH:MM */
  dayStart: string;
  minViewers: number;
  gapSeconds: number;
  flushSeconds: number;
  sampleSeconds: number;
  rawDays: number;
  digestTime: string;
  digestSeed: number;
  answersPollSeconds: number;
  chatChannels: string[];
  /** the bot account for !watchtime; absent in simulator mode, which lends one */
  chat?: { login: string; token: string };
}

/** Mood (README, "Mood") */
export interface MoodConfig {
  /** channels tracked from the configuration (the API adds more, persisted) */
  channels: string[];
  /** also track the N live channels with most viewers, followed as the ranking changes (0: off) */
  top: number;
  /** a lexicon file that adds or overrides entries of Lurk's own (src/mood/classifier/) */
  lexiconFile?: string;
  /** raw chat messages are kept this many hours (0: not kept; moments keep their own examples) */
  rawRetentionHours: number;
}

/** Audience (README, "Audience") */
export interface AudienceConfig {
  /** channels watched from the configuration (the API adds more, persisted) */
  channels: string[];
  /** also watch the N live channels with most viewers, followed as the ranking changes (0: off) */
  top: number;
  /** a presence without a PART ends this long after the user's last signal */
  lingerSeconds: number;
  /** a move A → B: the first signal in B at most this long after leaving A */
  moveWindowSeconds: number;
  /** per-user move rows are served by the API (they are kept either way, for perUserDays) */
  perUser: boolean;
  /** per-user move rows and per-user activity are kept this many days */
  perUserDays: number;
}

/** Live events (README, "Live events") */
export interface LiveConfig {
  /** events are kept this many days per channel (0: for good) */
  retentionDays: number;
  /** a login lasts this many days without a visit; each visit extends it */
  sessionDays: number;
  /** live event sockets at most (pages and overlays together) */
  maxClients: number;
}

/** each publisher is present when its keys are set */
export interface PublishConfig {
  folder?: { dir: string };
  bluesky?: { service: string; identifier: string; appPassword: string };
  mastodon?: { baseUrl: string; accessToken: string };
  discord?: { webhookUrl: string };
  x?: { baseUrl: string; apiKey: string; apiSecret: string; accessToken: string; accessSecret: string };
  /** deadline of one call to a network */
  timeoutMs: number;
}

/** The part of LurkConfig that settings fill (mode, configFile and sources are the loader's). */
export type SettingsShape = Omit<LurkConfig, 'mode' | 'configFile' | 'sources'>;

type Leaf = string | number | boolean | readonly unknown[];
type Paths<T> = { [K in keyof T & string]-?: PathsFrom<K, T[K]> }[keyof T & string];
type PathsFrom<K extends string, V> = NonNullable<V> extends Leaf ? K : K | `${K}${undefined extends V ? '?' : ''}.${Paths<NonNullable<V>>}`;
/**
 * Where a setting lands in LurkConfig, e.g. `http.port`. An object that may be absent is marked
 * `?` (`publish.bluesky?.service`): it exists only when every setting landing in it has a value.
 */
export type ConfigPath = Paths<SettingsShape>;
type Unmark<K extends string> = K extends `${infer Name}?` ? Name : K;
/** the type at a path */
export type AtPath<T, P extends string> = P extends `${infer K}.${infer Rest}` ? AtPath<NonNullable<T[Unmark<K> & keyof T]>, Rest> : T[P & keyof T];

export type Parsed<T> = { ok: true; value: T } | { ok: false; expected: string };

/** what a setting's `into` may use besides its own value */
export interface LandContext {
  /** the folder relative paths are resolved against */
  cwd: string;
  /** every setting's value (parsed, or its default), by setting name */
  values: Readonly<Record<string, unknown>>;
}

interface Declaration<T, P extends ConfigPath, D extends T | undefined> {
  /** environment variable name */
  env: string;
  /** key in lurk.config.json */
  key: string;
  /** where the value lands in LurkConfig */
  at: P;
  /** the README's "meaning" cell (Markdown) */
  help: string;
  /** value used when neither the environment nor the file sets it */
  default: D;
  /** the README's default cell when the default is not a plain value (Markdown); absent means `default` or (none) */
  shownDefault?: string;
  /** never shown: not in `lurk config`, not in error messages */
  secret?: boolean;
  parse(raw: unknown): Parsed<T>;
  /** the value as it lands, when it is not the setting's value itself (undefined: left out) */
  into?(value: T | undefined, context: LandContext): AtPath<SettingsShape, P> | undefined;
  /** the setting's value read back from what landed, for `lurk config` (the inverse of `into`) */
  from?(landed: AtPath<SettingsShape, P> | undefined): T | string | undefined;
}

export interface Setting<T> {
  env: string;
  key: string;
  at: ConfigPath;
  help: string;
  default: T | undefined;
  shownDefault?: string;
  secret?: boolean;
  parse(raw: unknown): Parsed<T>;
  into?(value: T | undefined, context: LandContext): unknown;
  from?(landed: unknown): unknown;
}

/** A value that lands as it is must have the type of its place; one that does not needs `into` and `from`. */
type Landing<T, P extends ConfigPath> = [T] extends [NonNullable<AtPath<SettingsShape, P>>] ? unknown : { into: unknown; from: unknown };

function define<T, P extends ConfigPath, D extends T | undefined>(declaration: Declaration<T, P, D> & Landing<T, P>): Setting<T> & { default: D } {
  return declaration as Setting<T> & { default: D };
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

function flag(raw: unknown): Parsed<boolean> {
  if (typeof raw === 'boolean') return ok(raw);
  const text = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  if (['1', 'true', 'yes', 'on'].includes(text)) return ok(true);
  if (['0', 'false', 'no', 'off'].includes(text)) return ok(false);
  return bad('true or false');
}

// named rather than inline: inline, define() would infer its type as unknown
const logLevel = oneOf<LogLevel>(LOG_LEVELS);

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
  const codes = text
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter(Boolean);
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

function wsUrl(raw: unknown): Parsed<string> {
  const what = 'a ws(s) URL, e.g. wss://eventsub.wss.twitch.tv/ws';
  if (typeof raw !== 'string') return bad(what);
  try {
    const url = new URL(raw.trim());
    return url.protocol === 'ws:' || url.protocol === 'wss:' ? ok(raw.trim()) : bad(what);
  } catch {
    return bad(what);
  }
}

function ircUrl(raw: unknown): Parsed<string> {
  const what = 'irc://host:port or ircs://host:port (TLS), e.g. ircs://irc.chat.twitch.tv:6697';
  if (typeof raw !== 'string') return bad(what);
  try {
    const url = new URL(raw.trim());
    if ((url.protocol !== 'irc:' && url.protocol !== 'ircs:') || !url.hostname || !url.port || (url.pathname && url.pathname !== '/')) return bad(what);
    return ok(`${url.protocol}//${url.host}`);
  } catch {
    return bad(what);
  }
}

function loginList(raw: unknown): Parsed<string[]> {
  const expected = 'comma-separated Twitch logins';
  const text = Array.isArray(raw) ? raw.join(',') : typeof raw === 'string' ? raw : undefined;
  if (text === undefined) return bad(expected);
  const logins = text
    .split(',')
    .map((c) => c.trim().toLowerCase().replace(/^#/, ''))
    .filter(Boolean);
  if (logins.some((l) => !/^[a-z0-9_]{1,25}$/.test(l))) return bad(expected);
  return ok([...new Set(logins)]);
}

function hostList(raw: unknown): Parsed<string[]> {
  const expected = 'comma-separated host names or IP addresses without ports (lurk.example.com,192.168.1.5), .example.com for a domain and its subdomains, or * for any';
  const text = Array.isArray(raw) ? raw.join(',') : typeof raw === 'string' ? raw : undefined;
  if (text === undefined) return bad(expected);
  const names = text
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter(Boolean);
  // a colon is only allowed in an IPv6 address (bracketed or not): `name:port` is a mistake
  const valid = (n: string) => n === '*' || (n.includes(':') ? isIP(n.replace(/^\[(.*)\]$/, '$1')) === 6 : /^\.?[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$/.test(n));
  if (names.length === 0 || !names.every(valid)) return bad(expected);
  return ok([...new Set(names)]);
}

/** names that reach this machine only: plain http to them never crosses a network */
export function isLoopbackHost(hostname: string): boolean {
  const name = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return name === 'localhost' || name.endsWith('.localhost') || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

function publicUrl(raw: unknown): Parsed<string> {
  const expected = 'the https:// address Twitch reaches Lurk at, e.g. https://lurk.example.com (http:// only for a loopback address)';
  if (typeof raw !== 'string') return bad(expected);
  try {
    const url = new URL(raw.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return bad(expected);
    if (url.search || url.hash || url.username || url.password) return bad(`${expected}, without query, fragment or credentials`);
    return ok(`${url.origin}${url.pathname.replace(/\/+$/, '')}`);
  } catch {
    return bad(expected);
  }
}

export const settings = {
  databaseUrl: define({
    env: 'DATABASE_URL',
    key: 'databaseUrl',
    at: 'database',
    help: '`sqlite:<path>` (folder created; it must be on a real, writable filesystem), `sqlite::memory:`, or `postgres://user@host:5432/db`',
    default: 'sqlite:./data/lurk.db',
    parse: databaseUrl,
    into: (url, { cwd }) => {
      const kind = url!.startsWith('sqlite:') ? 'sqlite' : 'postgres';
      const sqliteTarget = url!.slice('sqlite:'.length);
      return { url: url!, kind, ...(kind === 'sqlite' ? { sqlitePath: sqliteTarget === ':memory:' ? ':memory:' : path.resolve(cwd, sqliteTarget) } : {}) };
    },
    from: (database) => database?.url,
  }),
  port: define({
    env: 'PORT',
    key: 'port',
    at: 'http.port',
    help: 'HTTP port (0 picks a free one)',
    default: 8080,
    parse: integer(0, 65535, 'a TCP port'),
  }),
  host: define({
    env: 'HOST',
    key: 'host',
    at: 'http.host',
    help: 'listen address; `0.0.0.0` exposes Lurk to the network',
    default: '127.0.0.1',
    parse: nonEmptyString('a host name or IP address', /^[A-Za-z0-9.:\-[\]]+$/),
  }),
  allowedHosts: define({
    env: 'LURK_ALLOWED_HOSTS',
    key: 'allowedHosts',
    at: 'http.allowedHosts',
    help: 'names the web server answers to (any port), comma-separated; `.example.com` for a domain and its subdomains, `*` for any; another `Host` gets 421 (see [Security](#security))',
    default: undefined,
    shownDefault: '`HOST` and `localhost`, `127.0.0.1`, `::1`',
    parse: hostList,
  }),
  publicUrl: define({
    env: 'LURK_PUBLIC_URL',
    key: 'publicUrl',
    at: 'http.publicUrl',
    help: 'the address Twitch delivers EventSub webhooks to (`<url>/eventsub/webhook`): HTTPS on 443 for real Twitch, plain http only for a loopback address; its host is added to the allowed names. Without it real Twitch gets only WebSocket subscriptions (see [EventSub intake](#eventsub-intake))',
    default: undefined,
    shownDefault: "simulator: Lurk's own address; real Twitch: none",
    parse: publicUrl,
  }),
  secretKey: define({
    env: 'LURK_SECRET_KEY',
    key: 'secretKey',
    at: 'secretKey',
    help: 'master key Lurk derives its secrets from (webhook secrets), at least 32 characters; always masked',
    default: undefined,
    shownDefault: 'generated once into `secret.key` beside the SQLite file (or `./data`), mode 0600',
    secret: true,
    parse: nonEmptyString('at least 32 characters', /^\S{32,}$/),
  }),
  eventsubReconcileSeconds: define({
    env: 'LURK_EVENTSUB_RECONCILE_SECONDS',
    key: 'eventsubReconcileSeconds',
    at: 'eventsub.reconcileSeconds',
    help: "EventSub: how often the wanted subscriptions are compared with Twitch's list (and at start)",
    default: 300,
    parse: integer(10, 86_400, 'seconds'),
  }),
  twitchClientId: define({
    env: 'TWITCH_CLIENT_ID',
    key: 'twitchClientId',
    at: 'twitch.clientId',
    help: 'Twitch app client id; absent means simulator mode',
    default: undefined,
    parse: nonEmptyString('a Twitch client id (letters and digits)', /^[A-Za-z0-9]+$/),
  }),
  twitchClientSecret: define({
    env: 'TWITCH_CLIENT_SECRET',
    key: 'twitchClientSecret',
    at: 'twitch.clientSecret',
    help: 'Twitch app secret; required with the id; always masked',
    default: undefined,
    secret: true,
    parse: nonEmptyString('a Twitch client secret', /^[A-Za-z0-9]+$/),
  }),
  twitchOauthUrl: define({
    env: 'LURK_TWITCH_OAUTH_URL',
    key: 'twitchOauthUrl',
    at: 'twitch.oauthUrl',
    help: "Twitch's OAuth base; another Twitch-compatible server (e.g. a `lurk sim` elsewhere, which prints these settings) with the client id",
    default: 'https://id.twitch.tv/oauth2',
    parse: httpUrl('an http(s) URL, e.g. https://id.twitch.tv/oauth2'),
  }),
  twitchHelixUrl: define({
    env: 'LURK_TWITCH_HELIX_URL',
    key: 'twitchHelixUrl',
    at: 'twitch.helixUrl',
    help: "Twitch's Helix API base (EventSub subscriptions included)",
    default: 'https://api.twitch.tv/helix',
    parse: httpUrl('an http(s) URL, e.g. https://api.twitch.tv/helix'),
  }),
  twitchEventSubWsUrl: define({
    env: 'LURK_TWITCH_EVENTSUB_WS_URL',
    key: 'twitchEventSubWsUrl',
    at: 'twitch.eventSubWsUrl',
    help: "Twitch's EventSub WebSocket",
    default: 'wss://eventsub.wss.twitch.tv/ws',
    parse: wsUrl,
  }),
  twitchIrcUrl: define({
    env: 'LURK_TWITCH_IRC_URL',
    key: 'twitchIrcUrl',
    at: 'twitch.ircUrl',
    help: 'Twitch chat (IRC over TCP): `ircs://host:port` with TLS, `irc://host:port` without',
    default: 'ircs://irc.chat.twitch.tv:6697',
    parse: ircUrl,
  }),
  redisUrl: define({
    env: 'REDIS_URL',
    key: 'redisUrl',
    at: 'redisUrl',
    help: 'Redis for scale-out; absent keeps everything in one process',
    default: undefined,
    secret: true,
    parse: redisUrl,
  }),
  logLevel: define({
    env: 'LOG_LEVEL',
    key: 'logLevel',
    at: 'logLevel',
    help: '`fatal`, `error`, `warn`, `info`, `debug`, `trace`, `silent`',
    default: 'info',
    parse: logLevel,
  }),
  bodyLimit: define({
    env: 'LURK_BODY_LIMIT',
    key: 'bodyLimit',
    at: 'http.bodyLimit',
    help: 'largest request body in bytes; larger ones get 413',
    default: 1_048_576,
    parse: integer(1024, 104_857_600, 'a size in bytes'),
  }),
  shutdownTimeoutMs: define({
    env: 'LURK_SHUTDOWN_TIMEOUT_MS',
    key: 'shutdownTimeoutMs',
    at: 'shutdownTimeoutMs',
    help: 'graceful-shutdown deadline, after which the process exits anyway',
    default: 10_000,
    parse: integer(100, 60_000, 'milliseconds'),
  }),
  discoverLanguages: define({
    env: 'LURK_DISCOVER_LANGUAGES',
    key: 'discoverLanguages',
    at: 'discover.languages',
    help: 'Discover: languages to sweep, comma-separated ISO 639-1 codes (`en,de`)',
    default: [] as string[],
    shownDefault: 'empty: every language',
    parse: languageList,
  }),
  discoverMaxViewers: define({
    env: 'LURK_DISCOVER_MAX_VIEWERS',
    key: 'discoverMaxViewers',
    at: 'discover.maxViewers',
    help: 'Discover: streams with at most this many viewers are kept in the pool',
    default: 1,
    parse: integer(0, 10, 'a viewer count'),
  }),
  discoverGraceSweeps: define({
    env: 'LURK_DISCOVER_GRACE_SWEEPS',
    key: 'discoverGraceSweeps',
    at: 'discover.graceSweeps',
    help: 'Discover: a stream missing from this many completed sweeps is removed',
    default: 2,
    parse: integer(1, 20, 'a number of sweeps'),
  }),
  discoverThrottleVisitors: define({
    env: 'LURK_DISCOVER_THROTTLE_VISITORS',
    key: 'discoverThrottleVisitors',
    at: 'discover.throttleVisitors',
    help: 'Discover: a stream handed to this many visitors in the window is set aside (0: never)',
    default: 3,
    parse: integer(0, 1000, 'a number of visitors'),
  }),
  discoverThrottleMinutes: define({
    env: 'LURK_DISCOVER_THROTTLE_MINUTES',
    key: 'discoverThrottleMinutes',
    at: 'discover.throttleMinutes',
    help: 'Discover: the throttle window',
    default: 10,
    parse: integer(1, 1440, 'minutes'),
  }),
  apiRateLimit: define({
    env: 'LURK_API_RATE_LIMIT',
    key: 'apiRateLimit',
    at: 'api.rateLimitPerMinute',
    help: 'public API requests per minute per client address (0: off)',
    default: 120,
    parse: integer(0, 1_000_000, 'requests per minute'),
  }),
  watchtimeTimeZone: define({
    env: 'LURK_WATCHTIME_TIME_ZONE',
    key: 'watchtimeTimeZone',
    at: 'watchtime.timeZone',
    help: 'watch time: IANA time zone days are counted in (daylight saving followed)',
    default: 'UTC',
    parse: timeZone,
  }),
  watchtimeDayStart: define({
    env: 'LURK_WATCHTIME_DAY_START',
    key: 'watchtimeDayStart',
    at: 'watchtime.dayStart',
    help: 'watch time: wall-clock time a day starts at in that zone',
    default: '08:00',
    parse: timeOfDay,
  }),
  watchtimeMinViewers: define({
    env: 'LURK_WATCHTIME_MIN_VIEWERS',
    key: 'watchtimeMinViewers',
    at: 'watchtime.minViewers',
    help: 'watch time: streams with fewer viewers are not counted (keeps storage small)',
    default: 0,
    parse: integer(0, 1_000_000, 'a viewer count'),
  }),
  watchtimeGapSeconds: define({
    env: 'LURK_WATCHTIME_GAP_SECONDS',
    key: 'watchtimeGapSeconds',
    at: 'watchtime.gapSeconds',
    help: 'watch time: samples further apart are an end and a new start',
    default: 600,
    parse: integer(10, 86_400, 'seconds'),
  }),
  watchtimeFlushSeconds: define({
    env: 'LURK_WATCHTIME_FLUSH_SECONDS',
    key: 'watchtimeFlushSeconds',
    at: 'watchtime.flushSeconds',
    help: "watch time: how often counted hours are written (one transaction, at a sweep's end)",
    default: 60,
    parse: integer(0, 3600, 'seconds'),
  }),
  watchtimeSampleSeconds: define({
    env: 'LURK_WATCHTIME_SAMPLE_SECONDS',
    key: 'watchtimeSampleSeconds',
    at: 'watchtime.sampleSeconds',
    help: 'watch time: raw samples stored at most this often per stream',
    default: 300,
    parse: integer(0, 86_400, 'seconds'),
  }),
  watchtimeRawDays: define({
    env: 'LURK_WATCHTIME_RAW_DAYS',
    key: 'watchtimeRawDays',
    at: 'watchtime.rawDays',
    help: 'watch time: days raw samples are kept (rollups are kept for good)',
    default: 3,
    parse: integer(1, 3650, 'days'),
  }),
  digestTime: define({
    env: 'LURK_DIGEST_TIME',
    key: 'digestTime',
    at: 'watchtime.digestTime',
    help: "daily digest: when yesterday's posts go out, in the watch-time zone",
    default: '15:00',
    parse: timeOfDay,
  }),
  digestDir: define({
    env: 'LURK_DIGEST_DIR',
    key: 'digestDir',
    at: 'publish.folder?.dir',
    help: "daily digest: folder publisher's folder (`off` disables it)",
    default: './data/digests',
    parse: nonEmptyString('a folder path, or off'),
    into: (dir, { cwd }) => (dir!.toLowerCase() !== 'off' ? path.resolve(cwd, dir!) : undefined),
    from: (dir) => dir ?? 'off',
  }),
  digestSeed: define({
    env: 'LURK_DIGEST_SEED',
    key: 'digestSeed',
    at: 'watchtime.digestSeed',
    help: 'daily digest: seed of the random game',
    default: 0,
    parse: integer(0, 2_147_483_647, 'a seed'),
  }),
  blueskyService: define({
    env: 'LURK_BLUESKY_SERVICE',
    key: 'blueskyService',
    at: 'publish.bluesky?.service',
    help: 'Bluesky: PDS base URL',
    default: 'https://bsky.social',
    parse: httpUrl('an http(s) URL'),
  }),
  blueskyIdentifier: define({
    env: 'LURK_BLUESKY_IDENTIFIER',
    key: 'blueskyIdentifier',
    at: 'publish.bluesky?.identifier',
    help: 'Bluesky: handle to post as; with the app password turns Bluesky on',
    default: undefined,
    parse: nonEmptyString('a Bluesky handle or DID'),
  }),
  blueskyAppPassword: define({
    env: 'LURK_BLUESKY_APP_PASSWORD',
    key: 'blueskyAppPassword',
    at: 'publish.bluesky?.appPassword',
    help: 'Bluesky: app password (secret)',
    default: undefined,
    secret: true,
    parse: nonEmptyString('an app password'),
  }),
  mastodonUrl: define({
    env: 'LURK_MASTODON_URL',
    key: 'mastodonUrl',
    at: 'publish.mastodon?.baseUrl',
    help: 'Mastodon: instance URL; with the token turns Mastodon on',
    default: undefined,
    parse: httpUrl('an http(s) URL'),
  }),
  mastodonToken: define({
    env: 'LURK_MASTODON_TOKEN',
    key: 'mastodonToken',
    at: 'publish.mastodon?.accessToken',
    help: 'Mastodon: access token (secret)',
    default: undefined,
    secret: true,
    parse: nonEmptyString('an access token'),
  }),
  discordWebhookUrl: define({
    env: 'LURK_DISCORD_WEBHOOK_URL',
    key: 'discordWebhookUrl',
    at: 'publish.discord?.webhookUrl',
    help: 'Discord: channel webhook URL (secret)',
    default: undefined,
    secret: true,
    parse: httpUrl('an http(s) webhook URL'),
  }),
  xBaseUrl: define({
    env: 'LURK_X_BASE_URL',
    key: 'xBaseUrl',
    at: 'publish.x?.baseUrl',
    help: 'X: API base URL',
    default: 'https://api.x.com',
    parse: httpUrl('an http(s) URL'),
  }),
  xApiKey: define({
    env: 'LURK_X_API_KEY',
    key: 'xApiKey',
    at: 'publish.x?.apiKey',
    help: 'X: consumer key; with the three below turns X on (secret)',
    default: undefined,
    secret: true,
    parse: nonEmptyString('an API key'),
  }),
  xApiSecret: define({
    env: 'LURK_X_API_SECRET',
    key: 'xApiSecret',
    at: 'publish.x?.apiSecret',
    help: 'X: consumer secret (secret)',
    default: undefined,
    secret: true,
    parse: nonEmptyString('an API secret'),
  }),
  xAccessToken: define({
    env: 'LURK_X_ACCESS_TOKEN',
    key: 'xAccessToken',
    at: 'publish.x?.accessToken',
    help: 'X: user access token (secret)',
    default: undefined,
    secret: true,
    parse: nonEmptyString('an access token'),
  }),
  xAccessSecret: define({
    env: 'LURK_X_ACCESS_SECRET',
    key: 'xAccessSecret',
    at: 'publish.x?.accessSecret',
    help: 'X: user access token secret (secret)',
    default: undefined,
    secret: true,
    parse: nonEmptyString('an access token secret'),
  }),
  publishTimeoutSeconds: define({
    env: 'LURK_PUBLISH_TIMEOUT_SECONDS',
    key: 'publishTimeoutSeconds',
    at: 'publish.timeoutMs',
    help: 'publishers: how long one call to Bluesky, Mastodon, Discord or X (answer included) may take; past it the post counts as failed and is retried',
    default: 30,
    parse: integer(1, 600, 'seconds'),
    into: (seconds) => seconds! * 1000,
    from: (ms) => ms! / 1000,
  }),
  answersPollSeconds: define({
    env: 'LURK_ANSWERS_POLL_SECONDS',
    key: 'answersPollSeconds',
    at: 'watchtime.answersPollSeconds',
    help: 'answers: how often Bluesky and Mastodon mentions are read (0: never)',
    default: 60,
    parse: integer(0, 86_400, 'seconds'),
  }),
  chatChannelsPerConnection: define({
    env: 'LURK_CHAT_CHANNELS_PER_CONNECTION',
    key: 'chatChannelsPerConnection',
    at: 'chat.channelsPerConnection',
    help: 'chat: channels read per anonymous connection; more channels open more connections',
    default: 100,
    parse: integer(1, 1000, 'channels'),
  }),
  moodChannels: define({
    env: 'LURK_MOOD_CHANNELS',
    key: 'moodChannels',
    at: 'mood.channels',
    help: 'mood: Twitch channels whose chat mood is tracked (more can be added on the Mood page or `POST /api/mood/channels`)',
    default: [] as string[],
    parse: loginList,
  }),
  moodTop: define({
    env: 'LURK_MOOD_TOP',
    key: 'moodTop',
    at: 'mood.top',
    help: 'mood: also track the N live channels with the most viewers, following the ranking as it changes (0: off)',
    default: 0,
    parse: integer(0, 1000, 'a channel count'),
  }),
  moodLexicon: define({
    env: 'LURK_MOOD_LEXICON',
    key: 'moodLexicon',
    at: 'mood.lexiconFile',
    help: 'mood: a lexicon file whose entries add to or override Lurk\'s own (format in the README, "Mood")',
    default: undefined,
    parse: nonEmptyString('a file path'),
    into: (file, { cwd }) => (file === undefined ? undefined : path.resolve(cwd, file)),
  }),
  moodRawRetentionHours: define({
    env: 'LURK_MOOD_RAW_RETENTION_HOURS',
    key: 'moodRawRetentionHours',
    at: 'mood.rawRetentionHours',
    help: "mood: keep tracked channels' raw chat messages this many hours (0: not kept; per-minute aggregates and moments are kept for good)",
    default: 0,
    parse: integer(0, 24 * 90, 'hours'),
  }),
  audienceChannels: define({
    env: 'LURK_AUDIENCE_CHANNELS',
    key: 'audienceChannels',
    at: 'audience.channels',
    help: 'audience: Twitch channels whose audience is watched (more can be added on the Audience page or `POST /api/audience/channels`)',
    default: [] as string[],
    parse: loginList,
  }),
  audienceTop: define({
    env: 'LURK_AUDIENCE_TOP',
    key: 'audienceTop',
    at: 'audience.top',
    help: 'audience: also watch the N live channels with the most viewers, following the ranking (0: off; the default is what one anonymous chat connection reads)',
    default: 100,
    parse: integer(0, 10_000, 'a channel count'),
  }),
  audienceLingerSeconds: define({
    env: 'LURK_AUDIENCE_LINGER_SECONDS',
    key: 'audienceLingerSeconds',
    at: 'audience.lingerSeconds',
    help: "audience: a user's presence in a channel ends at a PART, or this long after their last signal there",
    default: 600,
    parse: integer(30, 86_400, 'seconds'),
  }),
  audienceMoveWindowSeconds: define({
    env: 'LURK_AUDIENCE_MOVE_WINDOW_SECONDS',
    key: 'audienceMoveWindowSeconds',
    at: 'audience.moveWindowSeconds',
    help: 'audience: a move A → B needs the first signal in B at most this long after the user left A',
    default: 600,
    parse: integer(10, 7_200, 'seconds'),
  }),
  audiencePerUser: define({
    env: 'LURK_AUDIENCE_PER_USER',
    key: 'audiencePerUser',
    at: 'audience.perUser',
    help: 'audience: serve per-user move rows (who moved where) through the API; off, only aggregates are served',
    default: false,
    parse: flag,
  }),
  audiencePerUserDays: define({
    env: 'LURK_AUDIENCE_PER_USER_DAYS',
    key: 'audiencePerUserDays',
    at: 'audience.perUserDays',
    help: 'audience: per-user move rows and per-user activity (what overlap is counted from) are kept this many days (at least 7: overlap looks back 7)',
    default: 7,
    parse: integer(7, 365, 'days'),
  }),
  liveRetentionDays: define({
    env: 'LURK_LIVE_RETENTION_DAYS',
    key: 'liveRetentionDays',
    at: 'live.retentionDays',
    help: "live: keep each channel's events (follows, subs, cheers, raids …) this many days (0: for good)",
    default: 90,
    parse: integer(0, 36_500, 'days'),
  }),
  liveSessionDays: define({
    env: 'LURK_LIVE_SESSION_DAYS',
    key: 'liveSessionDays',
    at: 'live.sessionDays',
    help: 'live: a login to Lurk lasts this many days after the last visit (the Twitch token is refreshed meanwhile)',
    default: 30,
    parse: integer(1, 365, 'days'),
  }),
  liveMaxClients: define({
    env: 'LURK_LIVE_MAX_CLIENTS',
    key: 'liveMaxClients',
    at: 'live.maxClients',
    help: 'live: event sockets (stream pages and overlays) served at once; one more is refused with 1013 (try again later)',
    default: 20_000,
    parse: integer(1, 1_000_000, 'a client count'),
  }),
  watchtimeChatChannels: define({
    env: 'LURK_WATCHTIME_CHAT_CHANNELS',
    key: 'watchtimeChatChannels',
    at: 'watchtime.chatChannels',
    help: 'answers: Twitch channels whose chat gets `!watchtime` replies',
    default: [] as string[],
    parse: loginList,
  }),
  chatLogin: define({
    env: 'LURK_CHAT_LOGIN',
    key: 'chatLogin',
    at: 'watchtime.chat?.login',
    help: 'chat: bot account answering `!watchtime` (real Twitch; the simulator lends one)',
    default: undefined,
    parse: nonEmptyString('a Twitch login', /^[A-Za-z0-9_]{1,25}$/),
  }),
  chatToken: define({
    env: 'LURK_CHAT_TOKEN',
    key: 'chatToken',
    at: 'watchtime.chat?.token',
    help: 'chat: its user token with chat:read and chat:edit (secret)',
    default: undefined,
    secret: true,
    parse: nonEmptyString('a user access token'),
  }),
  simSeed: define({
    env: 'LURK_SIM_SEED',
    key: 'simSeed',
    at: 'sim.seed',
    help: 'simulator: the seed its world grows from',
    default: 42,
    parse: integer(0, 2_147_483_647, 'a seed'),
  }),
  simChannels: define({
    env: 'LURK_SIM_CHANNELS',
    key: 'simChannels',
    at: 'sim.channels',
    help: 'simulator: registered channels',
    default: 20_000,
    parse: integer(1, 1_000_000, 'a channel count'),
  }),
  simLive: define({
    env: 'LURK_SIM_LIVE',
    key: 'simLive',
    at: 'sim.live',
    help: 'simulator: live channels it keeps',
    default: undefined,
    shownDefault: 'a quarter of the channels',
    parse: integer(0, 1_000_000, 'a live channel count'),
    into: (live, { values }) => live ?? Math.floor((values.simChannels as number) / 4),
  }),
  simSpeed: define({
    env: 'LURK_SIM_SPEED',
    key: 'simSpeed',
    at: 'sim.speed',
    help: "simulator: simulated seconds per real second; `0` stands still until advanced; above `1` the Helix rate limit and Lurk's budget run on simulated time too, and `lurk start` refuses (exit 2) a speed this machine cannot run honestly (see [Time](#the-twitch-simulator))",
    default: 1,
    parse: decimal(0, 100_000, 'a speed'),
  }),
  simPort: define({
    env: 'LURK_SIM_PORT',
    key: 'simPort',
    at: 'sim.port',
    help: 'simulator: HTTP (OAuth, Helix, EventSub, `/_sim`)',
    default: 8081,
    parse: integer(0, 65535, 'a TCP port'),
  }),
  simIrcPort: define({
    env: 'LURK_SIM_IRC_PORT',
    key: 'simIrcPort',
    at: 'sim.ircPort',
    help: 'simulator: IRC over TCP',
    default: 6667,
    parse: integer(0, 65535, 'a TCP port'),
  }),
  simIrcWsPort: define({
    env: 'LURK_SIM_IRC_WS_PORT',
    key: 'simIrcWsPort',
    at: 'sim.ircWsPort',
    help: 'simulator: IRC over WebSocket',
    default: 8082,
    parse: integer(0, 65535, 'a TCP port'),
  }),
};

export type SettingName = keyof typeof settings;

/** `LURK_CONFIG`: not a setting (it says where the settings are), but in the README's table. */
export const CONFIG_FILE = {
  env: 'LURK_CONFIG',
  /** read from the working directory when LURK_CONFIG is not set */
  defaultName: 'lurk.config.json',
  help: 'path of the config file',
} as const;
