// POST /_sim/trigger {"type":"chat.spike"}: a live channel's chat bursts well above its usual
// rate, in a hype mood, for CHAT_SPIKE_MS; the truth holds every message of it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHAT_SPIKE_MS, World, type ChatMessage } from '../../src/sim/world/world.js';
import { appToken, startSimulator, SIM_START } from '../helpers/sim.js';

function world(seed: number) {
  return new World({ seed, channels: 1200, live: 300, startMs: SIM_START });
}

/** the live channel with the fewest viewers but at least one: the floor must carry it */
function smallLiveChannel(w: World): number {
  return [...w.liveChannelList()].filter((c) => w.viewersNow(c) > 0).sort((a, b) => w.viewersNow(a) - w.viewersNow(b) || a - b)[0]!;
}

function spikeRun(seed: number) {
  const w = world(seed);
  w.advanceTo(SIM_START + 5 * 60_000);
  const channel = smallLiveChannel(w);
  const messages: ChatMessage[] = [];
  w.onChat((m) => m.channel === channel && messages.push(m));
  const before = w.now();
  w.advanceTo(before + 60_000);
  const at = w.now();
  const { until } = w.spikeChat(channel);
  w.advanceTo(until);
  return { w, channel, messages, before, at, until };
}

test('a chat spike multiplies a small channel’s chat, in a hype mood, and ends', () => {
  const { w, channel, messages, before, at, until } = spikeRun(7);
  assert.equal(until - at, CHAT_SPIKE_MS);
  const usual = messages.filter((m) => m.at >= before && m.at < at);
  const spike = messages.filter((m) => m.at >= at && m.at < until);
  const spikePerSecond = spike.length / (CHAT_SPIKE_MS / 1000);
  // a Poisson rate of at least 4 a second: far more than 2.5 a second over 75 s is all but certain
  assert.ok(spikePerSecond > 2.5, `${spikePerSecond.toFixed(2)} messages a second in the spike`);
  assert.ok(spike.length > 5 * Math.max(1, usual.length * (CHAT_SPIKE_MS / 60_000)), `${spike.length} in the spike against ${usual.length} in the minute before`);
  const positive = spike.filter((m) => m.sentiment === 'positive').length / spike.length;
  const negative = spike.filter((m) => m.sentiment === 'negative').length / spike.length;
  assert.ok(positive > 0.5 && positive > 3 * negative, `positive ${positive.toFixed(2)}, negative ${negative.toFixed(2)}`);
  assert.equal(w.moodOf(channel).episode, 'normal', 'the hype ends with the spike');
  // and afterwards the rate falls back
  const after = messages.length;
  w.advanceTo(until + 60_000);
  assert.ok(messages.length - after < spike.length / 3, `${messages.length - after} in the minute after`);
});

test('the same seed and the same trigger give the same spike', () => {
  const lines = (r: ReturnType<typeof spikeRun>) => r.messages.map((m) => `${m.at} ${m.user} ${m.id} ${m.text}`);
  const a = spikeRun(11);
  const b = spikeRun(11);
  assert.equal(a.channel, b.channel);
  assert.ok(a.messages.length > 100);
  assert.deepEqual(lines(a), lines(b));
  assert.deepEqual(a.w.stats(), b.w.stats());
});

test('POST /_sim/trigger chat.spike over HTTP: the truth has the burst; offline is 409, unknown 404, bad type 400', async (t) => {
  const sim = await startSimulator({ channels: 1200, live: 300, seed: 5 });
  t.after(() => sim.stop());
  const base = sim.address.httpUrl;
  const { headers } = await appToken(sim);
  const post = (body: unknown) => fetch(`${base}/_sim/trigger`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const advance = (seconds: number) => fetch(`${base}/_sim/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance_seconds: seconds }) });
  const count = async (login: string, from: number, to: number) => {
    const q = new URLSearchParams({ channel: login, from: new Date(from).toISOString(), to: new Date(to).toISOString(), limit: '10000' });
    const res = await fetch(`${base}/_sim/truth/messages?${q}`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { total: number; messages: { text: string }[] };
    return body.total;
  };

  // the quietest live stream Helix lists
  const streams = (await (await fetch(`${base}/helix/streams?first=100`, { headers })).json()) as { data: { user_id: string; user_login: string; viewer_count: number }[] };
  const quiet = streams.data.filter((s) => s.viewer_count > 0).sort((a, b) => a.viewer_count - b.viewer_count)[0]!;
  await advance(60);
  const before = sim.world.now();
  await advance(60);
  const at = sim.world.now();
  const res = await post({ type: 'chat.spike', broadcaster_user_id: quiet.user_id });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { triggered: string; at: string; until: string };
  assert.equal(body.triggered, 'chat.spike');
  assert.equal(Date.parse(body.until) - Date.parse(body.at), CHAT_SPIKE_MS);
  await advance(60);
  const usual = await count(quiet.user_login, before, at);
  const spike = await count(quiet.user_login, at, at + 60_000);
  assert.ok(spike > 150 && spike > 5 * usual, `${spike} messages in the spike's first minute against ${usual} in the minute before`);

  const offline = [...Array(sim.world.channelCount).keys()].find((c) => !sim.world.isLive(c))!;
  const refused = await post({ type: 'chat.spike', broadcaster_user_id: sim.world.userId(offline) });
  assert.equal(refused.status, 409);
  assert.match(((await refused.json()) as { error: { message: string } }).error.message, /live/);
  assert.equal((await post({ type: 'chat.spike', broadcaster_user_id: '999999999' })).status, 404);
  const bad = await post({ type: 'chat.explode', broadcaster_user_id: quiet.user_id });
  assert.equal(bad.status, 400);
});
