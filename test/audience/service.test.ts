// Audience's service in a real Lurk against its embedded simulator over real sockets (IRC with
// JOIN/PART, EventSub webhooks, Helix, Discover's sweep): two watched live channels, a raid
// between them triggered in the simulated world, and what is stored of it, checked against the
// world's truth; then a restart that keeps it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLurk, type Lurk } from '../../src/app.js';
import type { Simulator } from '../../src/sim/index.js';
import { memoryLogger, testConfig, waitFor } from '../helpers/app.js';
import { type TestDatabase, tempSqlite, withEachDialect } from '../helpers/db.js';
import { clockPasses } from '../mood/helpers.js';

const HOUR = 3_600_000;

function audienceLurk(env: Record<string, string>): Promise<Lurk> {
  // the sweep runs: EventSub is reconciled and the sweep says who is live
  return createLurk(testConfig({ LURK_DIGEST_DIR: 'off', ...env }), { log: memoryLogger('warn').log, sweep: true });
}

/** the two live channels with most viewers among rooms small enough for JOIN/PART (under 1,000) */
function twoLive(sim: Simulator): [string, string] {
  const live = [...sim.world.liveChannelList()]
    .filter((c) => sim.world.viewersNow(c) >= 30 && sim.world.viewersNow(c) < 600)
    .sort((x, y) => sim.world.viewersNow(y) - sim.world.viewersNow(x) || x - y);
  if (live.length < 2) throw new Error('the world has too few live channels of a fitting size');
  return [sim.world.login(live[0]!), sim.world.login(live[1]!)];
}

function userId(sim: Simulator, login: string): string {
  return sim.world.userId(sim.world.userByLogin(login)!);
}

interface TruthMove {
  user_login: string;
  from: { login: string };
  to: { login: string };
  cause: 'organic' | 'raid';
}

async function truthMoves(sim: Simulator, from: number, to: number): Promise<TruthMove[]> {
  const q = new URLSearchParams({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), limit: '100000' });
  const res = await fetch(`${sim.address.httpUrl}/_sim/truth/moves?${q}`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { moves: TruthMove[] }).moves;
}

test('a raid between two watched channels: one raid from EventSub and the chat notice, raid moves with evidence that the world confirms, counted in flows and pairs; kept across a restart', async (t) => {
  await withEachDialect(t, raidBetweenWatched);
});

async function raidBetweenWatched(db: TestDatabase): Promise<void> {
  // 10 simulated seconds a second: the engine's warm-up (2 simulated minutes) passes in 12 s
  const env = { DATABASE_URL: db.url, LURK_SIM_SPEED: '10', LURK_AUDIENCE_TOP: '0', LURK_AUDIENCE_PER_USER: 'true', LURK_AUDIENCE_LINGER_SECONDS: '120' };
  let lurk: Lurk | undefined = await audienceLurk(env);
  try {
    const base = await lurk.start();
    const sim = lurk.simulator!;
    const [a, b] = twoLive(sim);
    const watched = await lurk.audience.watch([a, b.toUpperCase(), 'no_such_user_here']);
    assert.deepEqual(
      watched.added.map((c) => [c.login, c.sources]),
      [
        [a, ['api']],
        [b, ['api']],
      ].sort(),
    );
    assert.deepEqual(watched.unknown, ['no_such_user_here']);
    const watchedAt = lurk.clock.now();
    const l = lurk;
    await waitFor(
      'both rooms joined',
      async () => {
        const { channels } = await l.audience.channels();
        return channels.filter((c) => c.chat.state === 'joined').length === 2 || undefined;
      },
      30_000,
    );
    // their EventSub subscriptions: stream.online, stream.offline, raids out and in, for each
    await waitFor(
      'EventSub subscriptions enabled',
      () => {
        const mine = l.twitchAccess.eventsub.subscriptions().filter((s) => s.owners.includes('audience'));
        return (mine.length === 8 && mine.every((s) => s.state === 'enabled')) || undefined;
      },
      30_000,
    );
    const raidTo = l.twitchAccess.eventsub.subscriptions().find((s) => s.type === 'channel.raid' && s.condition.to_broadcaster_user_id === userId(sim, b));
    assert.equal(raidTo?.transport, 'webhook', 'an app-token webhook subscription');
    // past the warm-up: arrivals in B are no longer baseline
    await clockPasses(l, watchedAt + 150_000, 60_000);
    const { channels } = await l.audience.channels();
    for (const c of channels) {
      assert.ok(c.present > 0, `${c.login} has presences`);
      assert.equal(c.membership, true, `${c.login}: JOIN/PART seen`);
    }

    // what EventSub delivers (webhooks with the app token, as in simulator mode)
    const delivered: string[] = [];
    l.bus.subscribe('eventsub.notification', (n) => {
      delivered.push(`${n.type} ${JSON.stringify(n.condition)}`);
    });
    const raidAt = l.clock.now();
    const trigger = await fetch(`${sim.address.httpUrl}/_sim/trigger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'channel.raid', broadcaster_user_id: userId(sim, a), to_broadcaster_user_id: userId(sim, b) }),
    });
    assert.equal(trigger.status, 200, await trigger.text());

    const range = () => ({ from: raidAt - HOUR, to: l.clock.now() + HOUR });
    // the same raid from both sources is one row
    const raid = await waitFor(
      'the raid stored from both sources',
      async () => {
        // (the world raids now and then by itself too: only this pair's raid counts here)
        const raids = (await l.audience.raids({ channel: b, ...range(), limit: 10 })).raids.filter((r) => r.from_channel === a);
        if (raids.length > 1) throw new Error(`one raid ${a} → ${b}, not ${raids.length}: ${JSON.stringify(raids)}`);
        return raids[0] && raids[0].sources.length === 2 && raids[0].raiders_seen > 0 ? raids[0] : undefined;
      },
      60_000,
      200,
    );
    assert.equal(raid.from_channel, a);
    assert.equal(raid.to_channel, b);
    assert.deepEqual(raid.sources, ['chat', 'eventsub']);
    assert.ok(raid.viewers > 0);
    assert.ok(Math.abs(Date.parse(raid.at) - raidAt) < 60_000, `raid at ${raid.at}, triggered at ${new Date(raidAt).toISOString()}`);
    // a raid target of a watched channel gains the source (it would be watched for it if it were not)
    assert.deepEqual((await l.audience.channels()).channels.find((c) => c.login === b)?.sources, ['api', 'raid']);

    const moves = await waitFor(
      'raid moves stored',
      async () => {
        const r = await l.audience.moves({ fromChannel: a, toChannel: b, ...range(), limit: 10_000 });
        const raidMoves = (r.moves ?? []).filter((m) => m.cause === 'raid');
        return raidMoves.length > 0 ? raidMoves : undefined;
      },
      60_000,
      200,
    );
    // every raid move Lurk inferred is one the world made
    const truth = await truthMoves(sim, raidAt - 60_000, l.clock.now() + 1000);
    const raiders = new Set(truth.filter((m) => m.from.login === a && m.to.login === b && m.cause === 'raid').map((m) => m.user_login));
    assert.ok(raiders.size > 0, 'the world moved raiders');
    for (const m of moves) {
      assert.ok(raiders.has(m.user), `${m.user} moved ${a} → ${b} with the raid in the world`);
      assert.equal(m.raid_id, raid.id);
      assert.ok(Date.parse(m.joined_at) >= Date.parse(m.left_at));
      assert.ok(
        m.evidence.some((e) => e.channel === a),
        `${m.user}: a signal in ${a}`,
      );
      assert.ok(
        m.evidence.some((e) => e.channel === b),
        `${m.user}: a signal in ${b}`,
      );
    }
    assert.ok(moves.length <= raiders.size);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    // two, or more when the world made one of them raid another channel by itself
    assert.ok(Number(/^lurk_audience_watched_channels\{[^}]*\} (\d+)$/m.exec(metrics)?.[1]) >= 2, metrics);
    const counted = Number(/^lurk_audience_moves_total\{[^}]*cause="raid"[^}]*\} (\d+)$/m.exec(metrics)?.[1]);
    assert.ok(counted >= moves.length, `${counted} raid moves counted in the metrics, ${moves.length} stored`);

    // the counts say the same as the rows (read when no write came between)
    for (let attempt = 0; ; attempt++) {
      const first = await l.audience.moves({ fromChannel: a, toChannel: b, ...range(), limit: 10_000 });
      const flows = await l.audience.flows({ channel: a, direction: 'out', ...range() });
      const again = await l.audience.moves({ fromChannel: a, toChannel: b, ...range(), limit: 10_000 });
      if (first.total !== again.total && attempt < 5) continue;
      const rows = first.moves!;
      const pair = first.pairs.find((p) => p.from_channel === a && p.to_channel === b)!;
      assert.equal(pair.moves, rows.length);
      assert.equal(pair.raid, rows.filter((m) => m.cause === 'raid').length);
      assert.equal(pair.organic, rows.filter((m) => m.cause === 'organic').length);
      assert.ok(pair.median_gap_seconds !== null && pair.median_gap_seconds >= 0);
      const toB = flows.flows.find((f) => f.channel === b)!;
      assert.equal(toB.moves, pair.moves);
      assert.equal(toB.raid, pair.raid);
      const into = await l.audience.flows({ channel: b, direction: 'in', ...range() });
      assert.equal(into.flows.find((f) => f.channel === a)?.raid, pair.raid);
      break;
    }
    const stored = await l.audience.moves({ fromChannel: a, toChannel: b, ...range(), limit: 10_000 });

    // the raider's stream ends (EventSub stream.offline, a webhook like the raid): its audience is counted and followed
    const offline = await fetch(`${sim.address.httpUrl}/_sim/trigger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'stream.offline', broadcaster_user_id: userId(sim, a) }),
    });
    assert.equal(offline.status, 200, await offline.text());
    const ended = await waitFor(`${a}'s end stored`, async () => (await l.audience.ended({ channel: a, limit: 5 })).ended[0], 60_000, 200);
    assert.equal(ended.channel, a);
    assert.equal(ended.final, false, 'the 30 minutes after the end are still running');
    // (the simulator PARTs a stream's audience the moment it ends, before the notification comes,
    // so the audience counted at the end may be 0 here; real JOIN/PART come in late batches)
    assert.ok(ended.followed <= ended.audience, JSON.stringify(ended));
    // (other events of the two channels may come as the world goes on: these three must be there)
    for (const wanted of [
      `channel.raid ${JSON.stringify({ from_broadcaster_user_id: userId(sim, a) })}`,
      `channel.raid ${JSON.stringify({ to_broadcaster_user_id: userId(sim, b) })}`,
      `stream.offline ${JSON.stringify({ broadcaster_user_id: userId(sim, a) })}`,
    ])
      assert.ok(delivered.includes(wanted), `${wanted} delivered (got ${delivered.join('; ')})`);
    assert.equal((await l.audience.channels()).channels.find((c) => c.login === a)?.live, false);

    await lurk.stop();
    lurk = await audienceLurk(env);
    await lurk.start();
    const after = lurk;
    // (a watched channel the world made raid another by itself brings that one in, for the raid)
    assert.deepEqual(
      after.audience.logins().filter((login) => !after.audience.record(login)?.sources.every((s) => s === 'raid')),
      [a, b].sort(),
      'the watched channels are kept',
    );
    assert.deepEqual(after.audience.record(b)?.sources, ['api', 'raid']);
    const { raids } = await after.audience.raids({ ...range(), limit: 100 });
    assert.deepEqual(raids.find((r) => r.id === raid.id)?.sources, ['chat', 'eventsub']);
    const kept = await after.audience.moves({ fromChannel: a, toChannel: b, ...range(), limit: 10_000 });
    assert.ok(kept.total >= stored.total, `${kept.total} moves after the restart, ${stored.total} before`);
    for (const m of stored.moves!) assert.ok(kept.moves!.some((k) => k.user === m.user && k.joined_at === m.joined_at && k.cause === m.cause));
  } finally {
    await lurk?.stop();
  }
}

test("a watched channel raids one Lurk does not watch: the target is watched from the raid on (source raid) and the raiders' moves into it are stored", async () => {
  const db = await tempSqlite();
  const env = { DATABASE_URL: db.url, LURK_SIM_SPEED: '10', LURK_AUDIENCE_TOP: '0', LURK_AUDIENCE_PER_USER: 'true', LURK_AUDIENCE_LINGER_SECONDS: '120' };
  const lurk = await audienceLurk(env);
  try {
    await lurk.start();
    const sim = lurk.simulator!;
    const [a, c] = twoLive(sim);
    await lurk.audience.watch([a]);
    const watchedAt = lurk.clock.now();
    await waitFor(
      'the room joined and its EventSub subscriptions enabled',
      async () => {
        const joined = (await lurk.audience.channels()).channels[0]?.chat.state === 'joined';
        const mine = lurk.twitchAccess.eventsub.subscriptions().filter((s) => s.owners.includes('audience'));
        return (joined && mine.length === 4 && mine.every((s) => s.state === 'enabled')) || undefined;
      },
      30_000,
    );
    await clockPasses(lurk, watchedAt + 150_000, 60_000);
    assert.equal(lurk.audience.isWatched(c), false);
    const raidAt = lurk.clock.now();
    const trigger = await fetch(`${sim.address.httpUrl}/_sim/trigger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'channel.raid', broadcaster_user_id: userId(sim, a), to_broadcaster_user_id: userId(sim, c) }),
    });
    assert.equal(trigger.status, 200, await trigger.text());
    await waitFor(`${c} watched for the raid`, () => lurk.audience.isWatched(c) || undefined, 30_000);
    assert.deepEqual(lurk.audience.record(c)?.sources, ['raid']);
    const range = () => ({ from: raidAt - HOUR, to: lurk.clock.now() + HOUR });
    const moves = await waitFor(
      `raid moves ${a} → ${c}`,
      async () => {
        const r = await lurk.audience.moves({ fromChannel: a, toChannel: c, ...range(), limit: 10_000 });
        const raid = (r.moves ?? []).filter((m) => m.cause === 'raid');
        return raid.length > 0 ? raid : undefined;
      },
      60_000,
      200,
    );
    const truth = await truthMoves(sim, raidAt - 60_000, lurk.clock.now() + 1000);
    const raiders = new Set(truth.filter((m) => m.from.login === a && m.to.login === c && m.cause === 'raid').map((m) => m.user_login));
    for (const m of moves) assert.ok(raiders.has(m.user), `${m.user} moved ${a} → ${c} with the raid in the world`);
    // the two hours are stored with it
    const stored = (await lurk.store.db.selectFrom('audience_channels').selectAll().where('login', '=', c).executeTakeFirst())!;
    assert.deepEqual(JSON.parse(stored.sources), ['raid']);
    assert.ok(Number(stored.raid_until) >= raidAt + 2 * HOUR - 60_000, `raid_until ${stored.raid_until}, raid at ${raidAt}`);
  } finally {
    await lurk.stop();
    await db.drop();
  }
});
