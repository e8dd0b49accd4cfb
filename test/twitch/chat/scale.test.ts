// 500 channels over several anonymous connections, joined within Twitch's JOIN limit, and every
// message the world produced in them over a window on the bus exactly once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMetrics } from '../../../src/core/metrics.js';
import { waitFor } from '../../helpers/app.js';
import { chatWorld, duplicates, liveLogins, nextStep, poolOn, truth, worldPasses } from '../../helpers/chat.js';

test('500 channels are joined across connections within the JOIN limits, and the bus carries what the world said there, none lost, none twice', async (t) => {
  const { sim } = await chatWorld({ channels: 2000, live: 600, speed: 30 });
  t.after(() => sim.stop());
  const logins = liveLogins(sim, 500);
  const wanted = new Set(logins);
  // 25 a connection: each connection's first 20 JOINs go at once, the other 5 after the 10 s window
  const metrics = createMetrics();
  const run = poolOn(sim, { channelsPerConnection: 25, metrics });
  t.after(() => run.close());
  run.pool.want('test', logins);

  await waitFor('500 channels joined', () => run.pool.stats().channels.joined === 500, 60_000, 100);
  const stats = run.pool.stats();
  assert.deepEqual(stats.connections, { reader: 20, bot: 0 });
  assert.equal(stats.joinRateLimited, 0, 'no JOIN was refused with msg_ratelimit');
  assert.ok(!run.logLines().some((l) => String(l.msg).includes('too fast')), 'no msg_ratelimit NOTICE');
  assert.equal(run.channelEvents.filter((e) => e.state === 'joined').length, 500);
  const channels = run.pool.channels();
  assert.equal(channels.length, 500);
  for (const c of channels) {
    assert.equal(c.state, 'joined');
    assert.deepEqual(c.owners, ['test']);
    assert.match(c.connection ?? '', /^reader-\d+$/);
  }
  assert.equal(new Set(channels.map((c) => c.connection)).size, 20);

  const from = nextStep(sim);
  const to = await worldPasses(sim, 120_000);
  const expected = await truth(sim, from, to, wanted);
  assert.ok(expected.length > 500, `the world chatted in the window (${expected.length} messages)`);
  const inWindow = () => run.messages.filter((m) => m.sentAt >= from && m.sentAt < to);
  const want = new Set(expected.map((m) => m.id));
  await waitFor('every message of the window on the bus', () => inWindow().filter((m) => want.has(m.id)).length >= want.size, 30_000, 100);
  assert.deepEqual(
    inWindow()
      .map((m) => m.id)
      .sort(),
    [...want].sort(),
    "the bus has exactly the window's messages",
  );
  assert.deepEqual(duplicates(run.messages), []);
  for (const m of inWindow()) assert.ok(wanted.has(m.channel));
  assert.ok(run.pool.stats().lines > expected.length);
  assert.equal(run.pool.stats().joinRateLimited, 0);
  // what the Status page and /api/chat/channels show, and Prometheus
  const busy = run.pool.channels().filter((c) => c.lastLineAt !== undefined);
  assert.ok(busy.length > 100, `channels with a last line (${busy.length})`);
  assert.deepEqual(JSON.parse(JSON.stringify(run.pool.stats())), run.pool.stats(), 'stats are plain JSON');
  await waitFor('the metrics', async () => {
    const text = await metrics.registry.metrics();
    return /lurk_chat_channels\{[^}]*state="joined"[^}]*\} 500/.test(text) && /lurk_chat_connections\{[^}]*kind="reader"[^}]*\} 20/.test(text) && /lurk_chat_lines_total\{[^}]*\} [1-9]/.test(text);
  });
});
