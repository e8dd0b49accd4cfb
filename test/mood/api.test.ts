// Mood over HTTP and WebSocket against a real Lurk, its embedded simulator and real IRC.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { loginFor } from '../../src/sim/world/catalog.js';
import { waitFor } from '../helpers/app.js';
import { tempSqlite } from '../helpers/db.js';
import { api, clockPasses, joined, liveLogins, moodLurk, truthCount } from './helpers.js';

const MINUTE = 60_000;
/** a margin after the join and around the stop (simulated ms) */
const EDGE = 10_000;

test('a channel tracked through the API: windows and stored minutes count what the simulator said; JSON and CSV series; kept across a restart, which loses at most the current minute', async () => {
  const db = await tempSqlite();
  // 10 simulated seconds a second: minutes close within the test
  const env = { DATABASE_URL: db.url, LURK_SIM_SPEED: '10' };
  let lurk = await moodLurk(env);
  try {
    const base = await lurk.start();
    let a = api(base);
    const [login] = liveLogins(lurk.simulator!, 1);
    const added = await a.send('POST', '/api/mood/channels', { logins: [login!.toUpperCase()] });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    const entry = added.body.channels.find((c: { login: string }) => c.login === login);
    assert.deepEqual(entry.sources, ['api']);
    assert.equal(entry.user_id, lurk.simulator!.world.userId(lurk.simulator!.world.userByLogin(login!)!));
    await joined(a, login!);
    const sim = lurk.simulator!;

    // Lurk counts a message in the minute it read it: the bounds allow for the read latency seen
    const latencies: number[] = [];
    lurk.bus.subscribe('chat.message', ({ items }) => {
      for (const m of items) if (m.channel === login) latencies.push(m.receivedAt - m.sentAt);
    });
    // the first minute that starts after the join, and the one after it
    const first = Math.ceil((lurk.clock.now() + EDGE) / MINUTE) * MINUTE;
    await clockPasses(lurk, first + 2 * MINUTE + EDGE);
    const late = Math.max(0, ...latencies) + 1000;
    // the one-minute window covers what was read in the minute up to now
    const detail = await a.get(`/api/mood/channels/${login}`);
    assert.equal(detail.status, 200);
    const at = Date.parse(detail.body.at);
    const w1 = detail.body.windows['1m'];
    // (whole seconds: the window's oldest second may be partly gone)
    const [low, high] = [await truthCount(sim, login!, at - MINUTE + 1000, at - late), await truthCount(sim, login!, at - MINUTE - late - 1000, at + 1)];
    assert.ok(w1.messages >= low && w1.messages <= high, `1m window: ${w1.messages} messages, the world said ${low}..${high} (read latency up to ${late} ms)`);
    if (w1.messages > 0) assert.ok(Math.abs(w1.positive + w1.neutral + w1.negative - 1) < 1e-9, 'the shares add up');

    const from = new Date(first).toISOString();
    const to = new Date(first + 2 * MINUTE).toISOString();
    const series = await a.get(`/api/mood/channels/${login}/series?from=${from}&to=${to}&step=1m`);
    assert.equal(series.status, 200, series.text);
    assert.equal(series.body.points.length, 2);
    let said = 0;
    for (const p of series.body.points) {
      const t = Date.parse(p.t);
      const inside = await truthCount(sim, login!, t, t + MINUTE - late);
      const around = await truthCount(sim, login!, t - late, t + MINUTE);
      assert.ok(p.messages >= inside && p.messages <= around, `${p.t}: ${p.messages} messages, the world said ${inside}..${around} (read latency up to ${late} ms)`);
      assert.equal(p.positive + p.neutral + p.negative, p.messages);
      said += p.messages;
    }
    assert.ok(said > 0, 'the channel chatted');
    // the 5-minute step adds up the same minutes (compared when no minute closed between the reads)
    const sum = (points: { messages: number }[]) => points.reduce((n, p) => n + p.messages, 0);
    for (let attempt = 0; ; attempt++) {
      const five = (await a.get(`/api/mood/channels/${login}/series?from=${from}&to=${to}&step=5m`)).body;
      const ones = sum((await a.get(`/api/mood/channels/${login}/series?from=${five.from}&to=${five.to}&step=1m`)).body.points);
      const again = sum((await a.get(`/api/mood/channels/${login}/series?from=${from}&to=${to}&step=5m`)).body.points);
      if (sum(five.points) !== again && attempt < 3) continue;
      assert.equal(sum(five.points), ones);
      break;
    }
    const csv = await a.get(`/api/mood/channels/${login}/series?from=${from}&to=${to}&step=1m&format=csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    assert.equal(lines[0], 't,messages,chatters,positive,neutral,negative,mean_score,bits,subs');
    assert.deepEqual(
      lines.slice(1).map((l) => Number(l.split(',')[1])),
      series.body.points.map((p: { messages: number }) => p.messages),
    );

    const moments = await a.get(`/api/mood/channels/${login}/moments?limit=5`);
    assert.equal(moments.status, 200, moments.text);
    assert.equal(moments.body.login, login);
    assert.ok(moments.body.moments.length <= 5);

    // a graceful stop writes the partial minute; the restart finds the channel and its minutes.
    // Stopped well inside a minute, so that the partial minute has something to lose
    await waitFor('the middle of a minute', () => (lurk.clock.now() % MINUTE > MINUTE / 2 ? true : undefined), 30_000, 10);
    const stoppedAt = lurk.clock.now();
    const lastMinute = Math.floor(stoppedAt / MINUTE) * MINUTE;
    const saidBeforeStop = await truthCount(sim, login!, lastMinute + EDGE, stoppedAt - EDGE);
    assert.ok(saidBeforeStop > 0, 'the partial minute had messages');
    await lurk.stop();
    lurk = await moodLurk(env);
    a = api(await lurk.start());
    const list = await a.get('/api/mood/channels');
    assert.deepEqual(
      list.body.channels.map((c: { login: string; sources: string[] }) => [c.login, c.sources]),
      [[login, ['api']]],
    );
    const after = await a.get(`/api/mood/channels/${login}/series?from=${from}&to=${new Date(lastMinute + MINUTE).toISOString()}&step=1m`);
    const minutes = new Map(after.body.points.map((p: { t: string; messages: number }) => [Date.parse(p.t), p.messages]));
    for (let t = first; t <= lastMinute; t += MINUTE) assert.ok(minutes.has(t), `minute ${new Date(t).toISOString()} kept across the restart`);
    assert.ok((minutes.get(lastMinute) as number) >= saidBeforeStop, `the partial minute kept ${minutes.get(lastMinute)} of at least ${saidBeforeStop} messages`);
  } finally {
    await lurk.stop();
    await db.drop();
  }
});

test('bad, unknown and too many logins are refused naming them; DELETE releases the chat channel; a configured channel cannot be deleted', async () => {
  const db = await tempSqlite();
  // the world's users are named by index: the first channel exists in every world
  const conf = loginFor(0);
  const lurk2 = await moodLurk({ DATABASE_URL: db.url, LURK_MOOD_CHANNELS: conf! });
  try {
    const a = api(await lurk2.start());
    const [other] = liveLogins(lurk2.simulator!, 1, 1);
    const bad = await a.send('POST', '/api/mood/channels', { logins: [other, 'no spaces!'] });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /logins: "no spaces!" is not a Twitch login/);
    const unknown = await a.send('POST', '/api/mood/channels', { logins: [other, 'nobody_here_at_all'] });
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error.message, /nobody_here_at_all/);
    assert.doesNotMatch(unknown.body.error.message, new RegExp(other!));
    const many = await a.send('POST', '/api/mood/channels', { logins: Array.from({ length: 101 }, (_, i) => `user${i}`) });
    assert.equal(many.status, 400);
    assert.match(many.body.error.message, /logins/);
    const none = await a.send('POST', '/api/mood/channels', { logins: [] });
    assert.equal(none.status, 400);
    // nothing was tracked by the refused calls
    assert.deepEqual(
      (await a.get('/api/mood/channels')).body.channels.map((c: { login: string }) => c.login),
      [conf],
    );

    const ok = await a.send('POST', '/api/mood/channels', { logins: [other] });
    assert.equal(ok.status, 200);
    const owned = async () => ((await a.get('/api/chat/channels?owner=mood')).body.channels as { channel: string }[]).map((c) => c.channel).sort();
    await waitFor('the pool to hold both', async () => ((await owned()).length === 2 ? true : undefined));
    assert.deepEqual(await owned(), [conf, other].sort());
    assert.equal((await a.get('/api/mood/channels/no_such_one')).status, 404);
    // the first tick comes within a second of Lurk's clock: wait for it rather than assume it came
    const metrics = await waitFor('a tick in the metrics', async () => {
      const text = (await a.get('/metrics')).text;
      return /^lurk_mood_tick_seconds_count\{[^}]*\} [1-9]\d*$/m.test(text) ? text : undefined;
    });
    assert.match(metrics, /^lurk_mood_tracked_channels\{[^}]*\} 2$/m);
    assert.equal((await a.get(`/api/mood/channels/${other}/series?step=10m`)).status, 400);
    const wide = await a.get(`/api/mood/channels/${other}/series?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&step=1m`);
    assert.equal(wide.status, 400);
    assert.match(wide.body.error.message, /from\/to: \d+ points at step=1m, more than 1440/);
    const notTime = await a.get(`/api/mood/channels/${other}/series?from=yesterday`);
    assert.equal(notTime.status, 400);
    assert.match(notTime.body.error.message, /^from: "yesterday" is not an ISO 8601 time/);

    const fromConfig = await a.send('DELETE', `/api/mood/channels/${conf}`, {});
    assert.equal(fromConfig.status, 409);
    assert.match(fromConfig.body.error.message, /LURK_MOOD_CHANNELS/);
    const gone = await a.send('DELETE', `/api/mood/channels/${other}`, {});
    assert.equal(gone.status, 200);
    assert.deepEqual(
      gone.body.channels.map((c: { login: string }) => c.login),
      [conf],
    );
    await waitFor('the pool to release it', async () => ((await owned()).includes(other!) ? undefined : true));
    assert.equal((await a.send('DELETE', `/api/mood/channels/${other}`, {})).status, 404);
    assert.equal((await a.get(`/api/mood/channels/${other}`)).status, 404);
  } finally {
    await lurk2.stop();
    await db.drop();
  }
});

test('a foreign page can neither add a channel nor open the live socket; the socket pushes channels, then summaries (or the windows of one channel) each second', async () => {
  const db = await tempSqlite();
  const lurk = await moodLurk({ DATABASE_URL: db.url });
  const sockets: WebSocket[] = [];
  try {
    const base = await lurk.start();
    const a = api(base);
    const [login, other] = liveLogins(lurk.simulator!, 2);
    const foreign = await a.send('POST', '/api/mood/channels', { logins: [login] }, { origin: 'http://evil.example' });
    assert.equal(foreign.status, 403);
    assert.deepEqual((await a.get('/api/mood/channels')).body.channels, []);

    const refused = new WebSocket(`${base.replace('http', 'ws')}/api/mood/live`, { headers: { origin: 'http://evil.example' } });
    sockets.push(refused);
    const outcome = await new Promise<string>((resolve) => {
      refused.on('unexpected-response', (_req, res) => resolve(`http ${res.statusCode}`));
      refused.on('open', () => resolve('open'));
      refused.on('error', () => resolve('error'));
    });
    assert.equal(outcome, 'http 403');
    const badFilter = new WebSocket(`${base.replace('http', 'ws')}/api/mood/live?channel=not%20a%20login`, { headers: { origin: base } });
    sockets.push(badFilter);
    const filterOutcome = await new Promise<string>((resolve) => {
      badFilter.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(`http ${res.statusCode} ${body}`));
      });
      badFilter.on('open', () => resolve('open'));
      badFilter.on('error', () => resolve('error'));
    });
    assert.match(filterOutcome, /^http 400 .*querystring\.channel/);

    assert.equal((await a.send('POST', '/api/mood/channels', { logins: [login, other] })).status, 200);
    const open = (query: string) => {
      const ws = new WebSocket(`${base.replace('http', 'ws')}/api/mood/live${query}`, { headers: { origin: base } });
      sockets.push(ws);
      const pushes: any[] = [];
      ws.on('message', (data) => pushes.push(JSON.parse(String(data))));
      return { ws, pushes };
    };
    const all = open('');
    const one = open(`?channel=${other}`);
    await waitFor('two snapshots on each', () => (all.pushes.filter((p) => p.type === 'summaries').length >= 2 && one.pushes.filter((p) => p.type === 'windows').length >= 2) || undefined);
    assert.equal(all.pushes[0].type, 'channels');
    assert.deepEqual(all.pushes[0].channels.map((c: { login: string }) => c.login).sort(), [login, other].sort());
    assert.deepEqual(
      one.pushes[0].channels.map((c: { login: string }) => c.login),
      [other],
    );
    // every channel: summaries only (the grid's cards), never the windows
    assert.equal(all.pushes.filter((p) => p.type === 'windows').length, 0);
    const summaries = all.pushes.filter((p) => p.type === 'summaries');
    assert.deepEqual(summaries[0].channels.map((c: { login: string }) => c.login).sort(), [login, other].sort());
    for (const c of summaries[0].channels) {
      assert.equal(c.windows, undefined);
      assert.ok(Array.isArray(c.sparkline));
      assert.equal(typeof c.messages_per_minute, 'number');
    }
    // one channel: its every window, like GET /api/mood/channels/:login
    assert.equal(one.pushes.filter((p) => p.type === 'summaries').length, 0);
    for (const p of one.pushes.filter((p) => p.type === 'windows')) {
      assert.deepEqual(
        p.channels.map((c: { login: string }) => c.login),
        [other],
      );
      assert.equal(p.channels[0].windows['5m'].seconds, 300);
    }
    // a ping is answered
    all.ws.send('ping');
    await waitFor('pong', () => all.pushes.some((p) => p.type === 'pong') || undefined);
    // removing a channel tells the sockets
    await a.send('DELETE', `/api/mood/channels/${login}`, {});
    await waitFor('a channels push without it', () => all.pushes.some((p, i) => i > 0 && p.type === 'channels' && p.channels.length === 1) || undefined);
  } finally {
    for (const ws of sockets) ws.terminate();
    await lurk.stop();
    await db.drop();
  }
});

test('opening the live socket counts against the API rate limit: past it the upgrade is a 429 JSON error', async () => {
  const db = await tempSqlite();
  const lurk = await moodLurk({ DATABASE_URL: db.url, LURK_API_RATE_LIMIT: '3' });
  const sockets: WebSocket[] = [];
  try {
    const base = await lurk.start();
    const open = () =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(`${base.replace('http', 'ws')}/api/mood/live`, { headers: { origin: base } });
        sockets.push(ws);
        ws.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve(`http ${res.statusCode} ${body}`));
        });
        ws.on('open', () => resolve('open'));
        ws.on('error', () => resolve('error'));
      });
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) outcomes.push(await open());
    assert.deepEqual(outcomes.slice(0, 3), ['open', 'open', 'open']);
    assert.match(outcomes[3]!, /^http 429 .*"code":"rate_limited"/);
  } finally {
    for (const ws of sockets) ws.terminate();
    await lurk.stop();
    await db.drop();
  }
});

test('LURK_MOOD_TOP=3 follows the three most watched live channels of each sweep, and the chat pool reads them', async () => {
  const db = await tempSqlite();
  const lurk = await moodLurk({ DATABASE_URL: db.url, LURK_MOOD_TOP: '3' }, true);
  const firstPages = new Map<number, { login: string; viewers: number }[]>();
  // the first page of each sweep holds its most watched channels
  lurk.bus.subscribe('streams.page', (p) => {
    if (!firstPages.has(p.generation))
      firstPages.set(
        p.generation,
        p.streams.map((s) => ({ login: s.user_login, viewers: s.viewer_count })),
      );
  });
  try {
    const a = api(await lurk.start());
    const expected = () => {
      const latest = Math.max(...firstPages.keys());
      return [...firstPages.get(latest)!]
        .sort((x, y) => y.viewers - x.viewers)
        .slice(0, 3)
        .map((s) => s.login)
        .sort();
    };
    const tracked = await waitFor('the top three tracked', async () => {
      if (firstPages.size === 0) return undefined;
      const channels = (await a.get('/api/mood/channels')).body.channels as { login: string; sources: string[] }[];
      const top = channels.filter((c) => c.sources.includes('top')).map((c) => c.login);
      return top.length === 3 && top.join() === expected().join() ? channels : undefined;
    });
    assert.equal(tracked.length, 3);
    const owned = async () => ((await a.get('/api/chat/channels?owner=mood')).body.channels as { channel: string }[]).map((c) => c.channel).sort();
    await waitFor('the pool to read them', async () => ((await owned()).join() === tracked.map((c) => c.login).join() ? true : undefined));
    // one followed for the ranking is not the API's to remove
    const refused = await a.send('DELETE', `/api/mood/channels/${tracked[0]!.login}`, {});
    assert.equal(refused.status, 409);
    assert.match(refused.body.error.message, /LURK_MOOD_TOP/);
  } finally {
    await lurk.stop();
    await db.drop();
  }
});
