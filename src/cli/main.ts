import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { moodClassify } from './mood-classify.js';
import { ConfigError, describeConfig, loadConfig, maskUrl, type LurkConfig } from '../config/load.js';
import { listenError, SettingError, simPortSetting } from '../config/setting-error.js';
import { settings } from '../config/settings.js';
import { createLogger } from '../core/logger.js';
import { createClassifier } from '../mood/classifier/index.js';
import { configuredEndpoints, describeEndpoints, simulatorEndpoints } from '../twitch/endpoints.js';
import { EVENTSUB_WEBHOOK_PATH } from '../twitch/eventsub/webhook.js';
import { SystemClock } from '../core/clock.js';

// Each command imports what it needs when it runs: `lurk mood classify` and `--help` start in a
// fraction of the time the whole app's import graph takes.
const lazy = {
  app: () => import('../app.js'),
  chatTail: () => import('./chat-tail.js'),
  sim: () => import('../sim/index.js'),
  store: () => import('../store/database.js'),
  redis: () => import('ioredis'),
  calendar: () => import('../watchtime/calendar.js'),
  digest: () => import('../watchtime/digest.js'),
  watchtime: () => import('../watchtime/module.js'),
};

/** Exit codes: 0 ok, 1 runtime failure (a service is down), 2 bad input (flags, config). */
const EXIT_FAILURE = 1;
const EXIT_BAD_INPUT = 2;

function configOrExit(): LurkConfig {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`lurk: ${err.message}\n`);
      process.exit(EXIT_BAD_INPUT);
    }
    throw err;
  }
}

async function checkRedis(url: string): Promise<string | undefined> {
  const { Redis } = await lazy.redis();
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const pong = await redis.ping();
    return pong === 'PONG' ? undefined : `unexpected answer ${pong}`;
  } catch (err) {
    return (err as Error).message || 'no answer';
  } finally {
    redis.disconnect();
  }
}

async function commandStart(): Promise<void> {
  const { createLurk } = await lazy.app();
  const config = configOrExit();
  const lurk = await createLurk(config);
  let exiting = false;
  const shutdown = (signal: string) => {
    if (exiting) {
      lurk.log.warn({ signal }, 'second signal: exiting now');
      process.exit(EXIT_FAILURE);
    }
    exiting = true;
    lurk.log.info({ signal }, 'signal received');
    // Hard deadline: a stuck connection or job never keeps the process alive past it.
    setTimeout(() => {
      lurk.log.error({ timeoutMs: config.shutdownTimeoutMs }, 'graceful shutdown timed out');
      process.exit(EXIT_FAILURE);
    }, config.shutdownTimeoutMs).unref();
    lurk.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        lurk.log.error({ err }, 'shutdown failed');
        process.exit(EXIT_FAILURE);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  try {
    const url = await lurk.start();
    const twitch = config.mode === 'simulator' ? 'Simulated Twitch' : describeEndpoints(configuredEndpoints(config.twitch));
    process.stderr.write(`Lurk ${VERSION} is running at ${url} (${twitch}, ${lurk.store.label})\n`);
  } catch (err) {
    if (err instanceof ConfigError) {
      // a setting Lurk can only judge once running (LURK_SIM_SPEED on this machine)
      process.stderr.write(`lurk: ${err.message}\n`);
      await lurk.stop().catch(() => undefined);
      process.exit(EXIT_BAD_INPUT);
    }
    // a taken port names the setting that chose it (PORT, LURK_SIM_PORT, …): that is for the user to change
    process.stderr.write(`lurk: could not start: ${(err as Error).message}\n`);
    await lurk.stop().catch(() => undefined);
    process.exit(err instanceof SettingError ? EXIT_BAD_INPUT : EXIT_FAILURE);
  }
}

async function commandMigrate(opts: { dryRun?: boolean }): Promise<void> {
  const { openStore } = await lazy.store();
  const config = configOrExit();
  const store = await openStore({ url: config.database.url });
  try {
    if (opts.dryRun) {
      const pending = await store.pendingMigrations();
      process.stdout.write(pending.length === 0 ? `${store.label}: up to date\n` : `${store.label}: ${pending.length} pending: ${pending.join(', ')}\n`);
      return;
    }
    const report = await store.migrate();
    process.stdout.write(report.applied.length === 0 ? `${store.label}: up to date (${report.alreadyApplied} migrations applied earlier)\n` : `${store.label}: applied ${report.applied.join(', ')}\n`);
  } finally {
    await store.close();
  }
}

async function commandDigest(opts: { day?: string; dryRun?: boolean }): Promise<void> {
  const [{ dayProblem }, { toDigestPost }, { createWatchtimeService, watchtimeDigest }, { openStore }] = await Promise.all([lazy.calendar(), lazy.digest(), lazy.watchtime(), lazy.store()]);
  const dayProblemText = opts.day === undefined ? undefined : dayProblem(opts.day);
  if (dayProblemText) {
    process.stderr.write(`lurk: --day: ${dayProblemText}\n`);
    process.exit(EXIT_BAD_INPUT);
  }
  const config = configOrExit();
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const store = await openStore({ url: config.database.url });
  try {
    await store.migrate();
    const clock = new SystemClock();
    const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
    // the watch-time module's own service and digest, without its jobs, routes or bus
    const parts = { config, store, clock, log };
    const watch = createWatchtimeService(parts);
    const digests = watchtimeDigest(parts, watch);
    const { publishers } = digests;
    const day = opts.day ?? digests.dueDay();
    progress(`composing the digest for ${day} (days start ${watch.calendar.label} ${watch.calendar.timeZone})…`);
    const digest = opts.dryRun ? await digests.compose(day) : await digests.stored(day);
    if (!digest) {
      process.stdout.write(`No watch time is recorded for ${day}; nothing to post.\n`);
      return;
    }
    digest.posts.forEach((post, i) => {
      progress(`rendering chart ${i + 1}/${digest.posts.length} (${post.key})…`);
      const png = toDigestPost(day, post).image!.png;
      process.stdout.write(`\n--- ${post.key} (chart ${png.length.toLocaleString('en-US')} bytes PNG)\n${post.text}\n`);
    });
    if (opts.dryRun) {
      process.stdout.write(`\ndry run: nothing posted (${publishers.length ? publishers.map((p) => p.name).join(', ') : 'no publisher'} configured)\n`);
      return;
    }
    if (publishers.length === 0) {
      process.stdout.write('\nno publisher is configured (LURK_DIGEST_DIR is off and no network is set up); nothing posted\n');
      return;
    }
    const outcomes = await digests.publish(digest, progress);
    process.stdout.write('\n');
    for (const o of outcomes) process.stdout.write(`${o.publisher} ${o.key}: ${o.status}${o.url ? ` ${o.url}` : ''}${o.error ? ` (${o.error})` : ''}\n`);
    if (outcomes.some((o) => o.status === 'failed' || o.status === 'gave-up')) process.exitCode = EXIT_FAILURE;
  } finally {
    await store.close();
  }
}

/** how EventSub reaches this Lurk: the one line `lurk config` gives it */
function eventSubTransportLine(config: LurkConfig): string {
  if (config.http.publicUrl) return `webhooks at ${config.http.publicUrl}${EVENTSUB_WEBHOOK_PATH}, WebSocket for user-token topics`;
  if (config.mode === 'simulator') return "webhooks at Lurk's own address (simulator), WebSocket for user-token topics";
  return `no ${settings.publicUrl.env}: webhooks are off, EventSub uses WebSocket only (topics a user token can subscribe to)`;
}

async function commandConfig(opts: { json?: boolean; check: boolean }): Promise<void> {
  const { openStore } = await lazy.store();
  const config = configOrExit();
  const rows = describeConfig(config);
  const checks: { name: string; target: string; ok: boolean; detail: string }[] = [];
  if (opts.check) {
    try {
      const store = await openStore({ url: config.database.url });
      try {
        await store.ping();
        const pending = await store.pendingMigrations();
        checks.push({ name: 'database', target: store.label, ok: true, detail: pending.length === 0 ? 'answers, schema up to date' : `answers, ${pending.length} migrations pending (lurk migrate)` });
      } finally {
        await store.close();
      }
    } catch (err) {
      checks.push({ name: 'database', target: maskUrl(config.database.url), ok: false, detail: (err as Error).message });
      if (err instanceof SettingError) process.exitCode = EXIT_BAD_INPUT;
    }
    if (config.redisUrl) {
      const problem = await checkRedis(config.redisUrl);
      checks.push({ name: 'redis', target: maskUrl(config.redisUrl), ok: !problem, detail: problem ?? 'answers' });
    }
  }
  const talksTo = config.mode === 'simulator' ? 'Simulated Twitch, built in (starts with Lurk)' : describeEndpoints(configuredEndpoints(config.twitch));
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ mode: config.mode, twitch: talksTo, configFile: config.configFile ?? null, settings: rows, checks }, null, 2)}\n`);
  } else {
    const width = Math.max(...rows.map((r) => r.env.length));
    process.stdout.write(`mode: ${config.mode === 'simulator' ? 'simulator (no Twitch credentials)' : 'real Twitch'}\n`);
    process.stdout.write(`twitch: ${talksTo}\n`);
    process.stdout.write(`config file: ${config.configFile ?? '(none)'}\n`);
    process.stdout.write(`eventsub: ${eventSubTransportLine(config)}\n\n`);
    for (const r of rows) process.stdout.write(`${r.env.padEnd(width)}  ${r.value}  [${r.source}]\n`);
    if (checks.length > 0) process.stdout.write('\n');
    for (const c of checks) process.stdout.write(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name} ${c.target}: ${c.detail}\n`);
  }
  if (checks.some((c) => !c.ok)) process.exitCode ??= EXIT_FAILURE;
}

async function commandChatTail(args: string[], opts: { json?: boolean }): Promise<void> {
  const { chatTail, TailInputError, tailLogins } = await lazy.chatTail();
  let logins: string[];
  try {
    logins = tailLogins(args);
  } catch (err) {
    if (!(err instanceof TailInputError)) throw err;
    process.stderr.write(`lurk chat tail: ${err.message}\n`);
    process.exit(EXIT_BAD_INPUT);
  }
  const config = configOrExit();
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  // a closed pipe (`| head`) ends the tail quietly
  process.stdout.on('error', () => stop.abort());
  const code = await chatTail(
    config,
    logins,
    { json: opts.json === true, signal: stop.signal },
    { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) },
  );
  process.exit(code);
}

async function commandMoodClassify(opts: { lexicon?: string }): Promise<void> {
  // the flag overrides LURK_MOOD_LEXICON; with it, no other setting is read
  const lexiconFile = opts.lexicon !== undefined ? path.resolve(opts.lexicon) : configOrExit().mood.lexiconFile;
  let classifier: ReturnType<typeof createClassifier>;
  try {
    classifier = createClassifier({ lexiconFile, lexiconSetting: opts.lexicon !== undefined ? '--lexicon' : settings.moodLexicon.env });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) process.stderr.write(`lurk mood classify: ${p.name}: ${p.message}\n`);
    process.exit(EXIT_BAD_INPUT);
  }
  // a closed pipe (`| head`) ends the run quietly
  process.stdout.on('error', () => process.exit(0));
  await moodClassify(classifier, process.stdin, process.stdout);
}

interface SimFlags {
  seed?: string;
  channels?: string;
  live?: string;
  speed?: string;
  port?: string;
  ircPort?: string;
  ircWsPort?: string;
  clientId?: string;
  clientSecret?: string;
  rateLimit?: string;
  redirectUri?: string[];
}

/** Flags override LURK_SIM_* settings; each bad flag is named, exit 2. */
async function simOptionsOrExit(flags: SimFlags) {
  const { lurkRedirectUris, redirectUriProblem } = await lazy.sim();
  const config = configOrExit();
  const problems: string[] = [];
  const int = (flag: string, raw: string | undefined, fallback: number, min: number, max: number) => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) problems.push(`--${flag} ${JSON.stringify(raw)}: expected an integer from ${min} to ${max}`);
    return n;
  };
  const seed = int('seed', flags.seed, config.sim.seed, 0, 2_147_483_647);
  const channels = int('channels', flags.channels, config.sim.channels, 1, 1_000_000);
  const live = int('live', flags.live, flags.channels !== undefined && flags.live === undefined ? Math.floor(channels / 4) : config.sim.live, 0, 1_000_000);
  if (live > channels) problems.push(`--live ${live}: more than the ${channels} channels`);
  let speed = config.sim.speed;
  if (flags.speed !== undefined) {
    speed = Number(flags.speed);
    if (flags.speed.trim() === '' || !Number.isFinite(speed) || speed < 0 || speed > 100_000) problems.push(`--speed ${JSON.stringify(flags.speed)}: expected a number from 0 to 100000`);
  }
  const port = int('port', flags.port, config.sim.port, 0, 65535);
  const ircPort = int('irc-port', flags.ircPort, config.sim.ircPort, 0, 65535);
  const ircWsPort = int('irc-ws-port', flags.ircWsPort, config.sim.ircWsPort, 0, 65535);
  const rateLimit = int('rate-limit', flags.rateLimit, 800, 0, 1_000_000);
  if ((flags.clientId === undefined) !== (flags.clientSecret === undefined)) problems.push('--client-id and --client-secret go together');
  for (const [flag, value] of [
    ['client-id', flags.clientId],
    ['client-secret', flags.clientSecret],
  ] as const) {
    if (value !== undefined && !/^[A-Za-z0-9]{1,64}$/.test(value)) problems.push(`--${flag}: expected letters and digits`);
  }
  for (const uri of flags.redirectUri ?? []) {
    const problem = redirectUriProblem(uri);
    if (problem) problems.push(`--redirect-uri ${JSON.stringify(uri.length > 100 ? `${uri.slice(0, 100)}…` : uri)}: ${problem}`);
  }
  // registered for the client as on Twitch's console; by default Lurk's own login on its PORT
  const redirectUris = flags.redirectUri?.length ? flags.redirectUri : lurkRedirectUris(config.http.port);
  if (problems.length > 0) {
    process.stderr.write(`lurk sim: ${problems.join('\n  ')}\n`);
    process.exit(EXIT_BAD_INPUT);
  }
  return { config, seed, channels, live, speed, port, ircPort, ircWsPort, rateLimit, redirectUris };
}

async function commandSim(flags: SimFlags): Promise<void> {
  const { createSimulator } = await lazy.sim();
  const o = await simOptionsOrExit(flags);
  const log = createLogger(o.config.logLevel);
  process.stderr.write(`Growing a world of ${o.channels.toLocaleString()} channels (${o.live.toLocaleString()} live) from seed ${o.seed}…\n`);
  const sim = createSimulator({
    seed: o.seed,
    channels: o.channels,
    live: o.live,
    speed: o.speed,
    port: o.port,
    ircPort: o.ircPort,
    ircWsPort: o.ircWsPort,
    rateLimitPerMinute: o.rateLimit,
    redirectUris: o.redirectUris,
    log,
    ...(flags.clientId && flags.clientSecret ? { clients: [{ clientId: flags.clientId, clientSecret: flags.clientSecret }] } : {}),
  });
  let addresses: Awaited<ReturnType<typeof sim.start>>;
  try {
    addresses = await sim.start();
  } catch (err) {
    const portNames = { port: '--port (LURK_SIM_PORT)', ircPort: '--irc-port (LURK_SIM_IRC_PORT)', ircWsPort: '--irc-ws-port (LURK_SIM_IRC_WS_PORT)' };
    const named = listenError(err, simPortSetting((err as { port?: number }).port, o, portNames));
    process.stderr.write(`lurk sim: could not start: ${(named as Error).message}\n`);
    await sim.stop().catch(() => undefined);
    process.exit(named instanceof SettingError ? EXIT_BAD_INPUT : EXIT_FAILURE);
  }
  const client = sim.auth.registeredClients()[0]!;
  const endpoints = simulatorEndpoints(addresses);
  process.stdout.write(
    [
      `Simulated Twitch is running (seed ${o.seed}, speed ${o.speed === 0 ? 'stepped' : `×${o.speed}`}).`,
      `  Client ID:      ${client.clientId}`,
      `  Client secret:  ${client.clientSecret}`,
      `  Redirect URIs:  ${o.redirectUris.join('  ')}`,
      `  Helix:          ${endpoints.helix}   (twurple: TWURPLE_MOCK_API_PORT=${addresses.port})`,
      `  OAuth:          ${endpoints.oauth}`,
      `  EventSub WS:    ${endpoints.eventSubWs}`,
      `  IRC:            ${addresses.ircPort ? `${endpoints.ircTcp.host}:${addresses.ircPort}` : '(off)'}   IRC WS: ${addresses.ircWsPort ? endpoints.ircWs : '(off)'}`,
      `  World & truth:  ${endpoints.simControl}/world`,
      '',
      'Point a Lurk at it (as many processes as you like) with these settings, in its environment or lurk.config.json:',
      `  TWITCH_CLIENT_ID=${client.clientId}`,
      `  TWITCH_CLIENT_SECRET=${client.clientSecret}`,
      `  LURK_TWITCH_OAUTH_URL=${endpoints.oauth}`,
      `  LURK_TWITCH_HELIX_URL=${endpoints.helix}`,
      `  LURK_TWITCH_EVENTSUB_WS_URL=${endpoints.eventSubWs}`,
      ...(addresses.ircPort ? [`  LURK_TWITCH_IRC_URL=irc://${endpoints.ircTcp.host}:${addresses.ircPort}`] : []),
      '',
    ].join('\n'),
  );
  const stop = () => {
    sim.stop().then(
      () => process.exit(0),
      () => process.exit(EXIT_FAILURE),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

export function buildProgram(): Command {
  const program = new Command('lurk')
    .description('Lurk, a self-hosted Twitch observatory. Settings come from environment variables and lurk.config.json; see `lurk config`.')
    .version(VERSION, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.command('start').description('run Lurk with every role in one process (web, scanner, chat, worker)').action(commandStart);
  program.command('migrate').description('apply pending database schema migrations (safe to run again)').option('--dry-run', 'only list pending migrations').action(commandMigrate);
  program
    .command('config')
    .description('print the effective configuration (secrets masked) and check that the database and Redis answer')
    .option('--json', 'print as JSON')
    .option('--no-check', 'skip the database and Redis checks')
    .action(commandConfig);
  program
    .command('digest')
    .description('compose the daily watch-time digest (top games, streamers, random game, with charts) and post it to every configured publisher, each post once')
    .option('--day <YYYY-MM-DD>', 'the Lurk day to post (default: the day the last digest time was due for)')
    .option('--dry-run', 'compose and render, print the posts, post nothing')
    .action(commandDigest);
  program
    .command('sim')
    .description('run the Twitch simulator alone and print the client id and secret it accepts')
    .option('--seed <n>', 'world seed (LURK_SIM_SEED)')
    .option('--channels <n>', 'registered channels (LURK_SIM_CHANNELS)')
    .option('--live <n>', 'live channels (LURK_SIM_LIVE; default a quarter of the channels)')
    .option('--speed <n>', 'simulated seconds per real second, 0 = stepped (LURK_SIM_SPEED)')
    .option('--port <n>', 'HTTP port: OAuth, Helix, EventSub, /_sim (LURK_SIM_PORT)')
    .option('--irc-port <n>', 'IRC over TCP (LURK_SIM_IRC_PORT)')
    .option('--irc-ws-port <n>', 'IRC over WebSocket (LURK_SIM_IRC_WS_PORT)')
    .option('--rate-limit <n>', 'Helix points per minute per client, 0 = off', '800')
    .option('--client-id <id>', 'client id to accept (generated when not given)')
    .option('--client-secret <secret>', 'its secret')
    .option(
      '--redirect-uri <url>',
      'an OAuth redirect URL to register for the client, exact match (repeatable; default: http://localhost:<PORT>/auth/callback and its 127.0.0.1 form)',
      (url: string, all: string[] = []) => [...all, url],
    )
    .action(commandSim);
  const chat = program.command('chat').description("Twitch chat, read through Lurk's chat pool");
  chat
    .command('tail')
    .description('print the live chat of these channels until interrupted (the built-in simulator without Twitch credentials)')
    .argument('<login...>', 'channel logins')
    .option('--json', 'one JSON object per message: id, channel, user_login, text, emotes, bits, sent_at, …')
    .action(commandChatTail);
  const mood = program.command('mood').description('Mood: the chat-sentiment classifier, without starting Lurk');
  mood
    .command('classify')
    .description('classify chat messages, one per line on stdin, into one JSON object per line on stdout: {"label":"positive|neutral|negative","score":-1..1}')
    .option('--lexicon <file>', "a lexicon file whose entries add to or override Lurk's own (instead of LURK_MOOD_LEXICON)")
    .action(commandMoodClassify);
  for (const command of [...program.commands, ...chat.commands, ...mood.commands]) command.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit 0; every usage error (unknown flag or command) exits 2
      process.exit(err.exitCode === 0 ? 0 : EXIT_BAD_INPUT);
    }
    if (err instanceof ConfigError) {
      // a setting found bad only when a part reads it (LURK_MOOD_LEXICON's file)
      process.stderr.write(`lurk: ${err.message}\n`);
      process.exit(EXIT_BAD_INPUT);
    }
    if (err instanceof SettingError) {
      // a value that parsed but cannot be used (DATABASE_URL's folder is a file, or in /proc)
      process.stderr.write(`lurk: ${err.message}\n`);
      process.exit(EXIT_BAD_INPUT);
    }
    process.stderr.write(`lurk: ${(err as Error).message}\n`);
    process.exit(EXIT_FAILURE);
  }
}

await main(process.argv);
