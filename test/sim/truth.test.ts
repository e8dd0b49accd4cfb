import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Simulator } from '../../src/sim/index.js';
import { parseStreamsPage } from '../../src/twitch/helix.external.js';
import { appToken, startSimulator } from '../helpers/sim.js';

let sim: Simulator;
let headers: Record<string, string>;

before(async () => {
  sim = await startSimulator({ channels: 1200, live: 300, seed: 5 });
  headers = (await appToken(sim)).headers;
});
after(async () => {
  await sim.stop();
});

async function sweep(): Promise<Map<string, { viewers: number; login: string }>> {
  const seen = new Map<string, { viewers: number; login: string }>();
  let cursor: string | undefined;
  do {
    const res = await fetch(`${sim.address.httpUrl}/helix/streams?first=100${cursor ? `&after=${cursor}` : ''}`, { headers });
    const page = parseStreamsPage(await res.json());
    for (const s of page.data) seen.set(s.id, { viewers: s.viewer_count, login: s.user_login });
    cursor = page.pagination.cursor;
  } while (cursor);
  return seen;
}

test('watch time sampled over the wire agrees with the truth endpoint', async () => {
  const base = sim.address.httpUrl;
  const from = sim.world.now();
  const minutes = 30;
  let sampled = 0;
  const byStreamer = new Map<string, number>();
  for (let i = 0; i < minutes; i++) {
    // each sweep's counts stand for the minute that follows it
    for (const { viewers, login } of (await sweep()).values()) {
      sampled += viewers / 60;
      byStreamer.set(login, (byStreamer.get(login) ?? 0) + viewers / 60);
    }
    sim.advance(60_000);
  }
  const to = sim.world.now();
  const truth = (await (await fetch(`${base}/_sim/truth/watchtime?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}&by=streamer`)).json()) as {
    total_hours: number;
    rows: { user_login: string; hours: number }[];
  };
  // viewer_count lags the audience by up to a minute, so sampling is close, not exact
  const error = Math.abs(sampled - truth.total_hours) / truth.total_hours;
  assert.ok(error < 0.03, `sampled ${sampled.toFixed(1)} h vs truth ${truth.total_hours.toFixed(1)} h`);
  const top = truth.rows[0]!;
  const topError = Math.abs(byStreamer.get(top.user_login)! - top.hours) / top.hours;
  assert.ok(topError < 0.05, `${top.user_login}: sampled ${byStreamer.get(top.user_login)} vs truth ${top.hours}`);
});
