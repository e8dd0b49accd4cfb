import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { settings, type LogLevel, type Setting, type SettingName } from './settings.js';

import type { Mode } from '../status/types.js';

export type { Mode };
export type Source = 'default' | 'env' | 'file';

/** The one typed configuration object every part of Lurk receives. */
export interface LurkConfig {
  mode: Mode;
  database: { url: string; kind: 'sqlite' | 'postgres'; sqlitePath?: string };
  /** allowedHosts: absent means the default (src/web/origin.ts hostPolicy) */
  http: { host: string; port: number; bodyLimit: number; allowedHosts?: string[] };
  twitch: { clientId?: string; clientSecret?: string };
  redisUrl?: string;
  logLevel: LogLevel;
  shutdownTimeoutMs: number;
  discover: { languages: string[]; maxViewers: number; graceSweeps: number; throttleVisitors: number; throttleMinutes: number };
  api: { rateLimitPerMinute: number };
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

export interface ConfigProblem {
  /** the variable or file key at fault, e.g. `PORT` or `lurk.config.json: port` */
  name: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.name}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const CONFIG_FILE_ENV = 'LURK_CONFIG';
const DEFAULT_CONFIG_FILE = 'lurk.config.json';
/** LURK_* variables that are not settings but are read elsewhere (tests, tooling). */
const OTHER_LURK_VARS = new Set([CONFIG_FILE_ENV, 'LURK_TEST_PG_URL', 'LURK_TEST_REDIS_URL', 'LURK_BENCH_QUICK']);

function describe(raw: unknown): string {
  // a malformed URL still has its password masked (DATABASE_URL is not a secret, its password is)
  const text = typeof raw === 'string' ? maskUrl(raw) : JSON.stringify(raw);
  return text.length > 60 ? `${JSON.stringify(text.slice(0, 57))}…` : JSON.stringify(text);
}

function readConfigFile(env: NodeJS.ProcessEnv, cwd: string, problems: ConfigProblem[]) {
  const explicit = env[CONFIG_FILE_ENV];
  const file = path.resolve(cwd, explicit ?? DEFAULT_CONFIG_FILE);
  if (!existsSync(file)) {
    if (explicit) problems.push({ name: CONFIG_FILE_ENV, message: `file ${file} does not exist` });
    return { file: undefined, values: {} as Record<string, unknown> };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    problems.push({ name: path.basename(file), message: `is not valid JSON (${(err as Error).message})` });
    return { file, values: {} };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    problems.push({ name: path.basename(file), message: 'must contain a JSON object of settings' });
    return { file, values: {} };
  }
  return { file, values: parsed as Record<string, unknown> };
}

/**
 * Reads the environment and the optional config file, validates every value, and
 * reports all problems at once (ConfigError) rather than the first one found.
 * The environment wins over the file; the file wins over defaults.
 */
export function loadConfig(options: LoadOptions = {}): LurkConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const problems: ConfigProblem[] = [];
  const { file, values: fileValues } = readConfigFile(env, cwd, problems);
  const fileLabel = file ? path.basename(file) : DEFAULT_CONFIG_FILE;

  const known = new Map(Object.entries(settings).map(([name, s]) => [s.key, name]));
  for (const key of Object.keys(fileValues)) {
    if (!known.has(key)) {
      const allowed = [...known.keys()].join(', ');
      problems.push({ name: `${fileLabel}: ${key}`, message: `unknown setting; allowed keys are ${allowed}` });
    }
  }
  const envNames = new Set(Object.values(settings).map((s) => s.env));
  for (const name of Object.keys(env)) {
    if (name.startsWith('LURK_') && !envNames.has(name) && !OTHER_LURK_VARS.has(name)) {
      const allowed = [...envNames].filter((n) => n.startsWith('LURK_')).concat(CONFIG_FILE_ENV).join(', ');
      problems.push({ name, message: `unknown LURK_ variable; known ones are ${allowed}` });
    }
  }

  const values: Record<string, unknown> = {};
  const sources = {} as Record<SettingName, Source>;
  // set but not valid: already reported, so not "required" as well below
  const invalid = new Set<SettingName>();
  const isSet = (name: SettingName) => values[name] !== undefined || invalid.has(name);
  for (const [name, setting] of Object.entries(settings) as [SettingName, Setting<unknown>][]) {
    const fromEnv = env[setting.env];
    let raw: unknown;
    let label: string;
    if (fromEnv !== undefined && fromEnv !== '') {
      raw = fromEnv;
      label = setting.env;
      sources[name] = 'env';
    } else if (fileValues[setting.key] !== undefined && fileValues[setting.key] !== null) {
      raw = fileValues[setting.key];
      label = `${fileLabel}: ${setting.key}`;
      sources[name] = 'file';
    } else {
      values[name] = setting.default;
      sources[name] = 'default';
      continue;
    }
    const parsed = setting.parse(raw);
    if (parsed.ok) {
      values[name] = parsed.value;
    } else {
      const shown = setting.secret ? '(hidden)' : describe(raw);
      invalid.add(name);
      problems.push({ name: label, message: `${shown} is not valid; expected ${parsed.expected}` });
    }
  }

  const hasId = values.twitchClientId !== undefined;
  // set, valid or not: an invalid id is reported as such above, and the secret is still the one missing
  const idSet = isSet('twitchClientId');
  if (idSet !== isSet('twitchClientSecret')) {
    problems.push({
      name: idSet ? settings.twitchClientSecret.env : settings.twitchClientId.env,
      message: `is required when ${idSet ? settings.twitchClientId.env : settings.twitchClientSecret.env} is set (set both for real Twitch, neither for the simulator)`,
    });
  }

  if (values.simLive !== undefined && (values.simLive as number) > (values.simChannels as number)) {
    problems.push({ name: settings.simLive.env, message: `${values.simLive} is more than the ${values.simChannels} channels (${settings.simChannels.env})` });
  }

  // settings that only work together: one set without the others is a mistake
  const groups: [string, SettingName[]][] = [
    ['the Bluesky publisher', ['blueskyIdentifier', 'blueskyAppPassword']],
    ['the Mastodon publisher', ['mastodonUrl', 'mastodonToken']],
    ['the X publisher', ['xApiKey', 'xApiSecret', 'xAccessToken', 'xAccessSecret']],
    ['the chat bot', ['chatLogin', 'chatToken']],
  ];
  for (const [what, names] of groups) {
    const set = names.filter(isSet);
    if (set.length > 0 && set.length < names.length) {
      for (const n of names.filter((n) => !isSet(n))) {
        problems.push({ name: settings[n].env, message: `is required for ${what} when ${set.map((s) => settings[s].env).join(', ')} ${set.length > 1 ? 'are' : 'is'} set` });
      }
    }
  }

  if ((values.watchtimeChatChannels as string[]).length > 0 && hasId) {
    for (const name of ['chatLogin', 'chatToken'] as const) {
      if (!isSet(name)) problems.push({ name: settings[name].env, message: `is required with ${settings.watchtimeChatChannels.env} on real Twitch (the bot account that answers)` });
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);

  const databaseUrl = values.databaseUrl as string;
  const kind = databaseUrl.startsWith('sqlite:') ? 'sqlite' : 'postgres';
  const sqliteTarget = databaseUrl.slice('sqlite:'.length);
  return {
    mode: hasId ? 'twitch' : 'simulator',
    database: {
      url: databaseUrl,
      kind,
      ...(kind === 'sqlite' ? { sqlitePath: sqliteTarget === ':memory:' ? ':memory:' : path.resolve(cwd, sqliteTarget) } : {}),
    },
    http: { host: values.host as string, port: values.port as number, bodyLimit: values.bodyLimit as number, ...(values.allowedHosts ? { allowedHosts: values.allowedHosts as string[] } : {}) },
    twitch: hasId ? { clientId: values.twitchClientId as string, clientSecret: values.twitchClientSecret as string } : {},
    ...(values.redisUrl ? { redisUrl: values.redisUrl as string } : {}),
    logLevel: values.logLevel as LogLevel,
    shutdownTimeoutMs: values.shutdownTimeoutMs as number,
    discover: {
      languages: values.discoverLanguages as string[],
      maxViewers: values.discoverMaxViewers as number,
      graceSweeps: values.discoverGraceSweeps as number,
      throttleVisitors: values.discoverThrottleVisitors as number,
      throttleMinutes: values.discoverThrottleMinutes as number,
    },
    api: { rateLimitPerMinute: values.apiRateLimit as number },
    watchtime: {
      timeZone: values.watchtimeTimeZone as string,
      dayStart: values.watchtimeDayStart as string,
      minViewers: values.watchtimeMinViewers as number,
      gapSeconds: values.watchtimeGapSeconds as number,
      flushSeconds: values.watchtimeFlushSeconds as number,
      sampleSeconds: values.watchtimeSampleSeconds as number,
      rawDays: values.watchtimeRawDays as number,
      digestTime: values.digestTime as string,
      digestSeed: values.digestSeed as number,
      answersPollSeconds: values.answersPollSeconds as number,
      chatChannels: values.watchtimeChatChannels as string[],
      ...(values.chatLogin ? { chat: { login: values.chatLogin as string, token: values.chatToken as string } } : {}),
    },
    publish: {
      timeoutMs: (values.publishTimeoutSeconds as number) * 1000,
      ...((values.digestDir as string).toLowerCase() !== 'off' ? { folder: { dir: path.resolve(cwd, values.digestDir as string) } } : {}),
      ...(values.blueskyIdentifier
        ? { bluesky: { service: values.blueskyService as string, identifier: values.blueskyIdentifier as string, appPassword: values.blueskyAppPassword as string } }
        : {}),
      ...(values.mastodonUrl ? { mastodon: { baseUrl: values.mastodonUrl as string, accessToken: values.mastodonToken as string } } : {}),
      ...(values.discordWebhookUrl ? { discord: { webhookUrl: values.discordWebhookUrl as string } } : {}),
      ...(values.xApiKey
        ? {
            x: {
              baseUrl: values.xBaseUrl as string,
              apiKey: values.xApiKey as string,
              apiSecret: values.xApiSecret as string,
              accessToken: values.xAccessToken as string,
              accessSecret: values.xAccessSecret as string,
            },
          }
        : {}),
    },
    sim: {
      seed: values.simSeed as number,
      channels: values.simChannels as number,
      live: (values.simLive as number | undefined) ?? Math.floor((values.simChannels as number) / 4),
      speed: values.simSpeed as number,
      port: values.simPort as number,
      ircPort: values.simIrcPort as number,
      ircWsPort: values.simIrcWsPort as number,
    },
    ...(file ? { configFile: file } : {}),
    sources,
  };
}

/** How a secret is printed: that it is set, and nothing of it (not even its length or ends). */
export const SECRET_SHOWN = '(set, hidden)';

/** Query parameters that carry a secret: password, sslpassword, passfile's neighbours, token, secret… */
const SECRET_PARAM = /([?&;][^=&#;]*(?:pass|pwd|secret|token|auth)[^=&#;]*=)[^&#;]*/gi;
// scheme://user:password@, also malformed: the // forgotten (postgres:user:password@host), no
// scheme at all (user:password@host), or behind quotes or brackets ("postgres://…" from a .env file)
const USERINFO_PASSWORD = /^(\W*(?:[a-z][\w+.-]*:)?(?:\/\/)?[^:/?#@]*:)(?!\/\/)(.*)@/is;

/**
 * Hides the password of a URL, in its user info and in its query (`?password=`, `sslpassword=`).
 * Works on text rather than a parsed URL, so a malformed one (the case an error message shows)
 * is masked too; when unsure where the user info ends it hides more, up to the last `@`.
 */
export function maskUrl(url: string): string {
  return url.replace(USERINFO_PASSWORD, '$1****@').replace(SECRET_PARAM, '$1****');
}

/** a URL whose path is the secret (a Discord webhook): keep only where it points */
export function maskSecretUrl(url: string): string {
  try {
    return `${new URL(url).origin}/****`;
  } catch {
    return '****';
  }
}

/** Rows of `setting | value | source`, secrets masked, for `lurk config`. */
export function describeConfig(config: LurkConfig): { env: string; key: string; value: string; source: Source }[] {
  const current: Record<SettingName, unknown> = {
    databaseUrl: config.database.url,
    port: config.http.port,
    host: config.http.host,
    allowedHosts: config.http.allowedHosts,
    twitchClientId: config.twitch.clientId,
    twitchClientSecret: config.twitch.clientSecret,
    redisUrl: config.redisUrl,
    logLevel: config.logLevel,
    bodyLimit: config.http.bodyLimit,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    discoverLanguages: config.discover.languages,
    discoverMaxViewers: config.discover.maxViewers,
    discoverGraceSweeps: config.discover.graceSweeps,
    discoverThrottleVisitors: config.discover.throttleVisitors,
    discoverThrottleMinutes: config.discover.throttleMinutes,
    apiRateLimit: config.api.rateLimitPerMinute,
    watchtimeTimeZone: config.watchtime.timeZone,
    watchtimeDayStart: config.watchtime.dayStart,
    watchtimeMinViewers: config.watchtime.minViewers,
    watchtimeGapSeconds: config.watchtime.gapSeconds,
    watchtimeFlushSeconds: config.watchtime.flushSeconds,
    watchtimeSampleSeconds: config.watchtime.sampleSeconds,
    watchtimeRawDays: config.watchtime.rawDays,
    digestTime: config.watchtime.digestTime,
    digestDir: config.publish.folder?.dir ?? 'off',
    digestSeed: config.watchtime.digestSeed,
    blueskyService: config.publish.bluesky?.service ?? settings.blueskyService.default,
    blueskyIdentifier: config.publish.bluesky?.identifier,
    blueskyAppPassword: config.publish.bluesky?.appPassword,
    mastodonUrl: config.publish.mastodon?.baseUrl,
    mastodonToken: config.publish.mastodon?.accessToken,
    discordWebhookUrl: config.publish.discord?.webhookUrl,
    xBaseUrl: config.publish.x?.baseUrl ?? settings.xBaseUrl.default,
    xApiKey: config.publish.x?.apiKey,
    xApiSecret: config.publish.x?.apiSecret,
    xAccessToken: config.publish.x?.accessToken,
    xAccessSecret: config.publish.x?.accessSecret,
    publishTimeoutSeconds: config.publish.timeoutMs / 1000,
    answersPollSeconds: config.watchtime.answersPollSeconds,
    watchtimeChatChannels: config.watchtime.chatChannels,
    chatLogin: config.watchtime.chat?.login,
    chatToken: config.watchtime.chat?.token,
    simSeed: config.sim.seed,
    simChannels: config.sim.channels,
    simLive: config.sim.live,
    simSpeed: config.sim.speed,
    simPort: config.sim.port,
    simIrcPort: config.sim.ircPort,
    simIrcWsPort: config.sim.ircWsPort,
  };
  return (Object.entries(settings) as [SettingName, Setting<unknown>][]).map(([name, s]) => {
    const v = current[name];
    let value = v === undefined ? '(not set)' : Array.isArray(v) ? v.join(',') || '(all)' : String(v);
    if (v !== undefined && typeof v === 'string') {
      if (/^\w+:\/\//.test(v)) value = s.secret && /^https?:/.test(v) ? maskSecretUrl(v) : maskUrl(v);
      if (s.secret && !/^\w+:\/\//.test(v)) value = SECRET_SHOWN;
    }
    return { env: s.env, key: s.key, value, source: config.sources[name] };
  });
}
