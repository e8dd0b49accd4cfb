// The Get Chatters poller against the simulator's Helix over real sockets, with user tokens the
// simulator's OAuth issues: every page read, no token no call, a token without the scope refused.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ChattersPoller, type ChattersToken } from '../../src/audience/chatters.js';
import type { Simulator } from '../../src/sim/index.js';
import { AppTokenProvider } from '../../src/twitch/app-token.js';
import { HelixBudget } from '../../src/twitch/budget.js';
import { simulatorEndpoints } from '../../src/twitch/endpoints.js';
import { HelixClient, HelixRequestError } from '../../src/twitch/helix-client.js';
import { credentials, startSimulator } from '../helpers/sim.js';

let sim: Simulator;

before(async () => {
  sim = await startSimulator({ channels: 800, live: 200 });
});
after(async () => {
  await sim.stop();
});

function helix(): HelixClient {
  const endpoints = simulatorEndpoints(sim.address);
  return new HelixClient({
    base: endpoints.helix,
    tokens: new AppTokenProvider({ ...credentials(sim), oauth: endpoints.oauth }),
    budget: new HelixBudget({ limit: 800 }),
    maxRetries: 3,
    backoffBaseMs: 50,
  });
}

/** a live channel with an audience of a few dozen at least */
function channel(): number {
  const c = [...sim.world.liveChannelList()].find((ch) => sim.world.audience(ch).length >= 30);
  assert.ok(c !== undefined, 'a live channel with an audience');
  return c;
}

test("the poller lists a channel's chatters across pages with the broadcaster's token", async () => {
  const c = channel();
  const id = sim.world.userId(c);
  const { clientId } = credentials(sim);
  const asked: string[] = [];
  const tokenFor = async (channelId: string): Promise<ChattersToken | undefined> => {
    asked.push(channelId);
    // the broadcaster counts as its own moderator
    return channelId === id ? { token: sim.auth.issueUser(clientId, c, ['moderator:read:chatters']).accessToken, moderatorId: id } : undefined;
  };
  const client = helix();
  const poller = new ChattersPoller({ helix: () => client, tokenFor, pageSize: 7 });
  // the world does not move (a stepped simulator): what Helix lists is its audience now
  const expected = sim.world
    .audience(c)
    .map((u) => sim.world.login(u).toLowerCase())
    .sort();
  const listed = await poller.list(id);
  assert.ok(listed);
  assert.deepEqual([...listed].sort(), expected);
  assert.equal(new Set(listed).size, listed.length, 'no chatter twice across pages');
  const whole = await new ChattersPoller({ helix: () => client, tokenFor }).list(id);
  assert.deepEqual([...whole!].sort(), expected, 'one page of 1,000');
  // another channel: no token held, nothing asked of Helix
  const other = sim.world.userId([...sim.world.liveChannelList()].find((ch) => ch !== c)!);
  assert.equal(await poller.list(other), undefined);
  assert.deepEqual(asked, [id, id, other]);
});

test('a token without moderator:read:chatters is refused by Helix, and the poller says so', async () => {
  const c = channel();
  const id = sim.world.userId(c);
  const { clientId } = credentials(sim);
  const client = helix();
  const poller = new ChattersPoller({ helix: () => client, tokenFor: async () => ({ token: sim.auth.issueUser(clientId, c, ['chat:read']).accessToken, moderatorId: id }) });
  await assert.rejects(poller.list(id), (err: unknown) => err instanceof HelixRequestError && err.status === 401);
});
