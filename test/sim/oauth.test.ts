// The simulator's id.twitch.tv over real HTTP: only registered redirect URIs (exact match, never
// redirected to otherwise), the code exchange bound to its redirect URI, and the consent form's
// CSRF defences (a one-time token bound to the authorize request, and no foreign Origin).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { MAX_CONSENT_FORMS, SimAuth } from '../../src/sim/auth.js';
import type { Simulator } from '../../src/sim/index.js';
import { freePort, waitFor } from '../helpers/app.js';
import { runLurk, startLurk } from '../helpers/process.js';
import { consentForm, startSimulator, submitConsent } from '../helpers/sim.js';

const REGISTERED = 'http://127.0.0.1:9/callback';
const MISMATCH = { status: 400, message: 'Parameter redirect_uri does not match registered URI' };

let sim: Simulator;
let clientId: string;
let clientSecret: string;

before(async () => {
  sim = await startSimulator({
    channels: 200,
    live: 50,
    clients: [
      { clientId: 'lurkoauthclient000000000000001', clientSecret: 'oauthsecretoauthsecret00000001', redirectUris: [REGISTERED] },
      // lists none: gets the simulator's default, Lurk's own login callback
      { clientId: 'lurkoauthclient000000000000002', clientSecret: 'oauthsecretoauthsecret00000002' },
    ],
  });
  ({ clientId, clientSecret } = sim.auth.registeredClients()[0]!);
});
after(async () => {
  await sim.stop();
});

const authorizeQuery = (redirectUri: string, extra: Record<string, string> = {}) => ({
  client_id: clientId,
  redirect_uri: redirectUri,
  response_type: 'code',
  scope: 'user:read:email',
  state: 'st',
  ...extra,
});
const login = () => sim.world.login(sim.world.liveChannelList()[0]!);

async function authorizeGet(query: Record<string, string>): Promise<Response> {
  return fetch(`${sim.address.httpUrl}/oauth2/authorize?${new URLSearchParams(query)}`, { redirect: 'manual' });
}

async function codeFor(redirectUri: string): Promise<string> {
  const res = await submitConsent(sim, { ...(await consentForm(sim, authorizeQuery(redirectUri))), login: login(), decision: 'allow' });
  assert.equal(res.status, 302);
  return new URL(res.headers.get('location')!).searchParams.get('code')!;
}

async function exchange(code: string, redirectUri?: string): Promise<{ status: number; body: any }> {
  const query = new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, client_secret: clientSecret, code, ...(redirectUri !== undefined ? { redirect_uri: redirectUri } : {}) });
  const res = await fetch(`${sim.address.httpUrl}/oauth2/token?${query}`, { method: 'POST' });
  return { status: res.status, body: await res.json() };
}

describe('registered redirect URIs', () => {
  test('the registered URI gets the consent page; a client listing none has Lurk’s login callback', async () => {
    assert.equal((await authorizeGet(authorizeQuery(REGISTERED))).status, 200);
    const other = sim.auth.registeredClients()[1]!.clientId;
    for (const uri of ['http://localhost:8080/auth/callback', 'http://127.0.0.1:8080/auth/callback']) {
      assert.equal((await authorizeGet({ ...authorizeQuery(uri), client_id: other })).status, 200, uri);
    }
    // the first client does not have the default
    assert.equal((await authorizeGet(authorizeQuery('http://localhost:8080/auth/callback'))).status, 400);
  });

  test('any other URI, near misses and malformed ones included, is a 400 and never a redirect', async () => {
    const refused = [
      'http://127.0.0.1:9/other',
      'http://127.0.0.1:9/callback/',
      'http://127.0.0.1:9/callback?next=/admin',
      'http://127.0.0.1:9/callback#x',
      'HTTP://127.0.0.1:9/callback',
      'http://127.0.0.1:90/callback',
      'https://evil.example/callback',
      'http://[',
      'javascript:alert(1)',
      `http://${'a'.repeat(10_000)}`,
      '',
    ];
    for (const uri of refused) {
      const page = await authorizeGet(authorizeQuery(uri));
      assert.equal(page.status, 400, `GET ${uri.slice(0, 40)}`);
      assert.deepEqual(await page.json(), MISMATCH);
      // the decision itself, even with a form token from the registered URI's page
      const form = await consentForm(sim, authorizeQuery(REGISTERED));
      for (const decision of ['allow', 'deny']) {
        const post = await submitConsent(sim, { ...form, redirect_uri: uri, login: login(), decision });
        assert.equal(post.status, 400, `POST ${decision} ${uri.slice(0, 40)}`);
        assert.equal(post.headers.get('location'), null);
        assert.deepEqual(await post.json(), MISMATCH);
      }
    }
  });

  test('a code is exchanged only with the redirect URI it was sent to, and only once', async () => {
    const wrong = await exchange(await codeFor(REGISTERED), 'http://127.0.0.1:9/other');
    assert.deepEqual(wrong, { status: 400, body: MISMATCH });
    const missing = await exchange(await codeFor(REGISTERED));
    assert.deepEqual(missing, { status: 400, body: MISMATCH });
    const code = await codeFor(REGISTERED);
    const ok = await exchange(code, REGISTERED);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(ok.body.scope, ['user:read:email']);
    assert.equal((await exchange(code, REGISTERED)).status, 400);
  });
});

describe('consent form CSRF', () => {
  test('the page carries a fresh token in its form', async () => {
    const a = await consentForm(sim, authorizeQuery(REGISTERED));
    const b = await consentForm(sim, authorizeQuery(REGISTERED));
    assert.match(a.form_token!, /^[A-Za-z0-9_-]{32}$/);
    assert.notEqual(a.form_token, b.form_token);
  });

  test('a post without the page’s token, with a made-up one or with a spent one is 403 and sends nothing', async () => {
    const form = await consentForm(sim, authorizeQuery(REGISTERED));
    const { form_token: _token, ...withoutToken } = form;
    for (const fields of [withoutToken, { ...form, form_token: 'A'.repeat(32) }, { ...form, form_token: '' }]) {
      for (const decision of ['allow', 'deny']) {
        const res = await submitConsent(sim, { ...fields, login: login(), decision });
        assert.equal(res.status, 403, decision);
        assert.equal(res.headers.get('location'), null);
        const body = (await res.json()) as { status: number; message: string };
        assert.equal(body.status, 403);
        assert.match(body.message, /form_token/);
      }
    }
    const used = await submitConsent(sim, { ...form, login: login(), decision: 'allow' });
    assert.equal(used.status, 302);
    const replay = await submitConsent(sim, { ...form, login: login(), decision: 'allow' });
    assert.equal(replay.status, 403);
  });

  test('the token is bound to the authorize request it was rendered for', async () => {
    const changes: Record<string, string>[] = [
      { scope: 'user:read:email channel:read:subscriptions' },
      { state: 'other' },
      { response_type: 'token' },
      { client_id: sim.auth.registeredClients()[1]!.clientId, redirect_uri: 'http://localhost:8080/auth/callback' },
    ];
    for (const change of changes) {
      const form = await consentForm(sim, authorizeQuery(REGISTERED));
      const res = await submitConsent(sim, { ...form, ...change, login: login(), decision: 'allow' });
      assert.equal(res.status, 403, JSON.stringify(change));
      assert.equal(res.headers.get('location'), null);
    }
  });

  test('a post from another origin is 403, even with a valid token; the own origin and no Origin pass', async () => {
    const form = await consentForm(sim, authorizeQuery(REGISTERED));
    for (const origin of ['https://evil.example', 'null', `http://127.0.0.1:${sim.address.port + 1}`]) {
      const res = await submitConsent(sim, { ...form, login: login(), decision: 'allow' }, { origin });
      assert.equal(res.status, 403, origin);
      assert.equal(res.headers.get('location'), null);
      assert.deepEqual(await res.json(), { status: 403, message: 'Cross-origin authorize request refused' });
    }
    // refused before the token was looked at, so the user's own page still works
    assert.equal((await submitConsent(sim, { ...form, login: login(), decision: 'allow' })).status, 302);
    const again = await consentForm(sim, authorizeQuery(REGISTERED));
    const noOrigin = await fetch(`${sim.address.httpUrl}/oauth2/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...again, login: login(), decision: 'deny' }),
    });
    assert.equal(noOrigin.status, 302);
    assert.equal(new URL(noOrigin.headers.get('location')!).searchParams.get('error'), 'access_denied');
  });
});

describe('consent form lifetime', () => {
  test('a token older than its lifetime is refused', async (t) => {
    const short = await startSimulator({ channels: 50, live: 10, redirectUris: [REGISTERED], consentFormMs: 2000 });
    t.after(() => short.stop());
    const id = short.auth.registeredClients()[0]!.clientId;
    const form = await consentForm(short, { client_id: id, redirect_uri: REGISTERED, response_type: 'code' });
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const res = await submitConsent(short, { ...form, decision: 'deny' });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('location'), null);
    // a fresh page works (posted well within its two seconds)
    const fresh = await consentForm(short, { client_id: id, redirect_uri: REGISTERED, response_type: 'code' });
    assert.equal((await submitConsent(short, { ...fresh, decision: 'deny' })).status, 302);
  });
});

describe('lurk sim --redirect-uri', () => {
  test('a bad URL is named and exits 2', async () => {
    const result = await runLurk(['sim', '--redirect-uri', 'javascript:alert(1)', '--redirect-uri', 'http://[']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--redirect-uri "javascript:alert\(1\)": expected an http:\/\/ or https:\/\/ URL/);
    assert.match(result.stderr, /--redirect-uri "http:\/\/\[": not a URL/);
  });

  test('the URLs given replace the default and are the only ones accepted', async (t) => {
    const port = await freePort();
    const mine = ['http://127.0.0.1:7000/cb', 'https://lurk.example/auth/callback'];
    const lurk = startLurk(['sim', '--port', String(port), '--channels', '20', '--irc-port', '0', '--irc-ws-port', '0', ...mine.flatMap((u) => ['--redirect-uri', u])], {});
    t.after(async () => {
      lurk.child.kill('SIGTERM');
      await lurk.exited;
    });
    const id = (await waitFor('lurk sim to print its client id', () => /Client ID:\s+(\w+)/.exec(lurk.output())?.[1], 60_000))!;
    for (const uri of mine) assert.match(lurk.output(), new RegExp(`Redirect URIs:.*${uri.replace(/[.?/]/g, '\\$&')}`));
    const status = async (uri: string) => (await fetch(`http://127.0.0.1:${port}/oauth2/authorize?${new URLSearchParams({ client_id: id, redirect_uri: uri, response_type: 'code' })}`)).status;
    for (const uri of mine) assert.equal(await status(uri), 200, uri);
    assert.equal(await status('http://localhost:8080/auth/callback'), 400);
  });
});

test('consent forms rendered and never posted are bounded: beyond the cap the oldest is dropped', () => {
  const auth = new SimAuth(new ManualClock(0), []);
  const tokens = Array.from({ length: MAX_CONSENT_FORMS + 1 }, (_, i) => auth.issueConsentForm(`request ${i}`));
  assert.equal(auth.consumeConsentForm(tokens[0], 'request 0'), false, 'the oldest made room');
  assert.equal(auth.consumeConsentForm(tokens[1], 'request 1'), true);
  assert.equal(auth.consumeConsentForm(tokens.at(-1), `request ${MAX_CONSENT_FORMS}`), true);
});
