import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SMALL_SIMULATOR, TEST_DEFAULTS } from './app.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const LURK_BIN = path.join(ROOT, 'bin/lurk.mjs');

/** Environment for a child `lurk`: the parent's, without any Lurk or Twitch settings leaking in. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(LURK_|TWITCH_|DATABASE_URL$|REDIS_URL$|PORT$|HOST$|LOG_LEVEL$|NODE_TEST_CONTEXT$)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...SMALL_SIMULATOR, ...TEST_DEFAULTS, ...extra };
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Children started by these helpers that have not exited yet. */
const live = new Set<ChildProcess>();

/** The `lurk` children started by this process's helpers that are still running (for tests of the helpers). */
export function liveChildren(): ChildProcess[] {
  return [...live];
}

// A last resort: when this test file's process exits, no child of it is left running.
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

function track(child: ChildProcess): ChildProcess {
  if (child.pid !== undefined) {
    live.add(child);
    child.once('exit', () => live.delete(child));
  }
  return child;
}

/** How long `runLurk` lets a child run when the caller names no limit: every `lurk` command a test runs ends well before. */
export const RUN_LIMIT_MS = 120_000;

/**
 * Runs `lurk …args` to completion; a child still running after `limitMs` is killed (SIGKILL)
 * and `killed` says so, so a spinning child cannot outlive the test.
 */
export function runLurk(args: string[], env: Record<string, string> = {}, cwd = ROOT, limitMs = RUN_LIMIT_MS): Promise<RunResult & { killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = track(spawn(process.execPath, [LURK_BIN, ...args], { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', (err) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, killed });
    });
  });
}

export interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a long-running `lurk` child; the caller stops it (`stopLurk`). */
export function startLurk(args: string[], env: Record<string, string>, cwd = ROOT): Running {
  const child = track(spawn(process.execPath, [LURK_BIN, ...args], { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] }));
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
    // a child that could not be started has exited as far as its caller is concerned
    child.on('error', (err) => {
      output += `${String(err)}\n`;
      if (child.pid === undefined) resolve({ code: null, signal: null });
    });
  });
  return { child, output: () => output, exited };
}

/** SIGTERM, then SIGKILL after `graceMs` (a frozen process ignores SIGTERM): a child never outlives its caller. */
export async function stopLurk(lurk: Running, graceMs = 5_000): Promise<void> {
  if (lurk.child.exitCode !== null || lurk.child.signalCode !== null || lurk.child.pid === undefined) return;
  lurk.child.kill('SIGTERM');
  const killer = setTimeout(() => lurk.child.kill('SIGKILL'), graceMs);
  await lurk.exited;
  clearTimeout(killer);
}
