// The simulator's side of login: Helix GET moderation/channels (the inverse of each channel's
// moderators, with the scope and the token's own user required) and redirect URIs added once
// Lurk knows its port, still matched exactly.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Simulator } from '../../src/sim/index.js';
import { moderatorsOf } from '../../src/sim/protocols/helix.js';
import { credentials, startSimulator } from '../helpers/sim.js';

describe('simulator: moderation/channels and added redirect URIs', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator();
  });
  after(() => sim?.stop());

  const helix = (path: string, token: string) => fetch(`${sim.address.httpUrl}/helix/${path}`, { headers: { 'client-id': credentials(sim).clientId, authorization: `Bearer ${token}` } });

  test('a moderator reads the channels they moderate, paged; the truth is moderatorsOf inverted', async () => {
    const world = sim.world;
    const moderator = moderatorsOf(world, 11)[1]!;
    const expected: string[] = [];
    for (let c = 0; c < world.channelCount; c++) if (moderatorsOf(world, c).includes(moderator)) expected.push(world.userId(c));
    assert.ok(expected.includes(world.userId(11)));
    const token = sim.auth.issueUser(credentials(sim).clientId, moderator, ['user:read:moderated_channels']).accessToken;
    const seen: string[] = [];
    let after = '';
    for (let page = 0; page < 20; page++) {
      const res = await helix(`moderation/channels?user_id=${world.userId(moderator)}&first=1${after ? `&after=${after}` : ''}`, token);
      assert.equal(res.status, 200);
      const body = (await res.json()) as { data: { broadcaster_id: string; broadcaster_login: string; broadcaster_name: string }[]; pagination: { cursor?: string } };
      for (const c of body.data) {
        const idx = world.userIndex(c.broadcaster_id)!;
        assert.deepEqual(c, { broadcaster_id: world.userId(idx), broadcaster_login: world.login(idx), broadcaster_name: world.displayName(idx) });
        seen.push(c.broadcaster_id);
      }
      if (!body.pagination.cursor) break;
      after = body.pagination.cursor;
    }
    assert.deepEqual(seen, expected);
  });

  test('without the scope, or for another user, or without user_id: refused', async () => {
    const world = sim.world;
    const moderator = moderatorsOf(world, 11)[0]!;
    const { clientId } = credentials(sim);
    const noScope = sim.auth.issueUser(clientId, moderator, []).accessToken;
    assert.equal((await helix(`moderation/channels?user_id=${world.userId(moderator)}`, noScope)).status, 401);
    const scoped = sim.auth.issueUser(clientId, moderator, ['user:read:moderated_channels']).accessToken;
    assert.equal((await helix(`moderation/channels?user_id=${world.userId(0)}`, scoped)).status, 401);
    assert.equal((await helix('moderation/channels', scoped)).status, 400);
    const app = sim.auth.issueApp(clientId).accessToken;
    assert.equal((await helix(`moderation/channels?user_id=${world.userId(moderator)}`, app)).status, 401);
  });

  test('a broadcaster moderates nothing in the simulated world', async () => {
    const token = sim.auth.issueUser(credentials(sim).clientId, 3, ['user:read:moderated_channels']).accessToken;
    const res = await helix(`moderation/channels?user_id=${sim.world.userId(3)}`, token);
    assert.deepEqual(await res.json(), { data: [], pagination: {} });
  });

  test('added redirect URIs match exactly; others are still refused', () => {
    const { clientId } = credentials(sim);
    sim.auth.addRedirectUris(clientId, ['http://localhost:45678/auth/callback']);
    assert.equal(sim.auth.redirectRegistered(clientId, 'http://localhost:45678/auth/callback'), true);
    assert.equal(sim.auth.redirectRegistered(clientId, 'http://localhost:45678/auth/callback/'), false);
    assert.equal(sim.auth.redirectRegistered(clientId, 'http://localhost:45679/auth/callback'), false);
    assert.throws(() => sim.auth.addRedirectUris(clientId, ['javascript:alert(1)']));
  });
});
