// The Live bench's Lurk, in a process of its own run with --expose-gc: a full Lurk (createLurk)
// in simulator mode on a fresh SQLite database, its API limit off (every bench socket comes from
// one address). Tells the parent where it listens and which simulated channels are live; answers
// memory questions over IPC.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLurk } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/core/logger.js';
import { memory } from './live-server.js';

export type LiveLurkCommand = { cmd: 'memory' } | { cmd: 'close' };
export type LiveLurkMessage =
  | { type: 'ready'; base: string; sim: string; live: { login: string; userId: string }[] }
  | { type: 'memory'; rss: number; heapUsed: number; external: number; clients: number };

const send = (message: LiveLurkMessage) => process.send?.(message);

const dir = await mkdtemp(path.join(os.tmpdir(), 'lurk-bench-live-'));
const config = loadConfig({
  env: {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_URL: `sqlite:${path.join(dir, 'lurk.db')}`,
    LURK_SIM_CHANNELS: '800',
    LURK_SIM_LIVE: '200',
    LURK_SIM_PORT: '0',
    LURK_SIM_IRC_PORT: '0',
    LURK_SIM_IRC_WS_PORT: '0',
    LURK_AUDIENCE_TOP: '0',
    LURK_DIGEST_DIR: 'off',
    LURK_API_RATE_LIMIT: '0',
    LURK_LIVE_MAX_CLIENTS: '20000',
  },
  cwd: dir,
});
const lurk = await createLurk(config, { log: createLogger('warn', process.stderr), uiDir: '/nonexistent' });
const base = await lurk.start();
const sim = lurk.simulator!;
const world = sim.world;
// quietest first (its chat pushes least between the measured events), with someone there to cheer
const live = [...world.liveChannelList()]
  .filter((c) => world.viewersNow(c) > 0)
  .sort((a, b) => world.viewersNow(a) - world.viewersNow(b) || a - b)
  .slice(0, 20)
  .map((c) => ({ login: world.login(c), userId: world.userId(c) }));

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await lurk.stop().catch(() => {});
  await rm(dir, { recursive: true, force: true });
  process.exit(0);
}

process.on('message', (command: LiveLurkCommand) => {
  if (command.cmd === 'memory') send({ ...memory(lurk.live.hub.size), type: 'memory' } as LiveLurkMessage);
  else void stop();
});
process.on('disconnect', () => void stop());
send({ type: 'ready', base, sim: sim.address.httpUrl, live });
