// Refreshing a user's token when something else changed the account meanwhile: a login that
// landed while a refresh was in flight, another process (PostgreSQL scale-out, no lock across
// processes) that refreshed first. Twitch rotates refresh tokens, so only one chain survives; the
// account must end up with the newest tokens and never be logged out for it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createLurk, type Lurk } from '../../src/app.js';
import { createSealer } from '../../src/core/sealed.js';
import { Accounts } from '../../src/live/accounts.js';
import type { LiveMe } from '../../src/live/types.js';
import { type AccountRow, SqlAccountStore } from '../../src/store/accounts.js';
import type { TwitchAccess } from '../../src/twitch/access.js';
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

  test('only "Invalid refresh token" logs an account out: a 429 or another refusal passes and the current token serves', async (t) => {
    const world = lurk.simulator!.world;
    const { cookie } = await loginThroughSimulator(base, world.login(2), 'follows');
    const userId = world.userId(2);
    const current = (await lurk.live.accounts.token(userId))!;
    // Twitch's id server, answering each refresh with the next of these
    const answers = [
      { status: 429, body: { status: 429, message: 'Too Many Requests' } },
      { status: 400, body: { error: 'Bad Request', status: 400, message: 'Invalid client id' } },
      { status: 400, body: { error: 'Bad Request', status: 400, message: 'Invalid refresh token' } },
    ];
    const server = createServer((req, res) => {
      req.resume();
      const answer = answers.shift() ?? { status: 500, body: { message: 'no more answers' } };
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const oauth = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2`;
    const twitch = { target: () => ({ ...lurk.twitchAccess.target(), endpoints: { ...lurk.twitchAccess.target().endpoints, oauth } }) } as unknown as TwitchAccess;
    const accounts = new Accounts({
      store: new SqlAccountStore(lurk.store.db),
      sealer: createSealer(Buffer.from(SECRET_KEY, 'utf8'), 'twitch-tokens'),
      sessions: lurk.live.sessions,
      twitch,
      clock: lurk.clock,
      log: logs.log,
    });
    // due for a refresh on demand, not expired yet
    await lurk.store.db
      .updateTable('live_accounts')
      .set({ expires_at: lurk.clock.now() + 60_000 })
      .where('user_id', '=', userId)
      .execute();

    assert.equal(await accounts.token(userId), current, '429: the current token serves');
    await assert.rejects(accounts.refresh(userId), /HTTP 400: Invalid client id/);
    assert.ok(await accounts.get(userId), 'a refusal that is not about the refresh token keeps the account');
    assert.equal((await me(cookie))?.id, userId, 'and its sessions');
    assert.equal(await accounts.refresh(userId), undefined);
    assert.equal(await accounts.get(userId), undefined, '"Invalid refresh token": the account is gone');
    assert.equal(await me(cookie), null);
  });
});
