// The simulator's EventSub over real sockets: subscription management, webhooks (signatures,
// challenge, retries, revocation, faults), the raw WebSocket protocol (welcome, keepalive,
// reconnect, close codes, limits) and unmodified twurple 8.1.4 EventSubWsListener.
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import WebSocket from 'ws';
import { eventSubProtocol, webhookSignature, type EventSubOptions, type EventSubProtocol } from '../../src/sim/protocols/eventsub/index.js';
import { Simulator, type SimulatorOptions } from '../../src/sim/simulator.js';
import { memoryLogger, waitFor } from '../helpers/app.js';
import { ROOT } from '../helpers/process.js';

// ------------------------------------------------------------------ schemas

const openapi = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/twitch-helix-openapi.json'), 'utf8'));
// both packages are CommonJS with a default export
const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addFormat('int32', true);
ajv.addSchema({ $id: 'helix', components: openapi.components });

function assertSchema(method: 'get' | 'post', status: string, body: unknown): void {
  const content = openapi.paths['/eventsub/subscriptions'][method].responses[status].content['application/json'];
  const validate = ajv.compile({ $ref: `helix${content.schema.$ref}` });
  assert.ok(validate(body), `${method.toUpperCase()} /eventsub/subscriptions ${status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`);
}

const NANO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/;

// ------------------------------------------------------------------ simulator and Helix

const { log } = memoryLogger('warn');

async function startSim(
  options: EventSubOptions = {},
  extra: Parameters<Simulator['use']>[0][] = [],
  world: Pick<Partial<SimulatorOptions>, 'speed' | 'startMs'> = {},
): Promise<{ sim: Simulator; eventsub: EventSubProtocol }> {
  const sim = new Simulator({ seed: 7, channels: 400, live: 100, speed: 0, port: 0, ircPort: null, ircWsPort: null, log, ...world });
  const eventsub = eventSubProtocol(options);
  for (const p of extra) sim.use(p);
  sim.use(eventsub);
  await sim.start();
  return { sim, eventsub };
}

interface Token {
  accessToken: string;
  clientId: string;
}

function appToken(sim: Simulator): Token {
  return sim.auth.issueApp(sim.auth.registeredClients()[0]!.clientId);
}
function userToken(sim: Simulator, user: number, scopes: string[] = []): Token {
  return sim.auth.issueUser(sim.auth.registeredClients()[0]!.clientId, user, scopes);
}

async function helix(sim: Simulator, method: string, pathAndQuery: string, token: Token, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${sim.address.port}${pathAndQuery}`, {
    method,
    headers: { 'Client-Id': token.clientId, Authorization: `Bearer ${token.accessToken}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const SUBS = '/eventsub/subscriptions';

function create(sim: Simulator, token: Token, type: string, version: string, condition: Record<string, string>, transport: Record<string, string>) {
  return helix(sim, 'POST', SUBS, token, { type, version, condition, transport });
}

function offlineChannel(sim: Simulator, skip: number[] = []): number {
  for (let c = 0; c < sim.world.channelCount; c++) if (!sim.world.isLive(c) && !skip.includes(c)) return c;
  throw new Error('no offline channel');
}
/** a live channel with an audience (cheers and subscriptions need someone watching) */
function liveChannel(sim: Simulator, skip: number[] = []): number {
  for (const c of sim.world.liveChannelList()) if (!skip.includes(c) && sim.world.viewersNow(c) > 0) return c;
  throw new Error('no live channel');
}
/** a viewer (not a broadcaster) */
function viewer(sim: Simulator, k = 0): number {
  return sim.world.channelCount + 10 + k;
}

// ------------------------------------------------------------------ a webhook receiver

interface Delivery {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: any;
  signatureValid: boolean;
}

/** HMAC-SHA256(secret, id + timestamp + raw body), `sha256=` + hex, compared in constant time (§3.3) */
function verifySignature(secret: string, headers: IncomingHttpHeaders, raw: string): boolean {
  const id = String(headers['twitch-eventsub-message-id'] ?? '');
  const timestamp = String(headers['twitch-eventsub-message-timestamp'] ?? '');
  const given = Buffer.from(String(headers['twitch-eventsub-message-signature'] ?? ''));
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', secret)
      .update(id + timestamp + raw)
      .digest('hex')}`,
  );
  return given.length === expected.length && timingSafeEqual(given, expected);
}

type Answer = { status: number; body?: string };

/** a tiny node:http server that checks every signature, keeps every delivery and answers as told */
class Receiver {
  readonly deliveries: Delivery[] = [];
  private server!: Server;
  /** per path: how to answer (default: echo challenges, 204 for the rest) */
  readonly answers = new Map<string, (d: Delivery) => Answer>();
  /** sees every delivery before it is answered */
  onDelivery?: (d: Delivery) => void;

  constructor(private readonly secret: string) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const d: Delivery = { path: req.url ?? '', headers: req.headers, raw, body: JSON.parse(raw), signatureValid: verifySignature(this.secret, req.headers, raw) };
        this.deliveries.push(d);
        this.onDelivery?.(d);
        const answer = this.answer(d);
        res.writeHead(answer.status, { 'Content-Type': 'text/plain' }).end(answer.body ?? '');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  url(p: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${p}`;
  }

  of(p: string, type?: string): Delivery[] {
    return this.deliveries.filter((d) => d.path === p && (!type || d.headers['twitch-eventsub-message-type'] === type));
  }

  /** a bad signature is refused; then the path's own answer; else echo challenges and accept the rest */
  private answer(d: Delivery): Answer {
    if (!d.signatureValid) return { status: 403 };
    const custom = this.answers.get(d.path);
    if (custom) return custom(d);
    if (d.headers['twitch-eventsub-message-type'] === 'webhook_callback_verification') return { status: 200, body: d.body.challenge };
    return { status: 204 };
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

// ------------------------------------------------------------------ a raw WebSocket client

interface WsMessage {
  metadata: { message_id: string; message_type: string; message_timestamp: string; subscription_type?: string; subscription_version?: string };
  payload: any;
}

class RawClient {
  readonly messages: WsMessage[] = [];
  closed?: { code: number; reason: string };
  readonly socket: WebSocket;

  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    this.socket = new WebSocket(url, options);
    this.socket.on('message', (data) => this.messages.push(JSON.parse(String(data)) as WsMessage));
    this.socket.on('close', (code, reason) => (this.closed = { code, reason: String(reason) }));
    this.socket.on('error', () => {});
  }

  static url(sim: Simulator, query = ''): string {
    return `ws://127.0.0.1:${sim.address.port}/ws${query}`;
  }

  of(type: string): WsMessage[] {
    return this.messages.filter((m) => m.metadata.message_type === type);
  }

  async welcome(): Promise<WsMessage> {
    return waitFor('session_welcome', () => this.of('session_welcome')[0]);
  }

  async sessionId(): Promise<string> {
    return (await this.welcome()).payload.session.id as string;
  }

  async closedWith(): Promise<{ code: number; reason: string }> {
    return waitFor('the socket to close', () => this.closed);
  }

  close(): void {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) this.socket.terminate();
  }
}

function wsCreate(sim: Simulator, token: Token, sessionId: string, type: string, version: string, condition: Record<string, string>) {
  return create(sim, token, type, version, condition, { method: 'websocket', session_id: sessionId });
}

async function subscriptionById(sim: Simulator, token: Token, id: string): Promise<any> {
  const res = await helix(sim, 'GET', `${SUBS}?subscription_id=${id}`, token);
  assert.equal(res.status, 200);
  return res.body.data[0];
}

// ================================================================== subscription management

describe('subscription API', () => {
  let sim: Simulator;
  let receiver: Receiver;
  const secret = 'sub-api-secret-0123';

  before(async () => {
    ({ sim } = await startSim());
    receiver = new Receiver(secret);
    await receiver.start();
  });
  after(async () => {
    await sim.stop();
    await receiver.stop();
  });

  const hook = (p: string) => ({ method: 'webhook', callback: receiver.url(p), secret });

  test('a webhook subscription is accepted with an http:// callback, costs 1 and is verified', async () => {
    const app = appToken(sim);
    const broadcaster = sim.world.userId(offlineChannel(sim));
    const res = await create(sim, app, 'stream.online', '1', { broadcaster_user_id: broadcaster }, hook('/api/online'));
    assert.equal(res.status, 202);
    assertSchema('post', '202', res.body);
    const [sub] = res.body.data;
    assert.equal(sub.status, 'webhook_callback_verification_pending');
    assert.deepEqual(sub.transport, { method: 'webhook', callback: receiver.url('/api/online') });
    assert.deepEqual(sub.condition, { broadcaster_user_id: broadcaster });
    assert.equal(sub.cost, 1);
    assert.match(sub.created_at, NANO_TIME);
    assert.equal(res.body.max_total_cost, 10_000);
    assert.ok(res.body.total >= 1 && res.body.total_cost >= 1);
    await waitFor('verification', async () => (await subscriptionById(sim, app, sub.id))?.status === 'enabled');
  });

  test('the three paths (/eventsub, /helix/eventsub, /mock/eventsub) serve the same subscriptions', async () => {
    const app = appToken(sim);
    const lists = await Promise.all(['', '/helix', '/mock'].map((prefix) => helix(sim, 'GET', `${prefix}${SUBS}`, app)));
    for (const l of lists) assert.equal(l.status, 200);
    assert.deepEqual(lists[1]!.body, lists[0]!.body);
    assert.deepEqual(lists[2]!.body, lists[0]!.body);
  });

  test('the wrong token kind is 401: webhook needs an app token, websocket a user token', async () => {
    const broadcaster = sim.world.userId(0);
    const user = userToken(sim, 0);
    const asUser = await create(sim, user, 'stream.online', '1', { broadcaster_user_id: broadcaster }, hook('/api/401'));
    assert.equal(asUser.status, 401);
    assert.deepEqual(Object.keys(asUser.body).sort(), ['error', 'message', 'status']);
    const asApp = await create(sim, appToken(sim), 'stream.online', '1', { broadcaster_user_id: broadcaster }, { method: 'websocket', session_id: 'AQoQnope' });
    assert.equal(asApp.status, 401);
  });

  test('bad type, version, condition, secret or callback is 400', async () => {
    const app = appToken(sim);
    const b = sim.world.userId(1);
    const cases: [string, string, Record<string, string>, Record<string, string>][] = [
      ['stream.nonsense', '1', { broadcaster_user_id: b }, hook('/x')],
      ['stream.online', '2', { broadcaster_user_id: b }, hook('/x')],
      ['channel.follow', '1', { broadcaster_user_id: b }, hook('/x')],
      ['stream.online', '1', {}, hook('/x')],
      ['stream.online', '1', { broadcaster_user_id: '99999999999' }, hook('/x')],
      ['stream.online', '1', { broadcaster_user_id: b, surprise: '1' }, hook('/x')],
      ['channel.follow', '2', { broadcaster_user_id: b }, hook('/x')],
      ['channel.raid', '1', { from_broadcaster_user_id: b, to_broadcaster_user_id: sim.world.userId(2) }, hook('/x')],
      ['channel.raid', '1', {}, hook('/x')],
      ['stream.online', '1', { broadcaster_user_id: b }, { ...hook('/x'), secret: 'short9chr' }],
      ['stream.online', '1', { broadcaster_user_id: b }, { ...hook('/x'), secret: 'x'.repeat(101) }],
      ['stream.online', '1', { broadcaster_user_id: b }, { method: 'webhook', callback: 'not a url', secret }],
      ['stream.online', '1', { broadcaster_user_id: b }, { method: 'webhook', callback: 'ftp://example.com/cb', secret }],
      ['stream.online', '1', { broadcaster_user_id: b }, { method: 'webhook', secret }],
      ['stream.online', '1', { broadcaster_user_id: b }, { method: 'carrier-pigeon' }],
    ];
    for (const [type, version, condition, transport] of cases) {
      const res = await create(sim, app, type, version, condition, transport);
      assert.equal(res.status, 400, `${type} v${version} ${JSON.stringify(condition)} ${JSON.stringify(transport)}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error, 'Bad Request');
    }
    // the boundaries of the secret length are accepted
    for (const s of ['x'.repeat(10), 'y'.repeat(100)]) {
      const res = await create(sim, app, 'stream.offline', '1', { broadcaster_user_id: sim.world.userId(s.length) }, { ...hook('/bounds'), secret: s });
      assert.equal(res.status, 202, JSON.stringify(res.body));
    }
  });

  test('a duplicate is 409; a fourth subscription to the same type and condition is 429', async () => {
    const app = appToken(sim);
    const condition = { broadcaster_user_id: sim.world.userId(3) };
    assert.equal((await create(sim, app, 'stream.offline', '1', condition, hook('/dup/1'))).status, 202);
    const dup = await create(sim, app, 'stream.offline', '1', condition, hook('/dup/1'));
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error, 'Conflict');
    assert.equal((await create(sim, app, 'stream.offline', '1', condition, hook('/dup/2'))).status, 202);
    assert.equal((await create(sim, app, 'stream.offline', '1', condition, hook('/dup/3'))).status, 202);
    assert.equal((await create(sim, app, 'stream.offline', '1', condition, hook('/dup/4'))).status, 429);
  });

  test('GET filters are mutually exclusive, validated, and page through every subscription', async () => {
    const app = appToken(sim);
    for (let c = 100; c < 210; c++) {
      const res = await create(sim, app, 'channel.update', '2', { broadcaster_user_id: sim.world.userId(c) }, hook('/paging'));
      assert.equal(res.status, 202);
    }
    const two = await helix(sim, 'GET', `${SUBS}?type=channel.update&status=enabled`, app);
    assert.equal(two.status, 400);
    assert.equal((await helix(sim, 'GET', `${SUBS}?status=sleeping`, app)).status, 400);
    assert.equal((await helix(sim, 'GET', `${SUBS}?type=no.such.type`, app)).status, 400);
    assert.equal((await helix(sim, 'GET', `${SUBS}?after=garbage`, app)).status, 400);

    const seen: any[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await helix(sim, 'GET', `${SUBS}?type=channel.update${cursor ? `&after=${cursor}` : ''}`, app);
      assert.equal(res.status, 200);
      assertSchema('get', '200', res.body);
      seen.push(...res.body.data);
      cursor = res.body.pagination.cursor;
      pages++;
    } while (cursor);
    assert.equal(seen.length, 110);
    assert.ok(pages >= 2);
    assert.equal(new Set(seen.map((s) => s.id)).size, 110);
    // oldest first
    assert.deepEqual(
      seen.map((s) => s.condition.broadcaster_user_id),
      Array.from({ length: 110 }, (_, i) => sim.world.userId(100 + i)),
    );

    const byUser = await helix(sim, 'GET', `${SUBS}?user_id=${sim.world.userId(150)}`, app);
    assert.deepEqual(
      byUser.body.data.map((s: any) => s.type),
      ['channel.update'],
    );
    const one = await helix(sim, 'GET', `${SUBS}?subscription_id=${seen[5].id}`, app);
    assert.deepEqual(one.body.data, [seen[5]]);
    await waitFor('the paging subscriptions to be verified', async () => {
      const res = await helix(sim, 'GET', `${SUBS}?status=webhook_callback_verification_pending`, app);
      return res.body.data.length === 0;
    });
    const enabled = await helix(sim, 'GET', `${SUBS}?status=enabled`, app);
    assert.ok(enabled.body.data.every((s: any) => s.status === 'enabled'));
    assert.ok(enabled.body.total >= 110);
  });

  test('DELETE: 400 without id, 404 when unknown or not yours, 204 and gone', async () => {
    const app = appToken(sim);
    assert.equal((await helix(sim, 'DELETE', SUBS, app)).status, 400);
    assert.equal((await helix(sim, 'DELETE', `${SUBS}?id=00000000-0000-4000-8000-000000000000`, app)).status, 404);
    const created = await create(sim, app, 'stream.online', '1', { broadcaster_user_id: sim.world.userId(50) }, hook('/delete'));
    const id = created.body.data[0].id as string;
    // a user token of the same client does not see the client's webhook subscriptions
    assert.equal((await helix(sim, 'DELETE', `${SUBS}?id=${id}`, userToken(sim, 50))).status, 404);
    const del = await helix(sim, 'DELETE', `${SUBS}?id=${id}`, app);
    assert.equal(del.status, 204);
    assert.equal(del.body, undefined);
    assert.equal(await subscriptionById(sim, app, id), undefined);
    assert.equal((await helix(sim, 'DELETE', `${SUBS}?id=${id}`, app)).status, 404);
  });

  test('scoped types need the scope from the condition’s user over WebSocket (403); that user pays nothing', async () => {
    const channel = liveChannel(sim);
    const client = new RawClient(RawClient.url(sim));
    try {
      const session = await client.sessionId();
      const condition = { broadcaster_user_id: sim.world.userId(channel) };
      const noScope = await wsCreate(sim, userToken(sim, channel), session, 'channel.cheer', '1', condition);
      assert.equal(noScope.status, 403);
      const otherUser = await wsCreate(sim, userToken(sim, viewer(sim), ['bits:read']), session, 'channel.cheer', '1', condition);
      assert.equal(otherUser.status, 403);
      const ok = await wsCreate(sim, userToken(sim, channel, ['bits:read']), session, 'channel.cheer', '1', condition);
      assert.equal(ok.status, 202, JSON.stringify(ok.body));
      assertSchema('post', '202', ok.body);
      assert.equal(ok.body.data[0].cost, 0);
      assert.equal(ok.body.data[0].status, 'enabled');
      assert.equal(ok.body.max_total_cost, 10);
      assert.equal(ok.body.data[0].transport.session_id, session);
      assert.match(ok.body.data[0].transport.connected_at, NANO_TIME);
      // channel.follow v2: the moderator must moderate the channel
      const follow = await wsCreate(sim, userToken(sim, channel, ['moderator:read:followers']), session, 'channel.follow', '2', { ...condition, moderator_user_id: sim.world.userId(viewer(sim, 7)) });
      assert.equal(follow.status, 403);
      const followOk = await wsCreate(sim, userToken(sim, channel, ['moderator:read:followers']), session, 'channel.follow', '2', { ...condition, moderator_user_id: condition.broadcaster_user_id });
      assert.equal(followOk.status, 202, JSON.stringify(followOk.body));
    } finally {
      client.close();
    }
  });
});

// ================================================================== webhooks

describe('webhooks', () => {
  let sim: Simulator;
  let receiver: Receiver;
  const secret = 'webhook-secret-4567';

  before(async () => {
    ({ sim } = await startSim({ webhookRetryDelaysMs: [50, 50], webhookMaxFailures: 2, webhookTimeoutMs: 5000 }));
    receiver = new Receiver(secret);
    await receiver.start();
  });
  after(async () => {
    await sim.stop();
    await receiver.stop();
  });

  const hook = (p: string) => ({ method: 'webhook', callback: receiver.url(p), secret });

  async function subscribeAndVerify(p: string, type: string, version: string, condition: Record<string, string>): Promise<string> {
    const app = appToken(sim);
    const res = await create(sim, app, type, version, condition, hook(p));
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const id = res.body.data[0].id as string;
    await waitFor(`${type} verified`, async () => (await subscriptionById(sim, app, id))?.status === 'enabled');
    return id;
  }

  test('the signature rule reproduces the test vector of twitch-protocol.md §3.3', () => {
    const body =
      '{"subscription":{"id":"ae2ff348-e102-16be-a3eb-6830c1bf38d2","status":"enabled","type":"channel.follow","version":"1","condition":{"broadcaster_user_id":"44429626"},"transport":{"method":"webhook","callback":"null"},"created_at":"2021-02-19T23:47:00.7621315Z"},"event":{"user_id":"28408015","user_login":"testFromUser","user_name":"testFromUser","broadcaster_user_id":"44429626","broadcaster_user_login":"44429626","broadcaster_user_name":"testBroadcaster"}}';
    assert.equal(Buffer.byteLength(body), 458);
    const headers = {
      'twitch-eventsub-message-id': 'ae2ff348-e102-16be-a3eb-6830c1bf38d2',
      'twitch-eventsub-message-timestamp': '2021-02-19T23:47:00.8091512Z',
      'twitch-eventsub-message-signature': 'sha256=d10f5bd9474b7ac7bd7105eb79c2d52768b4d0cd2a135982c3bf5a1d59a78823',
    };
    assert.ok(verifySignature('secretabcd', headers, body));
    assert.ok(!verifySignature('secretabce', headers, body));
    assert.equal(webhookSignature('secretabcd', headers['twitch-eventsub-message-id'], headers['twitch-eventsub-message-timestamp'], body), headers['twitch-eventsub-message-signature']);
  });

  test('the challenge is signed and echoed; a callback that does not echo it fails verification', async () => {
    const channel = offlineChannel(sim);
    const id = await subscribeAndVerify('/online', 'stream.online', '1', { broadcaster_user_id: sim.world.userId(channel) });
    const [challenge] = receiver.of('/online', 'webhook_callback_verification');
    assert.ok(challenge);
    assert.ok(challenge.signatureValid);
    assert.equal(typeof challenge.body.challenge, 'string');
    assert.equal(challenge.body.subscription.id, id);
    assert.equal(challenge.body.subscription.status, 'webhook_callback_verification_pending');
    assert.equal(challenge.headers['twitch-eventsub-subscription-type'], 'stream.online');
    assert.equal(challenge.headers['twitch-eventsub-subscription-version'], '1');
    assert.equal(challenge.body.subscription.transport.secret, undefined);

    const app = appToken(sim);
    receiver.answers.set('/wrong-echo', () => ({ status: 200, body: 'not the challenge' }));
    const unreachable = receiver.url('/x').replace(/:\d+\//, ':1/');
    for (const callback of [receiver.url('/wrong-echo'), unreachable]) {
      const bad = await create(sim, app, 'stream.offline', '1', { broadcaster_user_id: sim.world.userId(channel) }, { method: 'webhook', callback, secret });
      assert.equal(bad.status, 202);
      const badId = bad.body.data[0].id as string;
      await waitFor('verification to fail', async () => (await subscriptionById(sim, app, badId))?.status === 'webhook_callback_verification_failed');
    }
  });

  test('a notification carries Twitch’s headers, a valid signature and the exact payload', async () => {
    const channel = offlineChannel(sim);
    const broadcaster = sim.world.userId(channel);
    const id = await subscribeAndVerify('/online2', 'stream.online', '1', { broadcaster_user_id: broadcaster });
    sim.world.trigger('stream.online', channel);
    const d = await waitFor('stream.online notification', () => receiver.of('/online2', 'notification')[0]);
    assert.ok(d.signatureValid);
    assert.match(String(d.headers['twitch-eventsub-message-id']), /^[0-9a-f-]{36}$/);
    assert.equal(d.headers['twitch-eventsub-message-retry'], '0');
    assert.equal(d.headers['twitch-eventsub-subscription-type'], 'stream.online');
    assert.equal(d.headers['twitch-eventsub-subscription-version'], '1');
    assert.match(String(d.headers['twitch-eventsub-message-timestamp']), NANO_TIME);
    assert.equal(d.headers['content-type'], 'application/json');
    assert.deepEqual(Object.keys(d.body), ['subscription', 'event']);
    assert.equal(d.body.subscription.id, id);
    assert.equal(d.body.subscription.status, 'enabled');
    assert.deepEqual(d.body.subscription.transport, { method: 'webhook', callback: receiver.url('/online2') });
    assert.equal(d.body.subscription.cost, 1);
    const stream = sim.world.stream(channel)!;
    assert.deepEqual(d.body.event, {
      id: stream.id,
      broadcaster_user_id: broadcaster,
      broadcaster_user_login: sim.world.login(channel),
      broadcaster_user_name: sim.world.displayName(channel),
      type: 'live',
      started_at: new Date(stream.startedAt).toISOString(),
    });
  });

  test('raids reach both sides; cheers, follows and offline render Twitch’s fields', async () => {
    const from = liveChannel(sim);
    const to = liveChannel(sim, [from]);
    await subscribeAndVerify('/raid-from', 'channel.raid', '1', { from_broadcaster_user_id: sim.world.userId(from) });
    await subscribeAndVerify('/raid-to', 'channel.raid', '1', { to_broadcaster_user_id: sim.world.userId(to) });
    await subscribeAndVerify('/cheer', 'channel.cheer', '1', { broadcaster_user_id: sim.world.userId(to) });
    await subscribeAndVerify('/follow', 'channel.follow', '2', { broadcaster_user_id: sim.world.userId(to), moderator_user_id: sim.world.userId(to) });
    await subscribeAndVerify('/offline', 'stream.offline', '1', { broadcaster_user_id: sim.world.userId(from) });
    const raid = sim.world.trigger('channel.raid', from, { toChannel: to })!;
    const cheer = sim.world.trigger('channel.cheer', to)!;
    const follow = sim.world.trigger('channel.follow', to)!;
    const streamId = sim.world.stream(from)!.id;
    sim.world.trigger('stream.offline', from);

    for (const p of ['/raid-from', '/raid-to']) {
      const d = await waitFor(`${p} notification`, () => receiver.of(p, 'notification')[0]);
      assert.deepEqual(d.body.event, {
        from_broadcaster_user_id: sim.world.userId(from),
        from_broadcaster_user_login: sim.world.login(from),
        from_broadcaster_user_name: sim.world.displayName(from),
        to_broadcaster_user_id: sim.world.userId(to),
        to_broadcaster_user_login: sim.world.login(to),
        to_broadcaster_user_name: sim.world.displayName(to),
        viewers: raid.viewers,
      });
    }
    const c = (await waitFor('cheer', () => receiver.of('/cheer', 'notification')[0])).body.event;
    assert.deepEqual(Object.keys(c).sort(), ['bits', 'broadcaster_user_id', 'broadcaster_user_login', 'broadcaster_user_name', 'is_anonymous', 'message', 'user_id', 'user_login', 'user_name']);
    assert.equal(c.bits, cheer.bits);
    assert.equal(c.message, cheer.message);
    assert.equal(c.is_anonymous, cheer.anonymous ?? false);
    assert.equal(c.user_id, cheer.anonymous ? null : sim.world.userId(cheer.user!));
    const f = (await waitFor('follow', () => receiver.of('/follow', 'notification')[0])).body.event;
    assert.equal(f.user_id, sim.world.userId(follow.user!));
    assert.match(f.followed_at, NANO_TIME);
    const off = (await waitFor('offline', () => receiver.of('/offline', 'notification')[0])).body.event;
    assert.deepEqual(off, { id: streamId, broadcaster_user_id: sim.world.userId(from), broadcaster_user_login: sim.world.login(from), broadcaster_user_name: sim.world.displayName(from) });
  });

  test('a notification answered 500 is retried with the same message id', async () => {
    const channel = offlineChannel(sim);
    await subscribeAndVerify('/flaky', 'stream.online', '1', { broadcaster_user_id: sim.world.userId(channel) });
    let calls = 0;
    receiver.answers.set('/flaky', () => (++calls === 1 ? { status: 500 } : { status: 202 }));
    sim.world.trigger('stream.online', channel);
    const [first, second] = await waitFor('a retry', () => {
      const n = receiver.of('/flaky', 'notification');
      return n.length >= 2 ? n : undefined;
    });
    assert.equal(first!.headers['twitch-eventsub-message-id'], second!.headers['twitch-eventsub-message-id']);
    assert.equal(first!.headers['twitch-eventsub-message-retry'], '0');
    assert.equal(second!.headers['twitch-eventsub-message-retry'], '1');
    assert.equal(first!.raw, second!.raw);
    assert.ok(second!.signatureValid);
  });

  test('a callback that keeps failing is revoked with notification_failures_exceeded', async () => {
    const channel = liveChannel(sim);
    const id = await subscribeAndVerify('/broken', 'channel.follow', '2', { broadcaster_user_id: sim.world.userId(channel), moderator_user_id: sim.world.userId(channel) });
    receiver.answers.set('/broken', () => ({ status: 500 }));
    // two messages, each failing all three attempts (webhookMaxFailures: 2)
    sim.world.trigger('channel.follow', channel);
    await waitFor('three failed attempts', () => receiver.of('/broken', 'notification').length >= 3);
    sim.world.trigger('channel.follow', channel);
    const revocation = await waitFor('the revocation', () => receiver.of('/broken', 'revocation')[0]);
    assert.ok(revocation.signatureValid);
    assert.equal(revocation.body.subscription.id, id);
    assert.equal(revocation.body.subscription.status, 'notification_failures_exceeded');
    assert.equal(revocation.body.event, undefined);
    const app = appToken(sim);
    assert.equal((await subscriptionById(sim, app, id)).status, 'notification_failures_exceeded');
    // and nothing more is delivered
    const before = receiver.of('/broken').length;
    sim.world.trigger('channel.follow', channel);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(receiver.of('/broken').length, before);
  });

  test('faults: a wrongly signed delivery is retried with a good signature; duplicates keep their id', async () => {
    const channel = liveChannel(sim);
    await subscribeAndVerify('/faults', 'channel.follow', '2', { broadcaster_user_id: sim.world.userId(channel), moderator_user_id: sim.world.userId(channel) });
    sim.faults.webhookBadSignatureRate = 1;
    // the receiver rejects the bad signature (403); lift the fault so the retry is signed properly
    receiver.onDelivery = (d) => {
      if (d.path === '/faults' && !d.signatureValid) sim.faults.webhookBadSignatureRate = 0;
    };
    try {
      sim.world.trigger('channel.follow', channel);
      const [bad, good] = await waitFor('a re-signed retry', () => {
        const n = receiver.of('/faults', 'notification');
        return n.length >= 2 ? n : undefined;
      });
      assert.equal(bad!.signatureValid, false);
      assert.equal(good!.signatureValid, true);
      assert.equal(bad!.headers['twitch-eventsub-message-id'], good!.headers['twitch-eventsub-message-id']);
    } finally {
      receiver.onDelivery = undefined;
      sim.faults.webhookBadSignatureRate = 0;
    }

    const seen = receiver.of('/faults', 'notification').length;
    sim.faults.webhookDuplicateRate = 1;
    try {
      sim.world.trigger('channel.follow', channel);
      const [a, b] = await waitFor('a duplicate', () => {
        const n = receiver.of('/faults', 'notification').slice(seen);
        return n.length >= 2 ? n : undefined;
      });
      assert.equal(a!.headers['twitch-eventsub-message-id'], b!.headers['twitch-eventsub-message-id']);
      assert.equal(a!.raw, b!.raw);
      assert.ok(a!.signatureValid && b!.signatureValid);
    } finally {
      sim.faults.webhookDuplicateRate = 0;
    }
  });
});

// ================================================================== WebSocket

describe('WebSocket /ws', () => {
  let sim: Simulator;
  let eventsub: EventSubProtocol;
  const clients: RawClient[] = [];
  const connect = (query = '', options: WebSocket.ClientOptions = {}) => {
    const c = new RawClient(RawClient.url(sim, query), options);
    clients.push(c);
    return c;
  };

  before(async () => {
    ({ sim, eventsub } = await startSim({ keepaliveSeconds: 1, unusedTimeoutSeconds: 2, reconnectGraceMs: 1500, pingIntervalMs: 400 }));
  });
  after(async () => {
    for (const c of clients) c.close();
    await sim.stop();
  });

  test('welcome, then keepalives while idle, then a notification', async () => {
    const channel = offlineChannel(sim);
    const token = userToken(sim, channel);
    const client = connect();
    const welcome = await client.welcome();
    assert.deepEqual(Object.keys(welcome.metadata).sort(), ['message_id', 'message_timestamp', 'message_type']);
    assert.match(welcome.metadata.message_timestamp, NANO_TIME);
    const session = welcome.payload.session;
    assert.equal(session.status, 'connected');
    assert.equal(session.keepalive_timeout_seconds, 1);
    assert.equal(session.reconnect_url, null);
    assert.equal(session.recovery_url, null);
    assert.match(session.connected_at, NANO_TIME);
    assert.match(session.id, /^AQoQ/);

    const res = await wsCreate(sim, token, session.id, 'stream.online', '1', { broadcaster_user_id: sim.world.userId(channel) });
    assert.equal(res.status, 202);
    assert.equal(res.body.data[0].cost, 0);
    await waitFor('two keepalives', () => client.of('session_keepalive').length >= 2);
    assert.deepEqual(client.of('session_keepalive')[0]!.payload, {});

    sim.world.trigger('stream.online', channel);
    const n = await waitFor('notification', () => client.of('notification')[0]);
    assert.equal(n.metadata.subscription_type, 'stream.online');
    assert.equal(n.metadata.subscription_version, '1');
    assert.deepEqual(n.payload.subscription.transport, { method: 'websocket', session_id: session.id });
    assert.equal(n.payload.subscription.id, res.body.data[0].id);
    assert.equal(n.payload.event.broadcaster_user_id, sim.world.userId(channel));
    assert.equal(n.payload.event.type, 'live');
  });

  test('keepalive_timeout_seconds is clamped to 10..600', async () => {
    const low = connect('?keepalive_timeout_seconds=3');
    const high = connect('?keepalive_timeout_seconds=900');
    assert.equal((await low.welcome()).payload.session.keepalive_timeout_seconds, 10);
    assert.equal((await high.welcome()).payload.session.keepalive_timeout_seconds, 600);
  });

  test('a session without a subscription is closed with 4003', async () => {
    const client = connect();
    await client.welcome();
    const closed = await client.closedWith();
    assert.equal(closed.code, 4003);
  });

  test('a client that sends a message is closed with 4001; its subscriptions show why', async () => {
    const channel = liveChannel(sim);
    const token = userToken(sim, channel);
    const client = connect();
    const res = await wsCreate(sim, token, await client.sessionId(), 'channel.update', '2', { broadcaster_user_id: sim.world.userId(channel) });
    client.socket.send('hello');
    assert.equal((await client.closedWith()).code, 4001);
    const sub = await waitFor('status', async () => {
      const s = await subscriptionById(sim, token, res.body.data[0].id);
      return s?.status === 'websocket_received_inbound_traffic' ? s : undefined;
    });
    assert.match(sub.transport.disconnected_at, NANO_TIME);
    const list = await helix(sim, 'GET', SUBS, token);
    assertSchema('get', '200', list.body);
  });

  test('a client that hangs up leaves websocket_disconnected; a client that never pongs gets 4002', async () => {
    const channel = liveChannel(sim);
    const token = userToken(sim, channel);
    const client = connect();
    const res = await wsCreate(sim, token, await client.sessionId(), 'stream.offline', '1', { broadcaster_user_id: sim.world.userId(channel) });
    client.socket.close(1000);
    await waitFor('websocket_disconnected', async () => (await subscriptionById(sim, token, res.body.data[0].id))?.status === 'websocket_disconnected');
    // the session is gone: subscribing to it again is a 400
    assert.equal((await wsCreate(sim, token, res.body.data[0].transport.session_id, 'stream.offline', '1', { broadcaster_user_id: sim.world.userId(channel) })).status, 400);

    const silent = connect('', { autoPong: false });
    const r2 = await wsCreate(sim, token, await silent.sessionId(), 'stream.offline', '1', { broadcaster_user_id: sim.world.userId(channel) });
    assert.equal(r2.status, 202);
    assert.equal((await silent.closedWith()).code, 4002);
    assert.equal((await subscriptionById(sim, token, r2.body.data[0].id)).status, 'websocket_failed_ping_pong');
  });

  test('session_reconnect: the client moves, its subscriptions follow, the old socket gets 4004', async () => {
    const to = liveChannel(sim);
    const from = liveChannel(sim, [to]);
    const token = userToken(sim, to);
    const old = connect();
    const oldId = await old.sessionId();
    const res = await wsCreate(sim, token, oldId, 'channel.raid', '1', { to_broadcaster_user_id: sim.world.userId(to) });
    assert.equal(res.status, 202);

    assert.ok(eventsub.reconnectAll() >= 1);
    const reconnect = await waitFor('session_reconnect', () => old.of('session_reconnect')[0]);
    const s = reconnect.payload.session;
    assert.equal(s.id, oldId);
    assert.equal(s.status, 'reconnecting');
    assert.equal(s.keepalive_timeout_seconds, null);
    assert.match(s.reconnect_url, /^ws:\/\/127\.0\.0\.1:\d+\/ws\?reconnect_id=/);

    const next = connect(s.reconnect_url.replace(/^ws:\/\/[^/]+\/ws/, ''));
    const nextWelcome = await next.welcome();
    assert.notEqual(nextWelcome.payload.session.id, oldId);
    assert.equal(nextWelcome.payload.session.keepalive_timeout_seconds, 1);
    const sub = await subscriptionById(sim, token, res.body.data[0].id);
    assert.equal(sub.status, 'enabled');
    assert.equal(sub.transport.session_id, nextWelcome.payload.session.id);

    sim.world.trigger('channel.raid', from, { toChannel: to });
    const n = await waitFor('raid on the new session', () => next.of('notification')[0]);
    assert.equal(n.payload.event.to_broadcaster_user_id, sim.world.userId(to));
    assert.equal(old.of('notification').length, 0);
    // the old socket was left open: the grace ends with 4004, the subscription stays enabled
    assert.equal((await old.closedWith()).code, 4004);
    assert.equal((await subscriptionById(sim, token, res.body.data[0].id)).status, 'enabled');
    // a reconnect URL works once
    const again = connect(s.reconnect_url.replace(/^ws:\/\/[^/]+\/ws/, ''));
    assert.equal((await again.closedWith()).code, 4007);
  });

  test('a client that ignores session_reconnect loses its socket (4004) and its subscriptions', async () => {
    const channel = liveChannel(sim);
    const token = userToken(sim, channel);
    const client = connect();
    const res = await wsCreate(sim, token, await client.sessionId(), 'channel.update', '2', { broadcaster_user_id: sim.world.userId(channel) });
    eventsub.reconnectAll();
    await waitFor('session_reconnect', () => client.of('session_reconnect')[0]);
    assert.equal((await client.closedWith()).code, 4004);
    assert.equal((await subscriptionById(sim, token, res.body.data[0].id)).status, 'websocket_disconnected');
  });

  test('an unknown reconnect_id is closed with 4007', async () => {
    const client = connect('?reconnect_id=AQoQnosuchsession');
    assert.equal((await client.closedWith()).code, 4007);
  });

  test('a revocation names the subscription and its new status', async () => {
    const channel = liveChannel(sim);
    const token = userToken(sim, channel, ['channel:read:subscriptions']);
    const client = connect();
    const res = await wsCreate(sim, token, await client.sessionId(), 'channel.subscribe', '1', { broadcaster_user_id: sim.world.userId(channel) });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.ok(eventsub.revoke(res.body.data[0].id, 'authorization_revoked'));
    const r = await waitFor('revocation', () => client.of('revocation')[0]);
    assert.equal(r.metadata.subscription_type, 'channel.subscribe');
    assert.equal(r.metadata.subscription_version, '1');
    assert.equal(r.payload.subscription.status, 'authorization_revoked');
    assert.equal(r.payload.event, undefined);
    assert.equal((await subscriptionById(sim, token, res.body.data[0].id)).status, 'authorization_revoked');
  });
});

describe('message timestamps: wall time on the wire, world time in the event', () => {
  // a world years in the past, running 300 times faster than real time
  const WORLD_START = Date.UTC(2020, 0, 1);
  const secret = 'webhook-secret-wall-time';
  let sim: Simulator;
  let receiver: Receiver;
  let client: RawClient | undefined;

  before(async () => {
    ({ sim } = await startSim({ webhookTimeoutMs: 5000 }, [], { speed: 300, startMs: WORLD_START }));
    receiver = new Receiver(secret);
    await receiver.start();
  });
  after(async () => {
    client?.close();
    await sim.stop();
    await receiver.stop();
  });

  /** a message's timestamp is the moment it left, by the receiver's own clock (§3.5's 10-minute rule) */
  function assertWallTime(stamp: string): void {
    assert.match(stamp, NANO_TIME);
    const skewMs = Math.abs(new Date(stamp).getTime() - Date.now());
    assert.ok(skewMs < 60_000, `${stamp} is ${Math.round(skewMs / 1000)} s away from now`);
  }
  /** the event's own time belongs to the world: after its start, before its now, years before today */
  function assertWorldTime(stamp: string): void {
    const ms = new Date(stamp).getTime();
    assert.ok(ms >= WORLD_START && ms <= sim.clock.now(), `${stamp} is not in the world's past`);
    assert.ok(ms < Date.now() - 365 * 86_400_000, `${stamp} is not world time`);
  }

  test('a webhook notification: signed wall-clock Twitch-Eventsub-Message-Timestamp, world-time started_at', async () => {
    const channel = offlineChannel(sim);
    const app = appToken(sim);
    const res = await create(sim, app, 'stream.online', '1', { broadcaster_user_id: sim.world.userId(channel) }, { method: 'webhook', callback: receiver.url('/online'), secret });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const id = res.body.data[0].id as string;
    await waitFor('verified', async () => (await subscriptionById(sim, app, id))?.status === 'enabled');
    // the channel may also have gone live by itself meanwhile: either way a stream.online comes
    sim.world.trigger('stream.online', channel);
    const d = await waitFor('stream.online notification', () => receiver.of('/online', 'notification')[0]);
    assert.ok(d.signatureValid, 'HMAC-SHA256 over id + timestamp + body verifies');
    assertWallTime(String(d.headers['twitch-eventsub-message-timestamp']));
    assertWorldTime(d.body.event.started_at);
  });

  test('a WebSocket notification: wall-clock message_timestamp, world-time started_at', async () => {
    const channel = offlineChannel(sim);
    client = new RawClient(RawClient.url(sim));
    const welcome = await client.welcome();
    assertWallTime(welcome.metadata.message_timestamp);
    const res = await wsCreate(sim, userToken(sim, channel), welcome.payload.session.id, 'stream.online', '1', { broadcaster_user_id: sim.world.userId(channel) });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    sim.world.trigger('stream.online', channel);
    const n = await waitFor('notification', () => client!.of('notification')[0]);
    assertWallTime(n.metadata.message_timestamp);
    assertWorldTime(n.payload.event.started_at);
  });
});

describe('WebSocket limits', () => {
  let sim: Simulator;
  const clients: RawClient[] = [];
  const connect = () => {
    const c = new RawClient(RawClient.url(sim));
    clients.push(c);
    return c;
  };

  before(async () => {
    // 300 subscriptions per session cannot be reached by one user in this world; 4 can
    ({ sim } = await startSim({ maxSubscriptionsPerSession: 4, unusedTimeoutSeconds: 30 }));
  });
  after(async () => {
    for (const c of clients) c.close();
    await sim.stop();
  });

  const online = (token: Token, session: string, channel: number) => wsCreate(sim, token, session, 'stream.online', '1', { broadcaster_user_id: sim.world.userId(channel) });

  test('subscriptions per session, total cost 10 per user, 3 connections per user', async () => {
    const token = userToken(sim, viewer(sim, 1));
    const sessions = [];
    for (let i = 0; i < 4; i++) sessions.push(await connect().sessionId());

    // a viewer pays 1 for each broadcaster's stream.online
    let channel = 0;
    for (let i = 0; i < 4; i++) assert.equal((await online(token, sessions[0]!, channel++)).status, 202);
    const fifth = await online(token, sessions[0]!, channel++);
    assert.equal(fifth.status, 429, 'per-session limit');
    for (let i = 0; i < 4; i++) assert.equal((await online(token, sessions[1]!, channel++)).status, 202);
    for (let i = 0; i < 2; i++) {
      const res = await online(token, sessions[2]!, channel++);
      assert.equal(res.status, 202);
      assert.equal(res.body.total_cost, 9 + i);
      assert.equal(res.body.max_total_cost, 10);
    }
    const overCost = await online(token, sessions[2]!, channel++);
    assert.equal(overCost.status, 429, 'total cost');

    // a fourth connection of the same user and client
    const broadcaster = 5;
    const own = userToken(sim, broadcaster);
    assert.equal((await online(own, sessions[3]!, broadcaster)).status, 202, 'cost 0 fits');
    const otherUser = await wsCreate(sim, token, sessions[3]!, 'stream.offline', '1', { broadcaster_user_id: sim.world.userId(broadcaster) });
    assert.equal(otherUser.status, 400, 'a session holds one user’s subscriptions');

    const more = [await connect().sessionId(), await connect().sessionId(), await connect().sessionId(), await connect().sessionId()];
    const b2 = sim.world.userId(300);
    const t2 = userToken(sim, 300);
    const types: [string, string][] = [
      ['stream.online', '1'],
      ['stream.offline', '1'],
      ['channel.update', '2'],
    ];
    for (const [i, [type, version]] of types.entries()) assert.equal((await wsCreate(sim, t2, more[i]!, type, version, { broadcaster_user_id: b2 })).status, 202);
    const overSessions = await wsCreate(sim, t2, more[3]!, 'channel.raid', '1', { to_broadcaster_user_id: b2 });
    assert.equal(overSessions.status, 429, 'connections per user');
    assert.equal(overSessions.body.error, 'Too Many Requests');
  });
});

// ================================================================== twurple

/**
 * twurple remembers every message id for 10 minutes (replay protection) with a timer that holds
 * the process open; once the listener is stopped those timers must not keep the test alive.
 */
function unrefLongTimers(): () => void {
  const original = globalThis.setTimeout;
  const patched = (fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const timer = original(fn, ms, ...args);
    if ((ms ?? 0) >= 10 * 60_000) timer.unref();
    return timer;
  };
  globalThis.setTimeout = Object.assign(patched, original) as typeof setTimeout;
  return () => {
    globalThis.setTimeout = original;
  };
}

describe('twurple 8.1.4 EventSubWsListener, unmodified', () => {
  let sim: Simulator;
  let eventsub: EventSubProtocol;
  let listener: { stop(): void } | undefined;
  let restoreTimers: (() => void) | undefined;

  before(async () => {
    restoreTimers = unrefLongTimers();
    const { oauthProtocol } = await import('../../src/sim/protocols/oauth.js');
    const { helixProtocol } = await import('../../src/sim/protocols/helix.js');
    // a world that began a month ago: twurple drops notifications stamped more than 10 minutes
    // before its own clock, so this fails unless message timestamps are on wall time
    ({ sim, eventsub } = await startSim({}, [oauthProtocol(), helixProtocol()], { startMs: Date.now() - 30 * 86_400_000 }));
    // twurple reads this when it builds URLs: Helix to /mock, OAuth to /auth, EventSub to /ws
    process.env.TWURPLE_MOCK_API_PORT = String(sim.address.port);
  });
  after(async () => {
    listener?.stop();
    await sim.stop();
    delete process.env.TWURPLE_MOCK_API_PORT;
    restoreTimers?.();
  });

  test('receives stream.online, channel.raid and channel.cheer, and follows session_reconnect', async () => {
    const { ApiClient } = await import('@twurple/api');
    const { StaticAuthProvider } = await import('@twurple/auth');
    const { EventSubWsListener } = await import('@twurple/eventsub-ws');

    const channel = offlineChannel(sim);
    const raider = liveChannel(sim);
    const broadcasterId = sim.world.userId(channel);
    const token = userToken(sim, channel, ['bits:read']);
    const apiClient = new ApiClient({ authProvider: new StaticAuthProvider(token.clientId, token.accessToken) });
    const ws = new EventSubWsListener({ apiClient, logger: { minLevel: 'critical' } });
    listener = ws;

    const got: { online?: any; raid?: any; cheer?: any } = {};
    ws.onStreamOnline(broadcasterId, (e) => (got.online = { broadcasterId: e.broadcasterId, type: e.type, startDate: e.startDate, id: e.id }));
    ws.onChannelRaidTo(broadcasterId, (e) => (got.raid = { from: e.raidingBroadcasterId, to: e.raidedBroadcasterId, viewers: e.viewers }));
    ws.onChannelCheer(broadcasterId, (e) => (got.cheer = { bits: e.bits, message: e.message, anonymous: e.isAnonymous, userId: e.userId }));
    ws.start();

    await waitFor('three enabled subscriptions', () => eventsub.subscriptions().filter((s) => s.status === 'enabled' && s.transport.method === 'websocket').length === 3, 30_000);

    sim.world.trigger('stream.online', channel);
    await waitFor('twurple stream.online', () => got.online, 30_000);
    const stream = sim.world.stream(channel)!;
    assert.equal(got.online.broadcasterId, broadcasterId);
    assert.equal(got.online.type, 'live');
    assert.equal(got.online.id, stream.id);
    assert.equal(got.online.startDate.getTime(), stream.startedAt);

    const raid = sim.world.trigger('channel.raid', raider, { toChannel: channel })!;
    await waitFor('twurple channel.raid', () => got.raid, 30_000);
    assert.deepEqual(got.raid, { from: sim.world.userId(raider), to: broadcasterId, viewers: raid.viewers });

    // the raiders arrive within seconds of world time; then someone can cheer
    sim.advance(10_000);
    assert.ok(sim.world.viewersNow(channel) > 0);
    const cheer = sim.world.trigger('channel.cheer', channel)!;
    await waitFor('twurple channel.cheer', () => got.cheer, 30_000);
    assert.equal(got.cheer.bits, cheer.bits);
    assert.equal(got.cheer.message, cheer.message);
    assert.equal(got.cheer.anonymous, cheer.anonymous ?? false);

    // Twitch's maintenance: twurple follows reconnect_url and keeps its subscriptions
    const before = eventsub.sessions().map((s) => s.id);
    assert.equal(eventsub.reconnectAll(), 1);
    const moved = await waitFor('twurple on a new session', () => eventsub.sessions().find((s) => !before.includes(s.id) && s.subscriptions === 3), 30_000);
    await waitFor('the old session to close', () => !eventsub.sessions().some((s) => before.includes(s.id)), 30_000);
    assert.ok(eventsub.subscriptions().every((s) => s.status === 'enabled' && s.transport.method === 'websocket' && s.transport.session_id === moved.id));
    got.cheer = undefined;
    const second = sim.world.trigger('channel.cheer', channel)!;
    await waitFor('twurple channel.cheer after the reconnect', () => got.cheer, 30_000);
    assert.equal(got.cheer.bits, second.bits);
  });
});
