// The subscription manager and the EventSub WebSocket client against the simulator over real
// sockets: reconciliation across a restart, unwanted and over-cost subscriptions, revocations,
// session_reconnect, a session closed by Twitch and one that falls silent.
import type { DeepReadonly } from '../../../src/core/bus.js';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { InProcessBus } from '../../../src/core/bus.js';
import { SystemClock } from '../../../src/core/clock.js';
import { createMetrics } from '../../../src/core/metrics.js';
import type { Simulator } from '../../../src/sim/index.js';
import { eventSubControl } from '../../../src/sim/protocols/eventsub/index.js';
import { TwitchAccess } from '../../../src/twitch/access.js';
import { simulatorEndpoints } from '../../../src/twitch/endpoints.js';
import type { EventSubNotification } from '../../../src/twitch/eventsub/events.js';
import type { EventSubInbox, InboxMessage } from '../../../src/twitch/eventsub/inbox.js';
import { EventSubIntake } from '../../../src/twitch/eventsub/intake.js';
import { EventSubManager, type SubscriptionWant } from '../../../src/twitch/eventsub/manager.js';
import { EVENTSUB_WEBHOOK_PATH, receiveWebhook } from '../../../src/twitch/eventsub/webhook.js';
import { memoryLogger, waitFor } from '../../helpers/app.js';
import { credentials, startSimulator } from '../../helpers/sim.js';

const { log } = memoryLogger('warn');
const MASTER_KEY = Buffer.from('manager-test-master-key-0123456789abcdef', 'utf8');

/** the inbox's promise kept in memory (the database one is tested through the app) */
class MemoryInbox implements EventSubInbox {
  readonly rows = new Map<string, InboxMessage & { state: 'queued' | 'done' | 'failed' }>();
  async accept(m: InboxMessage) {
    if (this.rows.has(m.messageId)) return false;
    this.rows.set(m.messageId, { ...m, state: 'queued' });
    return true;
  }
  async queued(limit: number) {
    return [...this.rows.values()].filter((r) => r.state === 'queued').slice(0, limit);
  }
  async settle(ids: readonly string[], state: 'done' | 'failed') {
    for (const id of ids) this.rows.get(id)!.state = state;
  }
  async depth() {
    return [...this.rows.values()].filter((r) => r.state === 'queued').length;
  }
  async prune() {
    return 0;
  }
}

interface Lurkish {
  access: TwitchAccess;
  manager: EventSubManager;
  seen: DeepReadonly<EventSubNotification>[];
  /** everything received so far handed to the bus and delivered */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

let sim: Simulator;
let receiver: Server;
let callback: string;
/** the intake the webhook receiver hands to: the current "process"'s */
let current: EventSubIntake | undefined;

before(async () => {
  sim = await startSimulator({ channels: 400, live: 100 });
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const answer = await receiveWebhook(req.headers, Buffer.concat(chunks), { masterKey: MASTER_KEY, accept: (m) => current?.accept(m) ?? Promise.resolve(false), now: Date.now });
      if (answer.status === 200) res.writeHead(200, { 'content-type': 'text/plain' }).end(answer.text);
      else res.writeHead(answer.status).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  callback = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}${EVENTSUB_WEBHOOK_PATH}`;
});
after(async () => {
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  await sim.stop();
});

/** one "Lurk process": Twitch access against the simulator, its manager wired to an intake and a bus */
function start(options: { webSocketUrl?: string; keepaliveSeconds?: number } = {}): Lurkish {
  const bus = new InProcessBus(log);
  const { clientId, clientSecret } = credentials(sim);
  const access = new TwitchAccess({
    target: () => ({ endpoints: simulatorEndpoints(sim.address), clientId, clientSecret }),
    rateClock: new SystemClock(),
    clock: new SystemClock(),
    bus,
    log,
    metrics: createMetrics(),
  });
  access.start();
  const manager = options.webSocketUrl
    ? new EventSubManager({ log, helix: () => access.helix(), webSocketUrl: () => options.webSocketUrl!, ...(options.keepaliveSeconds ? { keepaliveSeconds: options.keepaliveSeconds } : {}) })
    : access.eventsub;
  const intake = new EventSubIntake({
    inbox: new MemoryInbox(),
    bus,
    log,
    counters: { notification() {}, unknown() {}, duplicate() {}, depth() {} },
    onRevocation: (s) => manager.onRevocation(s),
  });
  current = intake;
  manager.wire({ masterKey: MASTER_KEY, receive: (m) => intake.receive(m) });
  manager.setCallback(callback);
  const seen: DeepReadonly<EventSubNotification>[] = [];
  bus.subscribe('eventsub.notification', (n) => void seen.push(n));
  return {
    access,
    manager,
    seen,
    async settled() {
      await intake.idle();
      await bus.drain();
    },
    async stop() {
      await manager.stop();
      await access.stop();
      await intake.stop();
      await bus.close();
    },
  };
}

const simSubs = () => eventSubControl(sim)!.subscriptions();
const broadcaster = (i: number) => sim.world.userId(i);
const liveChannels = () => {
  const out: number[] = [];
  for (let c = 0; c < sim.world.channelCount; c++) if (sim.world.isLive(c)) out.push(c);
  return out;
};
/** a user token of channel `user` for Lurk's client id */
const userOf = (user: number) => ({ id: sim.world.userId(user), token: () => sim.auth.issueUser(credentials(sim).clientId, user, []).accessToken });

async function clearSubscriptions(): Promise<void> {
  const p = start();
  p.manager.declare('test', []);
  await p.manager.reconcile();
  await p.stop();
}

describe('reconciliation', () => {
  test('a restart creates no duplicate; an unwanted one is deleted, and only Lurk’s own', async () => {
    const [a, b] = [broadcaster(1), broadcaster(2)];
    const wants: SubscriptionWant[] = [
      { type: 'stream.online', condition: { broadcaster_user_id: a } },
      { type: 'stream.offline', condition: { broadcaster_user_id: b } },
    ];
    const first = start();
    try {
      first.manager.declare('test', wants);
      const made = await first.manager.reconcile();
      assert.equal(made.created, 2);
      await waitFor('both verified', () => simSubs().filter((s) => s.status === 'enabled').length === 2);
    } finally {
      await first.stop();
    }
    const second = start();
    try {
      // someone else's subscription on the same client, to another callback: not Lurk's to delete
      const foreign = await second.access.helix().post<{ data: { id: string }[] }>(
        'eventsub/subscriptions',
        {
          type: 'stream.online',
          version: '1',
          condition: { broadcaster_user_id: broadcaster(3) },
          transport: { method: 'webhook', callback: 'http://127.0.0.1:9/elsewhere', secret: 'someone-elses-secret' },
        },
        { priority: 'normal' },
      );
      second.manager.declare('test', wants);
      const again = await second.manager.reconcile();
      assert.deepEqual(again, { created: 0, deleted: 0, failed: 0 }, 'Helix already holds both');
      assert.deepEqual(
        second.manager.subscriptions().map((s) => s.state),
        ['enabled', 'enabled'],
      );
      second.manager.declare('test', [wants[0]!]);
      const trimmed = await second.manager.reconcile();
      assert.equal(trimmed.deleted, 1);
      const left = simSubs();
      assert.deepEqual(left.map((s) => `${s.type} ${s.condition.broadcaster_user_id}`).sort(), [`stream.online ${a}`, `stream.online ${broadcaster(3)}`]);
      assert.ok(left.some((s) => s.id === foreign.data[0]!.id));
      await second.access.helix().delete('eventsub/subscriptions', { id: foreign.data[0]!.id }, { priority: 'normal' });
    } finally {
      await second.stop();
      await clearSubscriptions();
    }
  });

  test('a revocation for good stays revoked; notification_failures_exceeded is made again', async () => {
    const p = start();
    try {
      p.manager.declare('test', [
        { type: 'channel.cheer', condition: { broadcaster_user_id: broadcaster(4) } },
        { type: 'channel.raid', condition: { to_broadcaster_user_id: broadcaster(4) } },
      ]);
      await p.manager.reconcile();
      await waitFor('both verified', () => simSubs().filter((s) => s.status === 'enabled').length === 2);
      const cheer = simSubs().find((s) => s.type === 'channel.cheer')!;
      const raid = simSubs().find((s) => s.type === 'channel.raid')!;
      assert.ok(eventSubControl(sim)!.revoke(cheer.id, 'authorization_revoked'));
      assert.ok(eventSubControl(sim)!.revoke(raid.id, 'notification_failures_exceeded'));
      await waitFor('the raid subscription made again', () => simSubs().some((s) => s.type === 'channel.raid' && s.status === 'enabled' && s.id !== raid.id));
      const states = Object.fromEntries(p.manager.subscriptions().map((s) => [s.type, s]));
      assert.equal(states['channel.cheer']!.state, 'revoked');
      assert.equal(states['channel.cheer']!.reason, 'authorization_revoked');
      const later = await p.manager.reconcile();
      assert.equal(later.created, 0, 'the revoked one is not made again');
      assert.equal(simSubs().filter((s) => s.type === 'channel.cheer' && s.status === 'enabled').length, 0);
      assert.equal(simSubs().filter((s) => s.type === 'channel.raid').length, 1, 'the failed raid subscription was deleted, not left beside the new one');
    } finally {
      await p.stop();
      await clearSubscriptions();
    }
  });

  test('a subscription over max_total_cost is reported, not retried in a loop', async () => {
    // WebSocket subscriptions of a user cost 1 each for channels that user is not, up to 10 (Twitch's limit)
    const p = start();
    const user = userOf(0);
    try {
      const wants: SubscriptionWant[] = [];
      for (let i = 1; i <= 11; i++) wants.push({ type: 'stream.online', condition: { broadcaster_user_id: broadcaster(i) }, transport: 'websocket', user });
      p.manager.declare('test', wants);
      const first = await p.manager.reconcile();
      assert.equal(first.created, 10);
      assert.equal(first.failed, 1);
      const failed = p.manager.subscriptions().filter((s) => s.state === 'failed');
      assert.equal(failed.length, 1);
      assert.match(failed[0]!.reason!, /cost/);
      const second = await p.manager.reconcile();
      assert.deepEqual(second, { created: 0, deleted: 0, failed: 0 });
      p.manager.declare('test', []);
      assert.equal((await p.manager.reconcile()).deleted, 10, 'wanted by nobody: deleted from the live session');
    } finally {
      await p.stop();
    }
  });
});

describe('without a public URL', () => {
  test('webhook-only wants are unavailable, and a want that names a user goes over WebSocket', async () => {
    const [channel] = liveChannels();
    const p = start();
    try {
      p.manager.setCallback(undefined);
      p.manager.declare('test', [
        { type: 'stream.online', condition: { broadcaster_user_id: broadcaster(5) } },
        { type: 'channel.update', condition: { broadcaster_user_id: broadcaster(channel!) }, user: userOf(channel!) },
      ]);
      await p.manager.reconcile();
      const states = Object.fromEntries(p.manager.subscriptions().map((s) => [s.type, s]));
      assert.equal(states['stream.online']!.state, 'unavailable');
      assert.match(states['stream.online']!.reason!, /LURK_PUBLIC_URL/);
      assert.equal(states['channel.update']!.transport, 'websocket');
      assert.equal(states['channel.update']!.state, 'enabled');
      const stats = p.manager.stats();
      assert.equal(stats.webhooks, false);
      assert.equal(stats.callback_url, null);
      assert.equal(stats.sockets, 1);
      p.manager.declare('test', []);
      await p.manager.reconcile();
      assert.equal(p.manager.stats().sockets, 0, 'a socket nobody needs is closed');
    } finally {
      await p.stop();
    }
  });
});

describe('EventSub over WebSocket', () => {
  test('session_reconnect keeps the subscriptions and loses no event; a session Twitch closes is replaced and its subscriptions made again', async () => {
    const [channel] = liveChannels();
    const p = start();
    try {
      p.manager.declare('test', [{ type: 'channel.update', condition: { broadcaster_user_id: broadcaster(channel!) }, transport: 'websocket', user: userOf(channel!) }]);
      await p.manager.reconcile();
      const before = simSubs().filter((s) => s.status === 'enabled');
      assert.equal(before.length, 1);
      const oldSession = eventSubControl(sim)!.sessions()[0]!.id;

      sim.world.trigger('channel.update', channel!);
      assert.equal(eventSubControl(sim)!.reconnectAll(), 1);
      sim.world.trigger('channel.update', channel!);
      await waitFor('the old session closed by Lurk', () => {
        const sessions = eventSubControl(sim)!.sessions();
        return sessions.length === 1 && sessions[0]!.id !== oldSession;
      });
      sim.world.trigger('channel.update', channel!);
      await waitFor('three notifications', () => p.seen.length >= 3);
      // a late duplicate would land after the third: wait for everything received to be delivered
      await p.settled();
      assert.equal(p.seen.length, 3);
      assert.ok(p.seen.every((n) => n.transport === 'websocket' && n.type === 'channel.update'));
      const afterReconnect = simSubs().filter((s) => s.status === 'enabled');
      assert.deepEqual(
        afterReconnect.map((s) => s.id),
        before.map((s) => s.id),
        'the same subscription, carried over',
      );
      assert.deepEqual(await p.manager.reconcile(), { created: 0, deleted: 0, failed: 0 });

      // Twitch closes the session (network error): its subscriptions are disabled, a new session gets new ones
      const session = eventSubControl(sim)!.sessions()[0]!.id;
      assert.ok(eventSubControl(sim)!.closeSession(session, 4006));
      await waitFor('a new session with the subscription made again', () => {
        const enabled = simSubs().filter((s) => s.status === 'enabled');
        return enabled.length === 1 && enabled[0]!.transport.method === 'websocket' && enabled[0]!.transport.session_id !== session;
      });
      await waitFor('the manager settled', () => p.manager.subscriptions()[0]!.state === 'enabled');
      sim.world.trigger('channel.update', channel!);
      await waitFor('the notification on the new session', () => p.seen.length >= 4);
      await waitFor('the disabled one deleted', () => simSubs().filter((s) => s.type === 'channel.update').length === 1);
    } finally {
      await p.stop();
    }
  });

  test('a session that falls silent past its keepalive window is replaced and its subscriptions restored', async () => {
    const [channel] = liveChannels();
    // a proxy between Lurk and the simulator that can swallow everything the simulator sends
    const silenced = new Set<Socket>();
    const open = new Set<Socket>();
    const proxy: TcpServer = createTcpServer((client) => {
      const upstream = connect(sim.address.port, '127.0.0.1');
      open.add(client).add(upstream);
      client.pipe(upstream);
      upstream.on('data', (d: Buffer) => {
        if (!silenced.has(client)) client.write(d);
      });
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('close', end).on('error', end);
      upstream.on('close', end).on('error', end);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const p = start({ webSocketUrl: `ws://127.0.0.1:${(proxy.address() as AddressInfo).port}/ws`, keepaliveSeconds: 10 });
    try {
      p.manager.declare('test', [{ type: 'channel.update', condition: { broadcaster_user_id: broadcaster(channel!) }, transport: 'websocket', user: userOf(channel!) }]);
      await p.manager.reconcile();
      const first = simSubs().find((s) => s.status === 'enabled')!;
      // from now on the existing connection hears nothing (new ones do)
      for (const s of open) silenced.add(s);
      await waitFor('a new subscription on a new session', () => simSubs().some((s) => s.status === 'enabled' && s.id !== first.id), 30_000);
      sim.world.trigger('channel.update', channel!);
      await waitFor('the notification on the new session', () => p.seen.length >= 1);
    } finally {
      await p.stop();
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });
});
