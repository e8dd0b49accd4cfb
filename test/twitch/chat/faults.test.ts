// The pool against the simulator's IRC faults (/_sim/faults): dropped connections, RECONNECT and
// malformed lines, each counted against the world's truth.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Simulator } from '../../../src/sim/simulator.js';
import { waitFor } from '../../helpers/app.js';
import { chatWorld, duplicates, liveLogins, nextStep, type PoolRun, poolOn, setFaults, truth, worldPasses } from '../../helpers/chat.js';

describe('chat pool under IRC faults', () => {
  let sim: Simulator;
  let run: PoolRun | undefined;
  const logins: string[] = [];
  const wanted = new Set<string>();

  before(async () => {
    // the server closes connections 15 s after RECONNECT (Twitch gives no figure): longer than one JOIN window
    ({ sim } = await chatWorld({ channels: 1000, live: 300, speed: 30, irc: { reconnectGraceMs: 15_000 } }));
    logins.push(...liveLogins(sim, 100));
    for (const l of logins) wanted.add(l);
  });
  after(() => sim.stop());
  afterEach(async () => {
    await setFaults(sim, { ircDropRate: 0, ircMalformedRate: 0, ircReconnect: false });
    await run?.close();
    run = undefined;
  });

  /** 100 channels; 20 a connection by default, so a reconnected connection rejoins all at once */
  async function joined(channelsPerConnection = 20): Promise<PoolRun> {
    run = poolOn(sim, { channelsPerConnection, backoffMs: { min: 100, max: 1000 } });
    run.pool.want('test', logins);
    await waitFor('100 channels joined', () => run!.pool.stats().channels.joined === 100, 30_000, 50);
    return run;
  }

  const allJoined = (r: PoolRun) => r.pool.stats().channels.joined === 100;
  const received = (r: PoolRun, from: number, to: number) => r.messages.filter((m) => m.sentAt >= from && m.sentAt < to);

  test('dropped connections reconnect and rejoin every channel; messages are lost only while a connection was down, none twice', async () => {
    const r = await joined();
    const from = nextStep(sim);
    await worldPasses(sim, 15_000);
    const faultAt = sim.world.now();
    await setFaults(sim, { ircDropRate: 0.5 });
    await waitFor('connections dropped', () => r.pool.stats().drops >= 3, 20_000, 20);
    await setFaults(sim, { ircDropRate: 0 });
    // every channel rejoined within 5 s of the fault's end (a deadline on a condition)
    await waitFor('every channel rejoined', () => allJoined(r), 5000, 20);
    const rejoinedAt = nextStep(sim);
    const to = await worldPasses(sim, 30_000);
    const expected = await truth(sim, from, to, wanted);
    const before = expected.filter((m) => m.at < faultAt);
    const afterwards = expected.filter((m) => m.at >= rejoinedAt);
    assert.ok(before.length > 20 && afterwards.length > 20, `the world chatted before (${before.length}) and after (${afterwards.length})`);
    await waitFor('the messages after the rejoin', () => {
      const got = new Set(received(r, from, to).map((m) => m.id));
      return afterwards.every((m) => got.has(m.id));
    });
    const got = new Set(received(r, from, to).map((m) => m.id));
    const truthIds = new Set(expected.map((m) => m.id));
    const lost = expected.filter((m) => !got.has(m.id));
    assert.ok(lost.length > 0, 'the drops cost some messages (else the window proves nothing)');
    for (const m of lost) assert.ok(m.at >= faultAt && m.at < rejoinedAt, `a message lost outside the drop window (${new Date(m.at).toISOString()})`);
    assert.deepEqual(
      [...got].filter((id) => !truthIds.has(id)),
      [],
      'nothing the world did not say',
    );
    assert.deepEqual(duplicates(r.messages), []);
    assert.ok(r.pool.stats().reconnects >= 3);
  });

  test('RECONNECT: the replacement joins first, so no message is lost and none arrives twice', async () => {
    // 25 a connection: a replacement needs two JOIN windows, and the old connection reads its last 5 channels meanwhile
    const r = await joined(25);
    const from = nextStep(sim);
    await worldPasses(sim, 15_000);
    await setFaults(sim, { ircReconnect: true });
    await waitFor('4 replacements', () => r.pool.stats().reconnects >= 4, 10_000, 20);
    await waitFor(
      'every channel on its replacement, the old connections closed',
      () => allJoined(r) && r.pool.stats().connections.reader === 4 && r.pool.channels().every((c) => Number(c.connection?.split('-')[1]) > 4),
      20_000,
      50,
    );
    const to = await worldPasses(sim, 30_000);
    const expected = await truth(sim, from, to, wanted);
    assert.ok(expected.length > 50, `the world chatted (${expected.length})`);
    const ids = new Set(expected.map((m) => m.id));
    await waitFor('every message of the window', () => received(r, from, to).filter((m) => ids.has(m.id)).length >= ids.size, 20_000, 50);
    assert.deepEqual(
      received(r, from, to)
        .map((m) => m.id)
        .sort(),
      [...ids].sort(),
    );
    assert.deepEqual(duplicates(r.messages), []);
    assert.equal(r.pool.stats().drops, 0, 'closing the old connections after RECONNECT is no drop');
  });

  test('malformed lines are counted, sampled in the debug log and skipped; the rest arrives once', async () => {
    const r = await joined();
    const from = nextStep(sim);
    await setFaults(sim, { ircMalformedRate: 0.05 });
    await waitFor('malformed lines', () => r.pool.stats().malformed >= 10, 20_000, 20);
    await setFaults(sim, { ircMalformedRate: 0 });
    const to = await worldPasses(sim, 15_000);
    const expected = await truth(sim, from, to, wanted);
    const ids = new Set(expected.map((m) => m.id));
    const tail = expected.filter((m) => m.at >= to - 5_000);
    await waitFor('the messages after the fault', () => {
      const got = new Set(received(r, from, to).map((m) => m.id));
      return tail.every((m) => got.has(m.id));
    });
    const got = received(r, from, to);
    const malformed = r.pool.stats().malformed;
    assert.ok(got.every((m) => ids.has(m.id)));
    // a corrupted line is a message the world said and the pool could not read: no more are missing than were corrupted
    assert.ok(expected.length - got.length <= malformed, `${expected.length - got.length} missing, ${malformed} malformed`);
    assert.deepEqual(duplicates(r.messages), []);
    assert.ok(allJoined(r), 'no connection gave up on a bad line');
    const samples = r.logLines().filter((l) => l.msg === 'malformed chat line (sampled)');
    assert.ok(samples.length >= 1 && samples.length <= 3, `at most 3 samples a minute (${samples.length})`);
  });
});
