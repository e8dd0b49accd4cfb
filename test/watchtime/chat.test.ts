import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLurk } from '../../src/app.js';
import { loginFor } from '../../src/sim/world/catalog.js';
import type { DeepReadonly } from '../../src/core/bus.js';
import type { ChatMessage as ChatMessageEvent } from '../../src/twitch/chat/events.js';
import { memoryLogger, testConfig, waitFor } from '../helpers/app.js';
import { tempSqlite } from '../helpers/db.js';
import { rawIrc, type RawIrc } from '../helpers/irc.js';

test('!watchtime in a configured channel is answered in chat, threaded, with the original wording', async () => {
  const db = await tempSqlite();
  const channel = loginFor(0);
  const lurk = await createLurk(testConfig({ DATABASE_URL: db.url, LURK_WATCHTIME_CHAT_CHANNELS: channel, LURK_DIGEST_DIR: 'off' }), { log: memoryLogger().log, sweep: false });
  let viewer: RawIrc | undefined;
  // chat reaches capabilities on the bus: every message read in a wanted channel is a chat.message
  const onBus: DeepReadonly<ChatMessageEvent>[] = [];
  lurk.bus.subscribe('chat.message', ({ items }) => void onBus.push(...items));
  try {
    await lurk.start();
    // yesterday's watch time, through the same integration a sweep feeds: 9.5 minutes (a half-sweep lead, then
    // nine intervals) at 120 and 40 viewers = 19 and 6.3 hours
    const w = lurk.watchtime;
    const start = w.calendar.startOf(w.yesterday()) + 3_600_000;
    for (let m = 0; m < 10; m++) {
      const t = start + m * 60_000;
      w.ingestPage(
        [
          { id: 's1', user_id: '2001', user_login: 'cozy_bard', user_name: 'Cozy_Bard', game_id: '1095275650', game_name: "Baldur's Gate 3", viewer_count: 120 },
          { id: 's2', user_id: '2002', user_login: 'pixelmage', user_name: 'PixelMage', game_id: '1095275650', game_name: "Baldur's Gate 3", viewer_count: 40 },
        ],
        t,
        m + 1,
      );
      w.completeSweep(m + 1, t, t);
    }
    await w.flush();

    const sim = lurk.simulator!;
    const viewerIndex = sim.world.channelCount + 5;
    viewer = await rawIrc(sim, viewerIndex);
    viewer.send(`JOIN #${channel}`);
    await viewer.next('the viewer in the channel', (m) => m.command === 'ROOMSTATE');
    const seen = () => viewer!.lines.filter((m) => m.command === 'PRIVMSG').map((m) => ({ user: m.prefix.split('!')[0], text: m.params[1] ?? '', tags: m.tags }));
    const botLogin = sim.world.login(sim.world.channelCount);
    const fromBot = () => seen().filter((m) => m.user === botLogin);
    // the bot joins on its own schedule: ask until it answers
    await waitFor(
      'the bot to answer',
      () => {
        if (fromBot().length === 0) viewer!.say(channel, '!watchtime baldurs gate');
        return fromBot().length > 0 ? true : undefined;
      },
      20_000,
      500,
    );
    const answer = fromBot()[0]!;
    assert.match(answer.text, /^@\S+ The most watched Baldur's Gate 3 streamers yesterday were: 1\. Cozy_Bard: 19 hours, 2\. PixelMage: 6 hours$/);
    assert.ok(answer.tags.get('reply-parent-msg-id') === undefined || answer.tags.get('reply-parent-msg-id'), 'threaded when the server relays the tag');
    // a channel gets one answer per cooldown (3 s): ask until the next one comes
    await waitFor(
      'the second answer',
      () => {
        if (fromBot().length < 2) viewer!.say(channel, '!watchtime no such thing at all');
        return fromBot().length > 1 ? true : undefined;
      },
      30_000,
      1000,
    );
    assert.match(fromBot()[1]!.text, /There were no active games or streamers yesterday with name no such thing at all$/);
    viewer.say(channel, 'just chatting, no command');
    const plain = await waitFor('the plain message on the bus', () => onBus.find((m) => m.text === 'just chatting, no command'));
    assert.equal(plain.channel, channel);
    assert.equal(plain.user, sim.world.login(viewerIndex));
    assert.match(plain.id, /^[0-9a-f-]{36}$/, 'the message id, read from its tag');
    assert.equal(plain.userId, sim.world.userId(viewerIndex));
  } finally {
    viewer?.close();
    await lurk.stop();
    await db.drop();
  }
});
