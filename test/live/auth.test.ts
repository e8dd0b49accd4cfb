// Login with Twitch against a real Lurk in simulator mode, over HTTP: the authorization-code flow
// through the simulator's consent page, the state's checks, cookies, sealed tokens, logout that
// revokes, a revocation at Twitch found by the validate job, refresh under the simulator's clock,
// CSRF, incremental scopes, and a session that outlives a restart.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { createLurk, type Lurk } from '../../src/app.js';
import { JobAlreadyRunningError } from '../../src/core/scheduler.js';
import type { LiveMe } from '../../src/live/types.js';
import { USER_TOKEN_SECONDS } from '../../src/sim/auth.js';
import { moderatorsOf } from '../../src/sim/protocols/helix.js';
import { memoryLogger, testConfig, waitFor } from '../helpers/app.js';
import { tempSqlite, type TestDatabase } from '../helpers/db.js';
import { sameSecret } from '../../src/core/sealed.js';
import { consent, CookieJar, finishLogin, loginThroughSimulator, startLogin } from '../helpers/live.js';

const me = async (base: string, cookie?: string): Promise<LiveMe> => (await fetch(`${base}/api/live/me`, { headers: cookie ? { cookie } : {} })).json() as Promise<LiveMe>;

async function simValidate(lurk: Lurk, token: string): Promise<number> {
  return (await fetch(`${lurk.simulator!.address.httpUrl}/oauth2/validate`, { headers: { authorization: `OAuth ${token}` } })).status;
}

async function sealedToken(lurk: Lurk, userId: string): Promise<string | undefined> {
  return (await lurk.store.db.selectFrom('live_accounts').select('access_token').where('user_id', '=', userId).executeTakeFirst())?.access_token;
}

describe('login with Twitch (simulator)', () => {
  let db: TestDatabase;
  let lurk: Lurk;
  let base: string;
  const logs = memoryLogger('info');

  before(async () => {
    db = await tempSqlite();
    lurk = await createLurk(testConfig({ DATABASE_URL: db.url, LOG_LEVEL: 'info' }), { log: logs.log, sweep: false });
    base = await lurk.start();
  });
  after(async () => {
    await lurk?.stop();
    await db?.drop();
  });

  const broadcaster = (i: number) => lurk.simulator!.world.login(i);

  test('a full login: a session cookie (HttpOnly, SameSite=Lax, not Secure on http), me names the user, tokens sealed at rest', async () => {
    const jar = new CookieJar();
    const authorize = await startLogin(base, jar, 'follows,cheers', '/live/somebody');
    assert.equal(authorize.searchParams.get('response_type'), 'code');
    assert.equal(authorize.searchParams.get('client_id'), lurk.twitch().clientId);
    assert.equal(authorize.searchParams.get('redirect_uri'), `${base}/auth/callback`);
    assert.deepEqual(authorize.searchParams.get('scope')!.split(' ').sort(), ['bits:read', 'moderator:read:followers']);
    assert.ok(Buffer.from(authorize.searchParams.get('state')!, 'base64url').length >= 32);
    const callback = await consent(authorize, broadcaster(0));
    assert.equal(callback.origin, new URL(base).origin);
    const res = await finishLogin(callback, jar);
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/live/somebody');
    const sessionLine = res.headers.getSetCookie().find((c) => c.startsWith('lurk_session='))!;
    assert.match(sessionLine, /HttpOnly/);
    assert.match(sessionLine, /SameSite=Lax/);
    assert.doesNotMatch(sessionLine, /Secure/);

    const cookie = `lurk_session=${jar.get('lurk_session')}`;
    const who = await me(base, cookie);
    const world = lurk.simulator!.world;
    assert.equal(who.mode, 'simulator');
    assert.deepEqual(who.user, { id: world.userId(0), login: broadcaster(0), display_name: world.displayName(0), scopes: ['bits:read', 'moderator:read:followers'], features: ['follows', 'cheers'] });
    assert.equal(typeof who.csrf, 'string');
    assert.deepEqual(await me(base), { mode: 'simulator', user: null, csrf: null });

    const token = (await lurk.live.accounts.token(world.userId(0)))!;
    assert.equal(await simValidate(lurk, token), 200);
    const rows = await lurk.store.db.selectFrom('live_accounts').selectAll().execute();
    assert.ok(rows.every((r) => !JSON.stringify(r).includes(token)));
    assert.match(rows[0]!.access_token, /^v1\./);
    const file = db.url.replace(/^sqlite:/, '');
    for (const f of [file, `${file}-wal`]) {
      const bytes = await readFile(f).catch(() => Buffer.alloc(0));
      assert.equal(bytes.includes(token), false, `${f} holds the token in clear`);
    }
    assert.ok(!JSON.stringify(logs.lines()).includes(token), 'a log line holds the token');
  });

  test('the callback refuses a missing, wrong, used or foreign state with 400 bad_state', async () => {
    const jar = new CookieJar();
    const callback = await consent(await startLogin(base, jar, 'follows'), broadcaster(1));
    const missing = await fetch(`${base}/auth/callback?code=abc`, { headers: { cookie: jar.header() } });
    assert.equal(missing.status, 400);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'bad_state');
    const wrong = await fetch(`${base}/auth/callback?code=abc&state=nonsense`, { redirect: 'manual', headers: { cookie: jar.header() } });
    assert.equal(wrong.status, 400);
    assert.equal(((await wrong.json()) as { error: { code: string } }).error.code, 'bad_state');

    // another browser with its own login cookie replays this browser's callback
    const other = new CookieJar();
    await startLogin(base, other, 'follows');
    const foreign = await finishLogin(callback, other);
    assert.equal(foreign.status, 400);
    assert.equal(((await foreign.json()) as { error: { code: string } }).error.code, 'bad_state');
    assert.equal(other.get('lurk_session'), undefined);

    const jar2 = new CookieJar();
    const callback2 = await consent(await startLogin(base, jar2, 'follows'), broadcaster(1));
    assert.equal((await finishLogin(callback2, jar2)).status, 302);
    const reused = await fetch(callback2, { redirect: 'manual', headers: { cookie: jar2.header() } });
    assert.equal(reused.status, 400);
    assert.equal(((await reused.json()) as { error: { code: string } }).error.code, 'bad_state');
  });

  test('a state older than 10 minutes of wall time is refused with bad_state', async () => {
    const jar = new CookieJar();
    const callback = await consent(await startLogin(base, jar, 'follows'), broadcaster(1));
    // ten minutes cannot pass in a test: the state is made to have been issued 11 minutes ago
    await lurk.store.db
      .updateTable('live_login_states')
      .set({ expires_at: Date.now() - 60_000 })
      .where('state', '=', callback.searchParams.get('state')!)
      .execute();
    const res = await finishLogin(callback, jar);
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'bad_state');
    assert.match(body.error.message, /expired/);
  });

  test('a refusal on the consent page comes back as /live?login_error=access_denied', async () => {
    const jar = new CookieJar();
    const callback = await consent(await startLogin(base, jar, 'subs'), broadcaster(2), 'deny');
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    const res = await finishLogin(callback, jar);
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/live?login_error=access_denied');
    assert.equal(jar.get('lurk_session'), undefined);
  });

  test('a code Twitch refuses is a 400 login_failed, and no session', async () => {
    const jar = new CookieJar();
    const callback = await consent(await startLogin(base, jar, 'follows'), broadcaster(1));
    callback.searchParams.set('code', 'notacodetwitchissued');
    const res = await finishLogin(callback, jar);
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'login_failed');
    assert.equal(jar.get('lurk_session'), undefined);
  });

  test('bad login parameters are 400s naming them', async () => {
    for (const [query, name] of [
      ['features=nope', 'features'],
      ['return=//evil.example/', 'return'],
      ['return=https://evil.example/', 'return'],
    ] as const) {
      const res = await fetch(`${base}/auth/login?${query}`, { redirect: 'manual' });
      assert.equal(res.status, 400, query);
      assert.match(((await res.json()) as { error: { message: string } }).error.message, new RegExp(name));
    }
  });

  test('a return path beyond ASCII is sent back percent-encoded, not a 500 after the login', async () => {
    const jar = new CookieJar();
    const callback = await consent(await startLogin(base, jar, 'follows', '/live/€ x?tab=ü'), broadcaster(1));
    const res = await finishLogin(callback, jar);
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/live/%E2%82%AC%20x?tab=%C3%BC');
    assert.ok(jar.get('lurk_session'));
  });

  test('the session slides: a request that moves its expiry sends the cookie again with a full Max-Age', async () => {
    const { cookie } = await loginThroughSimulator(base, broadcaster(10), 'follows');
    const userId = lurk.simulator!.world.userId(10);
    const sessionCookie = (res: Response) => res.headers.getSetCookie().find((c) => c.startsWith('lurk_session='));
    assert.equal(sessionCookie(await fetch(`${base}/api/live/me`, { headers: { cookie } })), undefined, 'a fresh session is not touched again');
    for (const path of ['/api/live/me', '/api/live/favourites']) {
      // last seen 11 minutes ago, an hour left
      await lurk.store.db
        .updateTable('live_sessions')
        .set({ last_seen_at: Date.now() - 11 * 60_000, expires_at: Date.now() + 3_600_000 })
        .where('user_id', '=', userId)
        .execute();
      const res = await fetch(`${base}${path}`, { headers: { cookie } });
      assert.equal(res.status, 200, path);
      const line = sessionCookie(res);
      assert.ok(line, `${path} re-issues the cookie`);
      assert.equal(line.split(';')[0], cookie, 'the same session');
      assert.match(line, /Max-Age=2592000/);
      assert.match(line, /HttpOnly/);
      const row = await lurk.store.db.selectFrom('live_sessions').select('expires_at').where('user_id', '=', userId).executeTakeFirstOrThrow();
      assert.ok(Number(row.expires_at) > Date.now() + 29 * 86_400_000);
    }
  });

  test("a browser's logins in flight are capped at its newest 5: GETs do not grow the table", async () => {
    const jar = new CookieJar();
    const states: string[] = [];
    for (let i = 0; i < 8; i++) states.push((await startLogin(base, jar, 'follows')).searchParams.get('state')!);
    const kept = (await lurk.store.db.selectFrom('live_login_states').select('state').where('state', 'in', states).execute()).map((r) => r.state);
    assert.equal(kept.length, 5);
    assert.ok(kept.includes(states.at(-1)!), 'the newest is kept');
    const dropped = states.find((s) => !kept.includes(s))!;
    const oldest = await fetch(`${base}/auth/callback?code=abc&state=${dropped}`, { redirect: 'manual', headers: { cookie: jar.header() } });
    assert.equal(oldest.status, 400);
    assert.equal(((await oldest.json()) as { error: { code: string } }).error.code, 'bad_state');
  });

  test('incremental scopes: a second login asks for what was granted and the new feature', async () => {
    const { cookie } = await loginThroughSimulator(base, broadcaster(3), 'follows');
    const jar = new CookieJar(cookie);
    const authorize = await startLogin(base, jar, 'subs');
    assert.deepEqual(authorize.searchParams.get('scope')!.split(' ').sort(), ['channel:read:subscriptions', 'moderator:read:followers']);
    assert.equal((await finishLogin(await consent(authorize, broadcaster(3)), jar)).status, 302);
    const who = await me(base, `lurk_session=${jar.get('lurk_session')}`);
    assert.deepEqual(who.user?.features, ['follows', 'subs']);
  });

  test('logout needs the CSRF header, then revokes the token and ends the sessions', async () => {
    const { cookie, csrf } = await loginThroughSimulator(base, broadcaster(4), 'follows');
    const userId = lurk.simulator!.world.userId(4);
    const token = (await lurk.live.accounts.token(userId))!;
    const headers = { cookie, origin: base, 'content-type': 'application/json' };
    const noCsrf = await fetch(`${base}/auth/logout`, { method: 'POST', headers, body: '{}' });
    assert.equal(noCsrf.status, 403);
    assert.equal(((await noCsrf.json()) as { error: { code: string } }).error.code, 'csrf');
    assert.ok((await me(base, cookie)).user);

    const changed: string[] = [];
    const off = lurk.live.accounts.onChange((id) => changed.push(id));
    const out = await fetch(`${base}/auth/logout`, { method: 'POST', headers: { ...headers, 'x-csrf-token': csrf }, body: '{}' });
    off();
    assert.equal(out.status, 200);
    assert.deepEqual(await out.json(), {});
    assert.equal(await simValidate(lurk, token), 401);
    assert.equal((await me(base, cookie)).user, null);
    assert.equal(await lurk.live.accounts.get(userId), undefined);
    assert.equal(await lurk.live.accounts.token(userId), undefined);
    assert.deepEqual(changed, [userId]);
    await assert.rejects(async () => lurk.live.accounts.eventSubUser(userId).token());
  });

  test('a wrong CSRF token of any length or alphabet is a 403, never a crash; the right one passes', async () => {
    const { cookie, csrf } = await loginThroughSimulator(base, broadcaster(9), 'follows');
    const headers = { cookie, origin: base, 'content-type': 'application/json' };
    const wrongSameLength = `${csrf.slice(0, -1)}${csrf.endsWith('A') ? 'B' : 'A'}`;
    // as many characters as the token, more bytes: a compare of buffers sized by the string would throw
    const multiByte = 'é'.repeat(csrf.length);
    for (const token of [wrongSameLength, csrf.slice(1), `${csrf}x`, multiByte]) {
      const res = await fetch(`${base}/auth/logout`, { method: 'POST', headers: { ...headers, 'x-csrf-token': token }, body: '{}' });
      assert.equal(res.status, 403, token);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'csrf');
    }
    assert.ok((await me(base, cookie)).user);
    assert.equal(sameSecret(csrf, csrf), true);
    assert.equal(sameSecret(wrongSameLength, csrf), false);
    assert.equal(sameSecret(multiByte, csrf), false);
  });

  test('a token revoked at Twitch: the validate job logs the account out', async () => {
    const { cookie } = await loginThroughSimulator(base, broadcaster(5), 'follows');
    const userId = lurk.simulator!.world.userId(5);
    const token = (await lurk.live.accounts.token(userId))!;
    const revoke = await fetch(`${lurk.simulator!.address.httpUrl}/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: lurk.twitch().clientId, token }),
    });
    assert.equal(revoke.status, 200);
    assert.ok((await me(base, cookie)).user, 'still logged in until Lurk validates');
    await lurk.scheduler.runNow('live.validate');
    assert.equal((await me(base, cookie)).user, null);
    assert.equal(await lurk.live.accounts.get(userId), undefined);
  });

  test('refresh: a token near expiry on the simulated clock is renewed by the job and still validates', async () => {
    await loginThroughSimulator(base, broadcaster(6), 'follows');
    const userId = lurk.simulator!.world.userId(6);
    const before = (await lurk.live.accounts.token(userId))!;
    const sealedBefore = await sealedToken(lurk, userId);
    const advance = await fetch(`${lurk.simulator!.address.httpUrl}/_sim/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advance_seconds: USER_TOKEN_SECONDS - 10 * 60 }),
    });
    assert.equal(advance.status, 200);
    // the jump may have started the scheduled run already: one more run, once it is free
    await waitFor('a run of live.refresh', async () => {
      try {
        return await lurk.scheduler.runNow('live.refresh');
      } catch (err) {
        if (err instanceof JobAlreadyRunningError) return undefined;
        throw err;
      }
    });
    assert.notEqual(await sealedToken(lurk, userId), sealedBefore);
    const after = (await lurk.live.accounts.token(userId))!;
    assert.notEqual(after, before);
    assert.equal(await simValidate(lurk, after), 200);
    assert.ok(await lurk.live.accounts.get(userId));
  });

  test('token() refreshes on demand a token within 5 minutes of its expiry', async () => {
    await loginThroughSimulator(base, broadcaster(8), 'follows');
    const userId = lurk.simulator!.world.userId(8);
    const first = (await lurk.live.accounts.token(userId))!;
    assert.equal(await lurk.live.accounts.token(userId), first, 'a fresh token is handed out as it is');
    await lurk.store.db
      .updateTable('live_accounts')
      .set({ expires_at: lurk.clock.now() + 60_000 })
      .where('user_id', '=', userId)
      .execute();
    const renewed = (await lurk.live.accounts.token(userId))!;
    assert.notEqual(renewed, first);
    assert.equal(await simValidate(lurk, renewed), 200);
    // Twitch rotates refresh tokens: the old access token is gone with the old grant
    assert.equal(await simValidate(lurk, first), 401);
  });

  test('moderated channels are read at login with user:read:moderated_channels', async () => {
    const world = lurk.simulator!.world;
    const moderator = moderatorsOf(world, 7)[0]!;
    const changed: string[] = [];
    const off = lurk.live.accounts.onChange((id) => changed.push(id));
    await loginThroughSimulator(base, world.login(moderator), 'moderation');
    off();
    assert.deepEqual(changed, [world.userId(moderator)]);
    const account = await lurk.live.accounts.get(world.userId(moderator));
    assert.ok(account?.moderates.includes(world.userId(7)), `moderates ${JSON.stringify(account?.moderates)}`);
  });

  test('the OpenAPI document lists the auth routes under live', async () => {
    const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, { tags?: string[] }>> };
    for (const [path, method] of [
      ['/auth/login', 'get'],
      ['/auth/callback', 'get'],
      ['/auth/logout', 'post'],
      ['/api/live/me', 'get'],
    ] as const)
      assert.deepEqual(doc.paths[path]?.[method]?.tags, ['live'], path);
  });
});

describe('a session outlives a restart on the same database', () => {
  test('log in, stop, start again: the cookie still opens the session', async (t) => {
    const db = await tempSqlite();
    t.after(() => db.drop());
    const config = testConfig({ DATABASE_URL: db.url });
    let cookie: string;
    let userId: string;
    const first = await createLurk(config, { log: memoryLogger('warn').log, sweep: false });
    try {
      const base = await first.start();
      cookie = (await loginThroughSimulator(base, first.simulator!.world.login(0), 'follows')).cookie;
      userId = first.simulator!.world.userId(0);
    } finally {
      await first.stop();
    }
    const second = await createLurk(config, { log: memoryLogger('warn').log, sweep: false });
    try {
      const base = await second.start();
      const who = await me(base, cookie);
      assert.equal(who.user?.id, userId);
      assert.deepEqual(who.user?.features, ['follows']);
    } finally {
      await second.stop();
    }
  });
});

describe("people's time: a fast simulator does not shorten logins and sessions", () => {
  test('a login state outlives 11 simulated minutes and a one-day session outlives 25 simulated hours', async (t) => {
    const db = await tempSqlite();
    t.after(() => db.drop());
    const lurk = await createLurk(testConfig({ DATABASE_URL: db.url, LURK_SIM_SPEED: '60', LURK_LIVE_SESSION_DAYS: '1' }), { log: memoryLogger('warn').log, sweep: false });
    t.after(() => lurk.stop());
    const base = await lurk.start();
    const advance = async (seconds: number) => {
      const res = await fetch(`${lurk.simulator!.address.httpUrl}/_sim/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance_seconds: seconds }) });
      assert.equal(res.status, 200);
    };
    const jar = new CookieJar();
    const authorize = await startLogin(base, jar, 'follows');
    // the person reads the consent page for a while; Twitch's code is then exchanged at once
    await advance(11 * 60);
    const callback = await consent(authorize, lurk.simulator!.world.login(0));
    const res = await finishLogin(callback, jar);
    assert.equal(res.status, 302, await res.clone().text());
    const cookie = `lurk_session=${jar.get('lurk_session')}`;
    await advance(25 * 3600);
    assert.equal((await me(base, cookie)).user?.id, lurk.simulator!.world.userId(0));
  });
});
