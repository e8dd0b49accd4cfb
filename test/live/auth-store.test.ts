// The accounts store (src/store/accounts.ts) on SQLite and PostgreSQL: a login again keeps the
// moderated channels read before, numbers come back as numbers, a login state is taken once,
// and expiring tokens are found by time.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SqlAccountStore } from '../../src/store/accounts.js';
import { openStore } from '../../src/store/database.js';
import { withEachDialect } from '../helpers/db.js';

const account = (userId: string, expiresAt: number) => ({
  user_id: userId,
  login: `user${userId}`,
  display_name: `User${userId}`,
  scopes: 'bits:read moderator:read:followers',
  access_token: 'v1.sealed-a',
  refresh_token: 'v1.sealed-r',
  expires_at: expiresAt,
  validated_at: 1_000,
  created_at: 1_000,
  updated_at: 1_000,
});

describe('the live accounts store', () => {
  test('accounts and login states', async (t) => {
    await withEachDialect(t, async ({ url }) => {
      const store = await openStore({ url });
      try {
        await store.migrate();
        const accounts = new SqlAccountStore(store.db);
        await accounts.upsert(account('1', 5_000_000_000_000));
        await accounts.upsert(account('2', 2_000));
        await accounts.setModerates('1', ['77', '88'], 3_000);
        await accounts.upsert({ ...account('1', 6_000_000_000_000), display_name: 'Renamed', access_token: 'v1.sealed-b' });
        const one = await accounts.get('1');
        assert.deepEqual(one, { ...account('1', 6_000_000_000_000), display_name: 'Renamed', access_token: 'v1.sealed-b', moderates: '["77","88"]', moderates_at: 3_000 });
        assert.deepEqual(await accounts.expiringBefore(10_000), ['2']);
        const refreshed = { access_token: 'v1.x', refresh_token: 'v1.y', expires_at: 20_000, scopes: 'bits:read', updated_at: 4_000 };
        assert.equal(await accounts.replaceTokens('2', 'v1.not-the-stored-one', refreshed), false, 'a refresh token replaced meanwhile wins');
        assert.equal((await accounts.get('2'))?.access_token, 'v1.sealed-a');
        assert.equal(await accounts.replaceTokens('2', 'v1.sealed-r', refreshed), true);
        assert.equal((await accounts.get('2'))?.refresh_token, 'v1.y');
        assert.deepEqual(await accounts.expiringBefore(10_000), []);
        assert.deepEqual(
          (await accounts.list()).map((a) => a.user_id),
          ['1', '2'],
        );
        assert.equal(await accounts.delete('2'), true);
        assert.equal(await accounts.delete('2'), false);
        assert.equal(await accounts.get('2'), undefined);

        const state = { state: 's1', browser: 'b1', scopes: 'bits:read', return_to: '/live', expires_at: 9_000_000_000_000 };
        const limits = { now: 1_000, perBrowser: 2, maxLive: 4 };
        assert.equal(await accounts.insertLoginState(state, limits), true);
        assert.deepEqual(await accounts.takeLoginState('s1'), state);
        assert.equal(await accounts.takeLoginState('s1'), undefined, 'a state is good once');

        // a browser keeps its newest two states; the table holds at most four live ones
        for (let i = 0; i < 3; i++) assert.equal(await accounts.insertLoginState({ ...state, state: `a${i}`, browser: 'ba', expires_at: 10_000 + i }, limits), true);
        assert.equal(await accounts.takeLoginState('a0'), undefined, "the browser's oldest state is gone");
        assert.equal(await accounts.insertLoginState({ ...state, state: 'expired', browser: 'bx', expires_at: 500 }, limits), true);
        for (const name of ['b0', 'c0']) assert.equal(await accounts.insertLoginState({ ...state, state: name, browser: name, expires_at: 10_000 }, limits), true);
        assert.equal(await accounts.insertLoginState({ ...state, state: 'd0', browser: 'd0', expires_at: 10_000 }, limits), false, 'four live states: no fifth');
        assert.equal(await accounts.takeLoginState('d0'), undefined);
        assert.ok(await accounts.takeLoginState('a2'));
        assert.equal(await accounts.insertLoginState({ ...state, state: 'd0', browser: 'd0', expires_at: 10_000 }, limits), true, 'one taken: room again');
      } finally {
        await store.close();
      }
    });
  });
});
