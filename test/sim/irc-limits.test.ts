// The simulator's JOIN limits as Twitch counts them: 20 JOINs per 10 s per logged-in user, shared
// by its connections; an anonymous connection is a user of its own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from '../helpers/app.js';
import { chatWorld } from '../helpers/chat.js';
import { type RawIrc, rawIrc } from '../helpers/irc.js';

test('a logged-in user’s JOINs are limited across its connections; anonymous connections each have their own window', async (t) => {
  const { sim } = await chatWorld({ channels: 200, live: 50, speed: 0, irc: { concurrentJoinLimit: 1000 } });
  t.after(() => sim.stop());
  const user = sim.world.channelCount + 1;
  const logins = [...Array(40).keys()].map((i) => `#${sim.world.login(i)}`);
  const clients: RawIrc[] = [];
  t.after(() => {
    for (const c of clients) c.close();
  });
  const open = async (index?: number) => {
    const c = await rawIrc(sim, index);
    clients.push(c);
    return c;
  };
  const first = await open(user);
  const second = await open(user);
  const anonA = await open();
  const anonB = await open();
  const refused = (c: typeof first) => c.lines.filter((m) => m.command === 'NOTICE' && m.tags.get('msg-id') === 'msg_ratelimit').length;
  const joined = (c: typeof first) => c.lines.filter((m) => m.command === 'ROOMSTATE').length;

  first.send(`JOIN ${logins.slice(0, 12).join(',')}`);
  await waitFor('12 joins', () => joined(first) === 12);
  second.send(`JOIN ${logins.slice(12, 24).join(',')}`);
  await waitFor('the refusals', () => joined(second) + refused(second) === 12);
  assert.equal(joined(second), 8, 'the user had 8 of its 20 left');
  assert.equal(refused(second), 4);

  for (const anon of [anonA, anonB]) {
    anon.send(`JOIN ${logins.slice(0, 20).join(',')}`);
    await waitFor('20 joins', () => joined(anon) === 20);
    anon.send(`JOIN ${logins[20]}`);
    await waitFor('the 21st refused', () => refused(anon) === 1);
  }
});
