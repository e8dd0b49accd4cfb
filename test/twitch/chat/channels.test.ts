// Which channels the pool holds: the union of what owners want, parted when nobody does; channels
// Twitch refuses; the bot's concurrent-join limit, against the simulator's own enforcement.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Simulator } from '../../../src/sim/simulator.js';
import { Identities } from '../../../src/sim/protocols/irc/identity.js';
import type { IrcProtocol } from '../../../src/sim/protocols/irc/index.js';
import { waitFor } from '../../helpers/app.js';
import { botAccount, chatWorld, liveLogins, poolOn } from '../../helpers/chat.js';
import { rawIrc } from '../../helpers/irc.js';

describe('chat pool channels', () => {
  let sim: Simulator;
  let irc: IrcProtocol;

  before(async () => {
    ({ sim, irc } = await chatWorld({ channels: 600, live: 200, speed: 10, irc: { concurrentJoinLimit: 5 } }));
  });
  after(() => sim.stop());

  test('want/release: the union is joined, a released channel is parted, one wanted by two owners stays until both release it', async (t) => {
    const run = poolOn(sim, { channelsPerConnection: 2 });
    t.after(() => run.close());
    const [a, b, c] = liveLogins(sim, 3);
    const state = (login: string) => run.pool.channels().find((x) => x.channel === login);
    const connectionsBefore = irc.stats()!.connections;
    run.pool.want('mood', [a!, b!]);
    run.pool.want('audience', [b!, c!]);
    await waitFor('three channels joined', () => run.pool.stats().channels.joined === 3);
    assert.deepEqual(state(b!)?.owners, ['audience', 'mood']);
    assert.equal(run.pool.stats().connections.reader, 2, 'two channels a connection');
    assert.equal(irc.stats()!.connections, connectionsBefore + 2);

    run.pool.release('mood', [a!, b!]);
    assert.equal(state(a!), undefined, 'a, wanted by mood alone, is gone');
    assert.equal(state(b!)?.state, 'joined', 'b is still wanted by audience');
    assert.deepEqual(state(b!)?.owners, ['audience']);
    await waitFor('the parted event', () => run.channelEvents.some((e) => e.channel === a && e.state === 'parted'));
    assert.ok(!run.channelEvents.some((e) => e.channel === b && e.state === 'parted'));

    run.pool.release('audience', [b!, c!]);
    assert.deepEqual(run.pool.channels(), []);
    await waitFor('every connection closed', () => run.pool.stats().connections.reader === 0 && irc.stats()!.connections === connectionsBefore);
    // wanted again after everything was released: a new connection opens
    run.pool.want('mood', [a!]);
    await waitFor('a joined again', () => state(a!)?.state === 'joined');
  });

  test('NAMES arrive as one item per channel; JOINs of others are published, the pool’s own are not', async (t) => {
    const run = poolOn(sim);
    t.after(() => run.close());
    // membership is only sent in rooms under 1,000 users
    const channel = [...sim.world.liveChannelList()].find((ch) => sim.world.viewersNow(ch) > 2 && sim.world.viewersNow(ch) < 1000)!;
    const login = sim.world.login(channel);
    run.pool.want('audience', [login]);
    const names = await waitFor('the NAMES item', () => run.membership.find((m) => m.kind === 'names' && m.channel === login));
    const audience = sim.world.audience(channel).map((u) => sim.world.login(u));
    assert.deepEqual([...names.users].sort(), [...audience].sort(), 'every 353 line of the list in one item, without the pool’s own nick');
    assert.equal(run.membership.filter((m) => m.kind === 'names' && m.channel === login).length, 1);
    const viewer = await rawIrc(sim, sim.world.channelCount + 3);
    t.after(() => viewer.close());
    viewer.send(`JOIN #${login}`);
    const joined = await waitFor('the viewer’s JOIN', () => run.membership.find((m) => m.kind === 'join' && m.users[0] === sim.world.login(sim.world.channelCount + 3)));
    assert.equal(joined.channel, login);
    assert.ok(!run.membership.some((m) => m.kind !== 'names' && m.users.some((u) => u.startsWith('justinfan'))), 'the pool’s own JOIN is not membership');
  });

  test('a suspended (or unknown) channel fails with its reason and is not tried again', async (t) => {
    const run = poolOn(sim, { joinTimeoutMs: 200, joinRetries: 2 });
    t.after(() => run.close());
    const [live] = liveLogins(sim, 1, 10);
    run.pool.want('test', ['no_such_channel_zz', live!]);
    await waitFor('the failure', () => run.pool.channels().find((c) => c.channel === 'no_such_channel_zz')?.state === 'failed');
    await waitFor('the live one joined', () => run.pool.channels().find((c) => c.channel === live)?.state === 'joined');
    const failed = run.pool.channels().find((c) => c.channel === 'no_such_channel_zz')!;
    assert.equal(failed.reason, 'msg_channel_suspended');
    // several JOIN timeouts later it is still failed, with one event: nothing retried it
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(run.pool.channels().find((c) => c.channel === 'no_such_channel_zz')?.state, 'failed');
    assert.equal(run.channelEvents.filter((e) => e.channel === 'no_such_channel_zz').length, 1);
    assert.deepEqual(run.channelEvents.find((e) => e.channel === 'no_such_channel_zz')?.reason, 'msg_channel_suspended');
    assert.equal(run.pool.stats().channels.failed, 1);
  });

  test('the bot holds at most its concurrent-join limit of channels, not counting where it moderates; the simulator counts the same user across connections', async (t) => {
    const user = sim.world.channelCount + 11;
    const ids = new Identities(sim.world);
    const channels = [...Array(sim.world.channelCount).keys()];
    const modIn = channels.find((ch) => ids.role(user, ch).mod)!;
    const plain = channels.filter((ch) => !ids.role(user, ch).mod && !ids.role(user, ch).broadcaster).map((ch) => sim.world.login(ch));
    assert.ok(modIn !== undefined && plain.length > 10);
    // the pool's limit (3) is below the simulator's (5): the pool stops by itself
    const run = poolOn(sim, { concurrentJoinLimit: 3 }, botAccount(sim, user));
    t.after(() => run.close());
    const speakIn = [sim.world.login(modIn), ...plain.slice(0, 5)];
    run.pool.speakIn('watchtime', speakIn);
    await waitFor('4 joined, 2 failed', () => run.pool.stats().channels.joined === 4 && run.pool.stats().channels.failed === 2);
    const byState = (s: string) => run.pool.channels().filter((c) => c.state === s);
    assert.ok(
      byState('joined').some((c) => c.channel === sim.world.login(modIn)),
      'the channel it moderates is joined and does not count',
    );
    for (const c of byState('failed')) assert.equal(c.reason, 'concurrent join limit');
    for (const c of run.pool.channels()) assert.equal(c.role, 'speak');
    assert.deepEqual(run.pool.stats().connections, { reader: 0, bot: 1 });
    assert.deepEqual(run.messages, [], 'the bot reads nothing onto the bus');
    // the same user on a second connection: 2 more counted channels reach the simulator's 5, the next is refused
    const same = await rawIrc(sim, user);
    t.after(() => same.close());
    same.send(`JOIN #${plain[6]},#${plain[7]},#${plain[8]}`);
    const refusal = await same.next('the refusal', (m) => m.command === 'NOTICE' && m.tags.get('msg-id') === 'msg_join_limit_reached');
    assert.equal(refusal.params[0], `#${plain[8]}`);
    assert.equal(same.lines.filter((m) => m.command === 'ROOMSTATE').length, 2, 'the first two joined');
  });

  test('past the simulator’s limit the bot’s channel fails with the reason the server gave', async (t) => {
    const user = sim.world.channelCount + 12;
    const ids = new Identities(sim.world);
    const plain = [...Array(sim.world.channelCount).keys()].filter((ch) => !ids.role(user, ch).mod && !ids.role(user, ch).broadcaster).map((ch) => sim.world.login(ch));
    const run = poolOn(sim, { concurrentJoinLimit: 50 }, botAccount(sim, user));
    t.after(() => run.close());
    run.pool.speakIn('watchtime', plain.slice(0, 7));
    await waitFor('5 joined, 2 failed', () => run.pool.stats().channels.joined === 5 && run.pool.stats().channels.failed === 2);
    for (const c of run.pool.channels().filter((c) => c.state === 'failed')) assert.equal(c.reason, 'concurrent join limit');
  });
});
