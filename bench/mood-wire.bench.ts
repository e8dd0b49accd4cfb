// Mood (issue #12), 1,000 channels tracked over real sockets: a seeded simulator in this process (every
// protocol, 1,100 live channels), a `lurk start` child pointed at it with the settings `lurk sim`
// prints, the logins POSTed 100 a call. The simulator runs here rather than embedded in Lurk so
// that its world's chat is counted exactly as it is made, for the tracked channels only, and so
// that Lurk's resident memory is Lurk's alone. Figures: the time until every channel is joined,
// the messages Mood classified a second against those the world made in the tracked channels
// (goal ≈ 1.0: nothing lost), and Lurk's resident memory per tracked channel beside what the live
// windows alone keep.
import { createLogger } from '../src/core/logger.js';
import { createClassifier } from '../src/mood/classifier/index.js';
import type { MoodChannelList } from '../src/mood/types.js';
import { createSimulator } from '../src/sim/index.js';
import { simulatorEndpoints } from '../src/twitch/endpoints.js';
import { freePort, waitFor } from '../test/helpers/app.js';
import { tempSqlite } from '../test/helpers/db.js';
import { startLurk, stopLurk } from '../test/helpers/process.js';
import type { BenchContext, Figure } from './lib.js';
import { simulatorChat } from './support/mood-data.js';
import { measureMemory } from './support/mood-memory.js';

const HOST = '127.0.0.1';
const CHANNELS = 1_000;
const PER_CALL = 100;
/** simulated seconds per second while measuring: about 6,000 messages a second over the 1,000 channels */
const SPEED = 30;
const CLASSIFIED = 'lurk_mood_messages_classified_total';
const us = (n: number) => n.toLocaleString('en-US');
/** Lurk's JOIN limit (README, "Chat pool"): 20 per 10 s per reading connection, with half a second to spare, 100 channels a connection */
const JOIN_FLOOR_S = (Math.ceil(PER_CALL / 20) - 1) * 10.5;

/** one sample of Prometheus text: the first series of `name` */
function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  if (!line) throw new Error(`/metrics has no ${name}`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** heap the live windows alone keep per channel, over as many channels with Zipf-spread chat (bench/mood.bench.ts) */
async function windowsPerChannel(): Promise<number> {
  const classifier = createClassifier();
  const texts = simulatorChat(2_000).map(({ text, emotes }) => ({ text, ...classifier.classify(text, emotes) }));
  return (await measureMemory(CHANNELS, texts)).engineBytes;
}

export default async function moodWireBench(ctx: BenchContext): Promise<Figure[]> {
  const seconds = ctx.quick ? 10 : 30;
  const enginePerChannel = await windowsPerChannel();
  const sim = createSimulator({ seed: 7, channels: 3000, live: 1100, viewersPerLive: 300, speed: 0, port: 0, ircPort: 0, ircWsPort: null, log: createLogger('warn') });
  const db = await tempSqlite();
  let lurk: ReturnType<typeof startLurk> | undefined;
  try {
    const addresses = await sim.start();
    const endpoints = simulatorEndpoints(addresses);
    const client = sim.auth.registeredClients()[0]!;
    const port = await freePort();
    const base = `http://${HOST}:${port}`;
    lurk = startLurk(['start'], {
      TWITCH_CLIENT_ID: client.clientId,
      TWITCH_CLIENT_SECRET: client.clientSecret,
      LURK_TWITCH_OAUTH_URL: endpoints.oauth,
      LURK_TWITCH_HELIX_URL: endpoints.helix,
      LURK_TWITCH_EVENTSUB_WS_URL: endpoints.eventSubWs,
      LURK_TWITCH_IRC_URL: `irc://${endpoints.ircTcp.host}:${addresses.ircPort}`,
      PORT: String(port),
      HOST,
      DATABASE_URL: db.url,
      LOG_LEVEL: 'warn',
      LURK_API_RATE_LIMIT: '0',
      LURK_DIGEST_DIR: 'off',
    });
    const running = lurk;
    ctx.log('wire: lurk start against a simulator of 1,100 live channels…');
    await waitFor('lurk /readyz', async () => ((await fetch(`${base}/readyz`)).ok ? true : undefined), 60_000, 200).catch((err) => {
      throw new Error(`${(err as Error).message}\n${running.output()}`);
    });
    const metrics = async () => (await fetch(`${base}/metrics`)).text();
    const rssIdle = metric(await metrics(), 'lurk_process_resident_memory_bytes');

    const live = [...sim.world.liveChannelList()].sort((a, b) => a - b).slice(0, CHANNELS);
    if (live.length < CHANNELS) throw new Error(`the simulator has ${live.length} live channels, not ${CHANNELS}`);
    const logins = live.map((c) => sim.world.login(c));
    const tracked = new Set(live);
    let sent = 0;
    let lastChatAt = 0;
    const off = sim.world.onChat((m) => {
      if (!tracked.has(m.channel)) return;
      sent++;
      lastChatAt = performance.now();
    });
    try {
      const t0 = performance.now();
      for (let i = 0; i < logins.length; i += PER_CALL) {
        const res = await fetch(`${base}/api/mood/channels`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: base },
          body: JSON.stringify({ logins: logins.slice(i, i + PER_CALL) }),
        });
        if (!res.ok) throw new Error(`POST /api/mood/channels: ${res.status} ${await res.text()}`);
      }
      ctx.log(`wire: ${CHANNELS} logins posted in ${Math.round(performance.now() - t0)} ms; waiting for every JOIN…`);
      let lastLog = 0;
      await waitFor(
        'every tracked channel joined',
        async () => {
          const list = (await (await fetch(`${base}/api/mood/channels`)).json()) as MoodChannelList;
          const joined = list.channels.filter((c) => tracked.has(sim.world.userByLogin(c.login) ?? -1) && c.chat.state === 'joined').length;
          if (performance.now() - lastLog > 5000) {
            lastLog = performance.now();
            ctx.log(`wire: ${joined}/${CHANNELS} joined after ${((lastLog - t0) / 1000).toFixed(0)} s`);
          }
          return joined === CHANNELS ? true : undefined;
        },
        180_000,
        250,
      );
      const joinSeconds = (performance.now() - t0) / 1000;
      ctx.log(`wire: all joined in ${joinSeconds.toFixed(1)} s; world at speed ${SPEED}, ${seconds} s…`);

      // The world stands still while the channels join, so no chat is in flight when the counts
      // are read: both sides count the same messages exactly, lost ones included.
      const counted0 = metric(await metrics(), CLASSIFIED);
      const sent0 = sent;
      sim.setSpeed(SPEED);
      const m0 = performance.now();
      await new Promise((r) => setTimeout(r, seconds * 1000));
      sim.setSpeed(0);
      // a world that lagged its clock catches up after the stop: wait until it has made its last
      // message and Mood has classified what was still on the wire or in the bus
      let counted = -1;
      for (let waited = 0, last = -2, lastSent = -1; (counted !== last || sent !== lastSent) && waited < 30_000; waited += 500) {
        last = counted;
        lastSent = sent;
        await new Promise((r) => setTimeout(r, 500));
        counted = metric(await metrics(), CLASSIFIED) - counted0;
      }
      const made = sent - sent0;
      const wall = (lastChatAt - m0) / 1000;
      const after = await metrics();
      ctx.log(`wire: the simulator made ${us(made)} messages in the tracked channels in ${wall.toFixed(1)} s, Mood classified ${us(counted)}`);
      const rssPerChannel = (metric(after, 'lurk_process_resident_memory_bytes') - rssIdle) / CHANNELS;
      const about = `${us(CHANNELS)} live channels of a seeded simulator (1,100 live, ~300 viewers each, speed ${SPEED}) tracked through POST /api/mood/channels (${PER_CALL} a call) by a lurk start child over real sockets`;
      return [
        {
          name: `mood over the wire: ${us(CHANNELS)} channels POSTed → all joined`,
          value: joinSeconds,
          unit: 's',
          anchor: 'the JOIN limit alone: 100 channels a connection at 20 JOINs per 10.5 s',
          anchorValue: JOIN_FLOOR_S,
          better: 'lower',
          note: about,
        },
        {
          name: 'mood over the wire: messages classified by Mood (goal ≈ 1.0 of what the simulator sent)',
          value: counted / wall,
          unit: 'messages/s',
          anchor: 'chat messages/s the simulator made in the tracked channels over the same interval',
          anchorValue: made / wall,
          better: 'higher',
          note: `${about}; ${CLASSIFIED} over ${seconds} s of chat, the world still before and after: ${us(counted)} classified of ${us(made)} made (${us(made - counted)} missing)`,
        },
        {
          name: 'mood over the wire: Lurk resident memory growth per tracked channel',
          value: rssPerChannel,
          unit: 'bytes',
          anchor: `the live windows alone: memory per channel of an engine tracking ${us(CHANNELS)} in this process`,
          anchorValue: enginePerChannel,
          better: 'lower',
          note: `RSS from /metrics before the POSTs and after ${seconds} s of chat, over ${us(CHANNELS)}: chat connections, buffers, windows, the store's writes and the heap's slack`,
        },
      ];
    } finally {
      off();
    }
  } finally {
    if (lurk) await stopLurk(lurk);
    await sim.stop();
    await db.drop();
  }
}
