import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMOTES } from '../../src/sim/world/chat.js';
import { VIEWER_COUNT_REFRESH_MS, World, type ChatMessage, type WorldEvent } from '../../src/sim/world/world.js';

const START = Date.UTC(2026, 10, 22, 12, 0, 0);

function world(seed = 42, live = 800) {
  return new World({ seed, channels: live * 4, live, startMs: START });
}

function record(w: World) {
  const messages: ChatMessage[] = [];
  const events: WorldEvent[] = [];
  w.onChat((m) => messages.push(m));
  w.onEvent((e) => events.push(e));
  return { messages, events };
}

test('the same seed gives the same world, chat and events; another seed does not', () => {
  const a = world(42);
  const b = world(42);
  const c = world(43);
  const ra = record(a);
  const rb = record(b);
  const rc = record(c);
  for (const w of [a, b, c]) w.advanceTo(START + 15 * 60_000);
  assert.ok(ra.messages.length >= 1000, `only ${ra.messages.length} messages`);
  const lines = (r: { messages: ChatMessage[] }) => r.messages.slice(0, 1000).map((m) => `${m.at} ${m.channel} ${m.user} ${m.id} ${m.text}`);
  assert.deepEqual(lines(ra), lines(rb));
  assert.deepEqual(ra.events.slice(0, 1000), rb.events.slice(0, 1000));
  assert.deepEqual(a.stats(), b.stats());
  assert.deepEqual(
    [...a.liveChannelList()].map((ch) => a.viewersNow(ch)),
    [...b.liveChannelList()].map((ch) => b.viewersNow(ch)),
  );
  assert.notDeepEqual(lines(ra).slice(0, 50), lines(rc).slice(0, 50));
});

test('viewer counts are heavy-tailed: most streams have 0 to 2 viewers, a few have thousands', () => {
  const w = world(7, 3000);
  w.advanceTo(START + 60_000);
  const counts = [...w.liveChannelList()].map((c) => w.viewersNow(c)).sort((x, y) => y - x);
  const small = counts.filter((v) => v <= 2).length;
  assert.ok(small / counts.length > 0.5, `only ${small} of ${counts.length} streams have ≤2 viewers`);
  assert.ok(counts[0]! > 1000, `the biggest stream has only ${counts[0]} viewers`);
  assert.ok(counts[0]! > 100 * Math.max(1, counts[Math.floor(counts.length / 2)]!));
});

test('every viewer watches at most one channel, and audiences match who watches what', () => {
  const w = world(9, 500);
  w.advanceTo(START + 10 * 60_000);
  const seen = new Set<number>();
  for (const c of w.liveChannelList()) {
    for (const user of w.audience(c)) {
      assert.ok(!seen.has(user), `user ${user} is in two audiences`);
      seen.add(user);
      assert.equal(w.watchingOf(user), c);
    }
  }
  assert.equal(seen.size, w.stats().viewers);
});

test('watch-time truth equals the integral of concurrent viewers, per game and per streamer', () => {
  const w = world(11, 400);
  const byChannel = new Map<number, number>();
  let total = 0;
  const from = START + 60_000;
  const to = START + 11 * 60_000;
  w.advanceTo(from);
  // viewers present during the second that ends at t are credited for that second
  let previous = new Map<number, number>([...w.liveChannelList()].map((c) => [c, w.viewersNow(c)]));
  w.onStep((t) => {
    if (t > to) return;
    for (const [c, v] of previous) {
      byChannel.set(c, (byChannel.get(c) ?? 0) + v / 3600);
      total += v / 3600;
    }
    previous = new Map([...w.liveChannelList()].map((c) => [c, w.viewersNow(c)]));
  });
  w.advanceTo(to + 60_000);
  const truthTotal = [...w.truth.hours(from, to, 'game').values()].reduce((a, b) => a + b, 0);
  // the integral over [from, to) is Σ viewers × 1 s over those steps
  assert.ok(Math.abs(truthTotal - total) / total < 1e-9, `truth ${truthTotal} vs sampled ${total}`);
  const streamers = w.truth.hours(from, to, 'streamer');
  const [topChannel] = [...byChannel.entries()].sort((a, b) => b[1] - a[1])[0]!;
  assert.ok(Math.abs(streamers.get(topChannel)! - byChannel.get(topChannel)!) / byChannel.get(topChannel)! < 1e-9);
});

test("viewer_count lags: it changes only at the channel's refresh, to the audience of that moment", () => {
  const w = world(5, 300);
  const channel = [...w.liveChannelList()].sort((a, b) => w.viewersNow(b) - w.viewersNow(a))[0]!;
  const seen: { t: number; reported: number; actual: number }[] = [];
  w.onStep((t) => seen.push({ t, reported: w.reportedViewers(channel), actual: w.viewersNow(channel) }));
  w.advanceTo(START + 5 * VIEWER_COUNT_REFRESH_MS);
  const changes = seen.filter((s, i) => i > 0 && s.reported !== seen[i - 1]!.reported);
  assert.ok(changes.length >= 2 && changes.length <= 6, `${changes.length} changes of viewer_count in 5 minutes`);
  const actualChanges = seen.filter((s, i) => i > 0 && s.actual !== seen[i - 1]!.actual).length;
  assert.ok(actualChanges > changes.length, 'the real audience changes more often than the reported count');
  // the refresh reads the audience as it stood when the refresh second began
  for (const change of changes) assert.equal(change.reported, seen[seen.indexOf(change) - 1]!.actual);
});

test('a raid moves most of the audience to the raided channel and records each move', () => {
  const w = world(3, 300);
  const [from, to] = [...w.liveChannelList()].sort((a, b) => w.viewersNow(b) - w.viewersNow(a));
  const before = w.viewersNow(from!);
  const t = w.now();
  const event = w.trigger('channel.raid', from!, { toChannel: to! });
  assert.equal(event?.type, 'channel.raid');
  assert.equal(event?.viewers, before);
  w.advanceTo(t + 10_000);
  const raids = w.movesBetween(t, t + 10_000).filter((m) => m.cause === 'raid');
  assert.ok(raids.length > before * 0.6 && raids.length <= before, `${raids.length} of ${before} moved`);
  for (const m of raids) {
    assert.equal(m.from, from);
    assert.equal(m.to, to);
    assert.equal(m.leftAt, t);
    assert.ok(m.joinedAt > m.leftAt);
  }
});

test('chat messages carry a sentiment label and emote positions that point at the emotes', () => {
  const w = world(21, 300);
  const { messages } = record(w);
  w.advanceTo(START + 5 * 60_000);
  const labels = new Set(messages.map((m) => m.sentiment));
  assert.deepEqual([...labels].sort(), ['negative', 'neutral', 'positive']);
  const codes = new Map(EMOTES.map((e) => [e.id, e.code]));
  let withEmotes = 0;
  for (const m of messages) {
    if (!m.emotes) continue;
    withEmotes++;
    const chars = [...m.text];
    for (const part of m.emotes.split('/')) {
      const [id, ranges] = part.split(':');
      for (const range of ranges!.split(',')) {
        const [start, end] = range.split('-').map(Number);
        assert.equal(chars.slice(start, end! + 1).join(''), codes.get(id!), `${m.text} ${m.emotes}`);
      }
    }
  }
  assert.ok(withEmotes > 10);
});

test('streams end and others start, keeping the live count near its target', () => {
  const w = world(13, 500);
  const { events } = record(w);
  w.advanceTo(START + 60 * 60_000);
  const online = events.filter((e) => e.type === 'stream.online').length;
  const offline = events.filter((e) => e.type === 'stream.offline').length;
  assert.ok(offline > 50, `${offline} streams ended in an hour`);
  assert.ok(Math.abs(w.liveCount - 500) < 50, `live count drifted to ${w.liveCount}`);
  assert.ok(online > 40);
  assert.ok(events.some((e) => e.type === 'channel.update'));
  assert.ok(events.some((e) => e.type === 'channel.follow'));
});
