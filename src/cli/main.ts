import { Command, CommanderError } from 'commander';
import { Redis } from 'ioredis';
import { createLurk, VERSION } from '../app.js';
import { ConfigError, describeConfig, loadConfig, maskUrl, type LurkConfig } from '../config/load.js';
import { openStore } from '../store/database.js';

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
    const twitch = config.mode === 'simulator' ? 'Simulated Twitch' : 'Twitch';
    process.stderr.write(`Lurk ${VERSION} is running at ${url} (${twitch}, ${lurk.store.label})\n`);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const message = e.code === 'EADDRINUSE' ? `port ${config.http.port} on ${config.http.host} is already in use (set PORT)` : e.message;
    process.stderr.write(`lurk: could not start: ${message}\n`);
    await lurk.stop().catch(() => undefined);
    process.exit(EXIT_FAILURE);
  }
}

async function commandMigrate(opts: { dryRun?: boolean }): Promise<void> {
  const config = configOrExit();
  const store = await openStore({ url: config.database.url });
  try {
    if (opts.dryRun) {
      const pending = await store.pendingMigrations();
      process.stdout.write(pending.length === 0 ? `${store.label}: up to date\n` : `${store.label}: ${pending.length} pending: ${pending.join(', ')}\n`);
      return;
    }
    const report = await store.migrate();
    process.stdout.write(
      report.applied.length === 0
        ? `${store.label}: up to date (${report.alreadyApplied} migrations applied earlier)\n`
        : `${store.label}: applied ${report.applied.join(', ')}\n`,
    );
  } finally {
    await store.close();
  }
}

async function commandConfig(opts: { json?: boolean; check: boolean }): Promise<void> {
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
    }
    if (config.redisUrl) {
      const problem = await checkRedis(config.redisUrl);
      checks.push({ name: 'redis', target: maskUrl(config.redisUrl), ok: !problem, detail: problem ?? 'answers' });
    }
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ mode: config.mode, configFile: config.configFile ?? null, settings: rows, checks }, null, 2)}\n`);
  } else {
    const width = Math.max(...rows.map((r) => r.env.length));
    process.stdout.write(`mode: ${config.mode === 'simulator' ? 'simulator (no Twitch credentials)' : 'real Twitch'}\n`);
    process.stdout.write(`config file: ${config.configFile ?? '(none)'}\n\n`);
    for (const r of rows) process.stdout.write(`${r.env.padEnd(width)}  ${r.value}  [${r.source}]\n`);
    if (checks.length > 0) process.stdout.write('\n');
    for (const c of checks) process.stdout.write(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name} ${c.target}: ${c.detail}\n`);
  }
  if (checks.some((c) => !c.ok)) process.exitCode = EXIT_FAILURE;
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
  for (const command of program.commands) command.exitOverride();
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
    process.stderr.write(`lurk: ${(err as Error).message}\n`);
    process.exit(EXIT_FAILURE);
  }
}

await main(process.argv);
