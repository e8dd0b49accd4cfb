import { Writable } from 'node:stream';
import { loadConfig, type LurkConfig } from '../../src/config/load.js';
import { createLogger, type Logger } from '../../src/core/logger.js';

/** A logger that keeps its lines in memory, so tests stay quiet and can read what was logged. */
export function memoryLogger(level: 'info' | 'debug' | 'warn' = 'info'): { log: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return {
    log: createLogger(level, sink),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** A small simulated world on free ports, so tests never collide with a running Lurk. */
export const SMALL_SIMULATOR = {
  LURK_SIM_CHANNELS: '800',
  LURK_SIM_LIVE: '200',
  LURK_SIM_PORT: '0',
  LURK_SIM_IRC_PORT: '0',
  LURK_SIM_IRC_WS_PORT: '0',
};

/**
 * Settings whose defaults would crowd every test's Lurk: Audience follows the top 100 live
 * channels by default (100 rooms read, 400 EventSub subscriptions), which other tests would find
 * in the chat pool and EventSub lists they count. A test of them sets them back.
 */
export const TEST_DEFAULTS = {
  LURK_AUDIENCE_TOP: '0',
};

/** A validated config as Lurk would load it, from the given environment only. */
export function testConfig(env: Record<string, string>): LurkConfig {
  return loadConfig({ env: { PORT: '0', LOG_LEVEL: 'warn', ...SMALL_SIMULATOR, ...TEST_DEFAULTS, ...env }, cwd: process.cwd() });
}

/** a port nothing listens on now (the suite's service set-up finds ports the same way) */
export { freePort } from './services.js';

/** Polls `check` until it returns a value, or fails after `timeoutMs` (a deadline, not a timing assertion). */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
