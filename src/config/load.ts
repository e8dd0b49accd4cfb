import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_FILE, isLoopbackHost, settings, type LurkConfig, type Setting, type SettingName, type SettingsShape, type Source } from './settings.js';

export type { LurkConfig, Mode, PublishConfig, Source, WatchtimeConfig } from './settings.js';

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

const CONFIG_FILE_ENV = CONFIG_FILE.env;
const DEFAULT_CONFIG_FILE = CONFIG_FILE.defaultName;
/** LURK_* variables that are not settings but are read elsewhere (tests, tooling). */
const OTHER_LURK_VARS = new Set([CONFIG_FILE_ENV, 'LURK_TEST_PG_URL', 'LURK_TEST_REDIS_URL', 'LURK_BENCH_QUICK']);
const declared = Object.entries(settings) as [SettingName, Setting<unknown>][];

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
      const allowed = [...envNames]
        .filter((n) => n.startsWith('LURK_'))
        .concat(CONFIG_FILE_ENV)
        .join(', ');
      problems.push({ name, message: `unknown LURK_ variable; known ones are ${allowed}` });
    }
  }

  const values: Record<string, unknown> = {};
  const sources = {} as Record<SettingName, Source>;
  // set but not valid: already reported, so not "required" as well below
  const invalid = new Set<SettingName>();
  const isSet = (name: SettingName) => values[name] !== undefined || invalid.has(name);
  for (const [name, setting] of declared) {
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

  // another Twitch's addresses are for real mode: without the app's credentials the built-in simulator would run and ignore them
  if (!idSet) {
    for (const name of ['twitchOauthUrl', 'twitchHelixUrl', 'twitchEventSubWsUrl', 'twitchIrcUrl'] as const) {
      if (sources[name] !== 'default')
        problems.push({
          name: settings[name].env,
          message: `needs ${settings.twitchClientId.env} and ${settings.twitchClientSecret.env} too (\`lurk sim\` prints all of them); without them the built-in simulator runs`,
        });
    }
  }

  // Twitch delivers only to HTTPS; plain http is for a loopback address (the simulator, a local proxy)
  const url = values.publicUrl as string | undefined;
  if (url !== undefined && hasId && url.startsWith('http:') && !isLoopbackHost(new URL(url).hostname)) {
    problems.push({ name: settings.publicUrl.env, message: `${JSON.stringify(url)} is plain http to a host other than this machine; real Twitch delivers webhooks only over https://` });
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

  return {
    mode: hasId ? 'twitch' : 'simulator',
    ...land(values, cwd),
    ...(file ? { configFile: file } : {}),
    sources,
  };
}

/** the steps of a setting's path: `publish.bluesky?.service` is publish, bluesky (may be absent), service */
function steps(at: string): { key: string; optional: boolean }[] {
  return at.split('.').map((step) => (step.endsWith('?') ? { key: step.slice(0, -1), optional: true } : { key: step, optional: false }));
}

/** Puts every value where its declaration says; an object marked `?` is left out unless all of its settings have a value. */
function land(values: Record<string, unknown>, cwd: string): SettingsShape {
  const shape: Record<string, unknown> = {};
  const optional = new Map<string, { parent: Record<string, unknown>; key: string; complete: boolean }>();
  for (const [name, setting] of declared) {
    const value = setting.into ? setting.into(values[name], { cwd, values }) : values[name];
    const route = steps(setting.at);
    let node = shape;
    for (const [i, step] of route.slice(0, -1).entries()) {
      const parent = node;
      node = (parent[step.key] ??= {}) as Record<string, unknown>;
      if (step.optional) {
        const where = setting.at
          .split('.')
          .slice(0, i + 1)
          .join('.');
        const entry = optional.get(where) ?? { parent, key: step.key, complete: true };
        entry.complete &&= value !== undefined;
        optional.set(where, entry);
      }
    }
    if (value !== undefined) node[route.at(-1)!.key] = value;
  }
  for (const { parent, key, complete } of optional.values()) if (!complete) delete parent[key];
  return shape as unknown as SettingsShape;
}

/** A setting's value read back from a LurkConfig (what `lurk config` shows). */
function current(config: LurkConfig, setting: Setting<unknown>): unknown {
  let node: unknown = config;
  for (const { key } of steps(setting.at)) node = node === undefined ? undefined : (node as Record<string, unknown>)[key];
  return setting.from ? setting.from(node) : (node ?? setting.default);
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
  return declared.map(([name, s]) => {
    const v = current(config, s);
    let value = v === undefined ? '(not set)' : Array.isArray(v) ? v.join(',') || '(all)' : String(v);
    if (v !== undefined && typeof v === 'string') {
      if (/^\w+:\/\//.test(v)) value = s.secret && /^https?:/.test(v) ? maskSecretUrl(v) : maskUrl(v);
      if (s.secret && !/^\w+:\/\//.test(v)) value = SECRET_SHOWN;
    }
    return { env: s.env, key: s.key, value, source: config.sources[name] };
  });
}
