// Refreshing a user's token when something else changed the account meanwhile: a login that
// landed while a refresh was in flight, another process (PostgreSQL scale-out, no lock across
// processes) that refreshed first. Twitch rotates refresh tokens, so only one chain survives; the
// account must end up with the newest tokens and never be logged out for it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createLurk, type Lurk } from '../../src/app.js';
import { createSealer } from '../../src/core/sealed.js';
import { Accounts } from '../../src/live/accounts.js';
import type { LiveMe } from '../../src/live/types.js';
import { type AccountRow, SqlAccountStore } from '../../src/store/accounts.js';
import { memoryLogger, testConfig } from '../helpers/app.js';
import { tempSqlite, type TestDatabase } from '../helpers/db.js';
import { loginThroughSimulator } from '../helpers/live.js';

/** an accounts store that can run something right after it read an account, as a race would */
class SteppedAccountStore extends SqlAccountStore {
  private readonly steps: (() => Promise<unknown>)[] = [];
  afterNextGet(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }
  override async get(userId: string): Promise<AccountRow | undefined> {
    const row = await super.get(userId);
    await this.steps.shift()?.();
    return row;
  }
}

const SECRET_KEY = randomBytes(24).toString('hex');

describe('refresh races', () => {
  let db: TestDatabase;
  let lurk: Lurk;
  let base: string;
  const logs = memoryLogger('warn');

  before(async () => {
    db = await tempSqlite();
    lurk = await createLurk(testConfig({ DATABASE_URL: db.url, LURK_SECRET_KEY: SECRET_KEY }), { log: logs.log, sweep: false });
    base = await lurk.start();
  });
  after(async () => {
    await lurk?.stop();
    await db?.drop();
  });

  /** a second Lurk process's accounts over the same database */
  const otherProcess = () => {
    const store = new SteppedAccountStore(lurk.store.db);
    const accounts = new Accounts({
      store,
      sealer: createSealer(Buffer.from(SECRET_KEY, 'utf8'), 'twitch-tokens'),
      sessions: lurk.live.sessions,
      twitch: lurk.twitchAccess,
      clock: lurk.clock,
      log: logs.log,
    });
    return { store, accounts };
  };
  const validate = async (token: string) => {
    const res = await fetch(`${lurk.simulator!.address.httpUrl}/oauth2/validate`, { headers: { authorization: `OAuth ${token}` } });
    return res.status === 200 ? ((await res.json()) as { scopes: string[] }).scopes.sort() : res.status;
  };
  const me = async (cookie: string) => ((await (await fetch(`${base}/api/live/me`, { headers: { cookie } })).json()) as LiveMe).user;

  test('a login that lands while a refresh is in flight keeps its tokens and its new scopes', async () => {
    const world = lurk.simulator!.world;
    const { cookie } = await loginThroughSimulator(base, world.login(0), 'cheers');
    const userId = world.userId(0);
    const { store, accounts } = otherProcess();
    // the refresh has read the row (old chain, scope bits:read); the user now also grants follows
    store.afterNextGet(() => loginThroughSimulator(base, world.login(0), 'follows', cookie));
    const token = (await accounts.refresh(userId))!;
    const account = (await lurk.live.accounts.get(userId))!;
    assert.deepEqual(account.scopes.sort(), ['bits:read', 'moderator:read:followers']);
    assert.deepEqual(await validate(token), ['bits:read', 'moderator:read:followers']);
    assert.equal(await lurk.live.accounts.token(userId), token);
  });

  test("a refresh refused because another process rotated the token first uses that process's tokens", async () => {
    const world = lurk.simulator!.world;
    const { cookie } = await loginThroughSimulator(base, world.login(1), 'follows');
    const userId = world.userId(1);
    const { store, accounts } = otherProcess();
    // this process read the row; the other one refreshes (Twitch rotates) and stores before it
    store.afterNextGet(() => (lurk.live.accounts as Accounts).refresh(userId));
    const token = await accounts.refresh(userId);
    assert.ok(token, 'the account is still logged in');
    assert.deepEqual(await validate(token), ['moderator:read:followers']);
    assert.equal(await lurk.live.accounts.token(userId), token);
    assert.equal((await me(cookie))?.id, userId, 'the sessions are kept');
  });
});
