// Cold start: milliseconds from spawning `lurk start` until /readyz answers 200, against a
// bare Node HTTP server spawned and polled the same way (the floor any Node service pays).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { interleavedMedians, type BenchContext, type Figure } from './lib.js';

const HOST = '127.0.0.1';
const POLL_MS = 25;
const READY_TIMEOUT_MS = 30_000;
const EXIT_TIMEOUT_MS = 10_000;

/** A port nobody listens on right now: the OS picks it, we release it for the child. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, HOST);
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** The status code, or undefined while nothing listens. No agent: no pooled sockets left behind. */
function statusOf(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

interface Launch {
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** path polled for 200 */
  probe: string;
}

/** ms from spawn until `probe` answers 200; the child is stopped (SIGTERM) before returning. */
async function timeToReady(root: string, launch: (port: number) => Launch): Promise<number> {
  const port = await freePort();
  const { args, env, probe } = launch(port);
  const url = `http://${HOST}:${port}${probe}`;
  const start = performance.now();
  const child = spawn(process.execPath, args, { cwd: root, env: env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  try {
    while ((await statusOf(url)) !== 200) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${args.join(' ')} exited (${child.exitCode ?? child.signalCode}) before ${probe} answered 200:\n${stderr}`);
      if (performance.now() - start > READY_TIMEOUT_MS) throw new Error(`${url} not 200 after ${READY_TIMEOUT_MS} ms:\n${stderr}`);
      await sleep(POLL_MS);
    }
    return performance.now() - start;
  } finally {
    await stop(child);
  }
}

/** The environment without settings that would make Lurk talk to Twitch or Redis. */
function lurkEnv(port: number, databaseFile: string): NodeJS.ProcessEnv {
  // the embedded simulator (the default world size) on free ports, so a running Lurk never collides
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST,
    DATABASE_URL: `sqlite:${databaseFile}`,
    LOG_LEVEL: 'warn',
    LURK_SIM_PORT: '0',
    LURK_SIM_IRC_PORT: '0',
    LURK_SIM_IRC_WS_PORT: '0',
  };
  for (const name of ['REDIS_URL', 'TWITCH_CLIENT_ID', 'TWITCH_CLIENT_SECRET', 'LURK_CONFIG']) delete env[name];
  return env;
}

const lurkStart =
  (databaseFile: string) =>
  (port: number): Launch => ({ args: ['bin/lurk.mjs', 'start'], env: lurkEnv(port, databaseFile), probe: '/readyz' });

const bareNode = (port: number): Launch => ({
  args: ['-e', `require('http').createServer((q, r) => r.end('ok')).listen(${port}, '${HOST}')`],
  probe: '/',
});

export default async function coldstartBench(ctx: BenchContext): Promise<Figure[]> {
  const runs = ctx.quick ? 3 : 5;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lurk-bench-coldstart-'));
  let created = 0;
  // the warm-up round migrates this file; the measured rounds find it up to date
  const migratedFile = path.join(dir, 'migrated', 'lurk.db');
  try {
    const names = ['bare node http server', 'lurk start, new database', 'lurk start, migrated database'];
    const [anchor, cold, warm] = await interleavedMedians(
      runs,
      [
        () => timeToReady(ctx.root, bareNode),
        // a directory of its own each time, so every run creates and migrates the database
        () => timeToReady(ctx.root, lurkStart(path.join(dir, `new-${created++}`, 'lurk.db'))),
        () => timeToReady(ctx.root, lurkStart(migratedFile)),
      ],
      // rounds alternate the three so a busy machine slows each of them alike
      (round, i) => ctx.log(`${round === 0 ? 'warm-up' : `round ${round}/${runs}`}: ${names[i]} spawn → 200…`),
    );
    const common = {
      unit: 'ms',
      anchor: 'bare node http server spawn → first 200',
      anchorValue: anchor!,
      better: 'lower' as const,
      note: `median of ${runs} interleaved rounds after a warm-up, polled every ${POLL_MS} ms`,
    };
    return [
      { name: 'lurk start → /readyz 200 (new sqlite database)', value: cold!, ...common },
      { name: 'lurk start → /readyz 200 (migrated sqlite database)', value: warm!, ...common },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
