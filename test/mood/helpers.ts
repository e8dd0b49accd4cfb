// Shared by the Mood tests: a Lurk on its embedded simulator with real IRC, and the simulator's truth.
import { createLurk, type Lurk } from '../../src/app.js';
import type { Simulator } from '../../src/sim/index.js';
import { memoryLogger, testConfig, waitFor } from '../helpers/app.js';

export async function moodLurk(env: Record<string, string>, sweep = false): Promise<Lurk> {
  return createLurk(testConfig({ LURK_DIGEST_DIR: 'off', ...env }), { log: memoryLogger('warn').log, sweep });
}

export interface Api {
  base: string;
  get(path: string): Promise<{ status: number; body: any; text: string; headers: Headers }>;
  send(method: 'POST' | 'DELETE', path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
}

export function api(base: string): Api {
  return {
    base,
    async get(path) {
      const res = await fetch(`${base}${path}`);
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      return { status: res.status, body, text, headers: res.headers };
    },
    async send(method, path, body, headers = {}) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { origin: base, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: await res.json() };
    },
  };
}

/** live channels of the simulated world, most watched first (they chat the most) */
export function liveLogins(sim: Simulator, n: number, skip = 0): string[] {
  const live = [...sim.world.liveChannelList()].sort((a, b) => sim.world.viewersNow(b) - sim.world.viewersNow(a) || a - b).slice(skip, skip + n);
  if (live.length < n) throw new Error(`the world has only ${live.length} live channels`);
  return live.map((c) => sim.world.login(c));
}

/** how many messages the world said in `channel` during [from, to) */
export async function truthCount(sim: Simulator, channel: string, from: number, to: number): Promise<number> {
  const q = new URLSearchParams({ channel, from: new Date(from).toISOString(), to: new Date(to).toISOString(), limit: '1' });
  const res = await fetch(`${sim.address.httpUrl}/_sim/truth/messages?${q}`);
  if (res.status !== 200) throw new Error(`truth: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { total: number }).total;
}

/** waits until the pool has joined the channel for Mood */
export async function joined(a: Api, login: string): Promise<void> {
  await waitFor(`${login} joined`, async () => {
    const r = await a.get(`/api/mood/channels/${login}`);
    return r.body?.chat?.state === 'joined' || undefined;
  });
}

/** waits until Lurk's clock has passed `t` */
export async function clockPasses(lurk: Lurk, t: number, timeoutMs = 60_000): Promise<void> {
  await waitFor(`Lurk's clock to pass ${new Date(t).toISOString()}`, () => lurk.clock.now() > t || undefined, timeoutMs, 20);
}
