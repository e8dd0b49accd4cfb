// The Live bench's side of its child processes: start one (node --expose-gc --import tsx), ask
// it something over IPC and wait for the answer of that type, stop it on every path.
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface Child<Command, Message extends { type: string }> {
  process: ChildProcess;
  /** the next message of this type (after `command`, when given) */
  ask<T extends Message['type']>(type: T, command?: Command, timeoutMs?: number): Promise<Extract<Message, { type: T }>>;
  stop(command?: Command): Promise<void>;
}

export function startChild<Command, Message extends { type: string }>(script: string, args: string[], log: (line: string) => void): Child<Command, Message> {
  const child = fork(path.join(here, script), args, {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    // one JSON message of every client's arrivals is several megabytes
    serialization: 'advanced',
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ask = <T extends Message['type']>(type: T, command?: Command, timeoutMs = 300_000) =>
    new Promise<Extract<Message, { type: T }>>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`${script}: no ${type} within ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (m: Message) => {
        if (m.type === type) done(undefined, m as Extract<Message, { type: T }>);
      };
      const onExit = (code: number | null) => done(new Error(`${script} exited (${code}) before ${type}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`));
      function done(err?: Error, value?: Extract<Message, { type: T }>) {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (err) reject(err);
        else resolve(value!);
      }
      child.on('message', onMessage);
      child.once('exit', onExit);
      if (command !== undefined) child.send(command as object);
    });
  return {
    process: child,
    ask,
    async stop(command) {
      if (child.exitCode === null && child.signalCode === null) {
        if (command !== undefined && child.connected) child.send(command as object);
        const timer = setTimeout(() => {
          log(`${script} did not stop: killed`);
          child.kill('SIGKILL');
        }, 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
