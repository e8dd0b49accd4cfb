// EventSub webhooks into a real Lurk over real sockets: signatures, freshness, the challenge,
// durable deduplication (across a restart, on SQLite and PostgreSQL), and the simulator's own
// deliveries under its duplicate and bad-signature faults.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openStore } from '../../src/store/database.js';
import { SqlEventSubInbox } from '../../src/store/eventsub.js';
import { signMessage } from '../../src/twitch/eventsub/verify.js';
import { waitFor } from '../helpers/app.js';
import { tempSqlite, withEachDialect } from '../helpers/db.js';
import { deliver, eventSubLurk, liveChannel, simPost, simSubscriptions } from './helpers.js';

describe('the signature (twitch-protocol.md §3.3)', () => {
  test("the protocol document's test vector verifies", () => {
    const body =
      '{"subscription":{"id":"ae2ff348-e102-16be-a3eb-6830c1bf38d2","status":"enabled","type":"channel.follow","version":"1","condition":{"broadcaster_user_id":"44429626"},"transport":{"method":"webhook","callback":"null"},"created_at":"2021-02-19T23:47:00.7621315Z"},"event":{"user_id":"28408015","user_login":"testFromUser","user_name":"testFromUser","broadcaster_user_id":"44429626","broadcaster_user_login":"44429626","broadcaster_user_name":"testBroadcaster"}}';
    assert.equal(Buffer.byteLength(body), 458);
    assert.equal(
      signMessage('secretabcd', 'ae2ff348-e102-16be-a3eb-6830c1bf38d2', '2021-02-19T23:47:00.8091512Z', Buffer.from(body)),
      'sha256=d10f5bd9474b7ac7bd7105eb79c2d52768b4d0cd2a135982c3bf5a1d59a78823',
    );
  });
});

describe('the webhook route', () => {
  test('a forged signature gets 403 and nothing reaches the bus; a stale one is refused; the challenge comes back as text/plain', async () => {
    const db = await tempSqlite();
    const { lurk, seen } = await eventSubLurk({ DATABASE_URL: db.url });
    try {
      const base = await lurk.start();
      const forged = await deliver(base, { secret: 'not-the-subscription-secret' });
      assert.equal(forged.status, 403);
      assert.equal(((await forged.json()) as { error: { code: string } }).error.code, 'forbidden');
      const stale = await deliver(base, { timestamp: new Date(Date.now() - 11 * 60_000).toISOString() });
      assert.equal(stale.status, 403);
      const noHeaders = await fetch(`${base}/eventsub/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(noHeaders.status, 400);

      const challenge = await deliver(base, { type: 'webhook_callback_verification', challenge: 'pogchamp-kappa-123' });
      assert.equal(challenge.status, 200);
      assert.equal(await challenge.text(), 'pogchamp-kappa-123');
      assert.match(challenge.headers.get('content-type') ?? '', /^text\/plain/);

      // a genuine delivery after them goes through, so the refusals above were the signatures' doing
      assert.equal((await deliver(base)).status, 204);
      await lurk.intake.idle();
      await waitFor('the genuine notification on the bus', () => seen.length === 1);
      assert.equal(seen[0]!.type, 'channel.update');
      assert.equal(seen[0]!.transport, 'webhook');
      const rejected = await lurk.metrics.eventsubRejected.get();
      assert.deepEqual(Object.fromEntries(rejected.values.map((v) => [v.labels.reason, v.value])), { signature: 1, stale: 1, headers: 1 });
    } finally {
      await lurk.stop();
      await db.drop();
    }
  });

  test('a message id is handed on once, also when it is delivered again after a restart', async (t) => {
    await withEachDialect(t, async ({ url }) => {
      const first = await eventSubLurk({ DATABASE_URL: url });
      let base: string;
      try {
        base = await first.lurk.start();
        assert.equal((await deliver(base, { id: 'message-1' })).status, 204);
        assert.equal((await deliver(base, { id: 'message-1' })).status, 204, 'a redelivery is acknowledged too, or Twitch would retry');
        await first.lurk.intake.idle();
        await waitFor('the first delivery on the bus', () => first.seen.length === 1);
        assert.equal(first.seen[0]!.messageId, 'message-1');
        assert.equal(first.lurk.intake.stats().duplicates, 1);
      } finally {
        await first.lurk.stop();
      }
      // what a crash between the 204 and the hand-on leaves: a row recorded, still queued
      const store = await openStore({ url });
      try {
        const body = JSON.stringify({
          subscription: { id: 's', type: 'stream.offline', version: '1', condition: { broadcaster_user_id: '7' }, status: 'enabled' },
          event: { broadcaster_user_id: '7', broadcaster_user_login: 'seven', broadcaster_user_name: 'Seven' },
        });
        const leftover = {
          messageId: 'left-over',
          kind: 'notification',
          transport: 'webhook',
          subscriptionId: 's',
          subscriptionType: 'stream.offline',
          subscriptionVersion: '1',
          sentAt: Date.now(),
          receivedAt: Date.now(),
          body,
        } as const;
        assert.ok(await new SqlEventSubInbox(store.db).accept(leftover));
      } finally {
        await store.close();
      }
      const second = await eventSubLurk({ DATABASE_URL: url });
      try {
        base = await second.lurk.start();
        assert.equal((await deliver(base, { id: 'message-1' })).status, 204);
        assert.equal((await deliver(base, { id: 'message-2' })).status, 204);
        await second.lurk.intake.idle();
        await waitFor('the new message on the bus', () => second.seen.length > 1);
        await second.lurk.bus.drain();
        assert.deepEqual(
          second.seen.map((n) => n.messageId),
          ['left-over', 'message-2'],
          'the leftover goes first; the message seen before the restart is not handed on again',
        );
      } finally {
        await second.lurk.stop();
      }
    });
  });

  test('a notification of a type Lurk does not read is counted and dropped, and the rest go on', async () => {
    const db = await tempSqlite();
    const { lurk, seen } = await eventSubLurk({ DATABASE_URL: db.url });
    try {
      const base = await lurk.start();
      assert.equal((await deliver(base, { subscription: { type: 'channel.ban', version: '1' }, event: { user_id: '1' } })).status, 204);
      assert.equal((await deliver(base, { id: 'after' })).status, 204);
      await lurk.intake.idle();
      await waitFor('the known notification', () => seen.length === 1);
      assert.equal(seen[0]!.messageId, 'after');
      assert.equal(lurk.intake.stats().unknown_types, 1);
    } finally {
      await lurk.stop();
      await db.drop();
    }
  });
});

describe('revocations', () => {
  test('a signed revocation through the route reaches the bus once and marks the wanted subscription revoked; a forged one changes nothing', async () => {
    const db = await tempSqlite();
    const { lurk } = await eventSubLurk({ DATABASE_URL: db.url });
    const revocations: { subscriptionId: string; status: string }[] = [];
    lurk.bus.subscribe('eventsub.revocation', (r) => void revocations.push({ subscriptionId: r.subscriptionId, status: r.status }));
    try {
      const base = await lurk.start();
      const channel = liveChannel(lurk);
      const manager = lurk.twitchAccess.eventsub;
      manager.declare('test', [{ type: 'channel.update', condition: { broadcaster_user_id: channel.id } }]);
      await manager.reconcile();
      const made = await waitFor('the subscription enabled', () => manager.subscriptions().find((s) => s.state === 'enabled'));
      const subscription = { id: made.subscription_id!, type: 'channel.update', version: '2', condition: { broadcaster_user_id: channel.id }, status: 'authorization_revoked' as const };

      const forged = await deliver(base, { type: 'revocation', subscription, secret: 'not-the-secret-at-all' });
      assert.equal(forged.status, 403);
      const id = 'revocation-1';
      assert.equal((await deliver(base, { id, type: 'revocation', subscription })).status, 204);
      assert.equal((await deliver(base, { id, type: 'revocation', subscription })).status, 204, 'a redelivery is answered too');
      await lurk.intake.idle();
      await lurk.bus.drain();
      assert.deepEqual(revocations, [{ subscriptionId: made.subscription_id, status: 'authorization_revoked' }]);
      const after = manager.subscriptions().find((s) => s.subscription_id === made.subscription_id || s.type === 'channel.update');
      assert.equal(after?.state, 'revoked');
      assert.match(after?.reason ?? '', /authorization_revoked/);
    } finally {
      await lurk.stop();
      await db.drop();
    }
  });
  test('a subscription Twitch revoked for good stays revoked until its user authorises Lurk again; then it is made anew, once', async () => {
    const db = await tempSqlite();
    const { lurk } = await eventSubLurk({ DATABASE_URL: db.url });
    try {
      const base = await lurk.start();
      const channel = liveChannel(lurk);
      const manager = lurk.twitchAccess.eventsub;
      manager.declare('test', [{ type: 'channel.update', condition: { broadcaster_user_id: channel.id } }]);
      await manager.reconcile();
      const made = await waitFor('the subscription enabled', () => manager.subscriptions().find((s) => s.state === 'enabled'));
      const sim = lurk.simulator!.address.httpUrl;
      const revoke = await fetch(`${sim}/_sim/eventsub/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ subscription_id: made.subscription_id, status: 'authorization_revoked' }),
      });
      assert.equal(revoke.status, 200, await revoke.text());
      await waitFor('the revocation read', () => manager.subscriptions().find((s) => s.state === 'revoked'));
      await manager.reconcile();
      assert.equal(manager.subscriptions()[0]!.state, 'revoked', 'declaring again or reconciling does not bring it back');
      manager.declare('test', [{ type: 'channel.update', condition: { broadcaster_user_id: channel.id } }]);
      await manager.reconcile();
      assert.equal(manager.subscriptions()[0]!.state, 'revoked');

      // the user was logged out meanwhile (nobody declares it), then logs in again and it is declared anew
      manager.release('test');
      manager.reauthorised(channel.id);
      manager.declare('test', [{ type: 'channel.update', condition: { broadcaster_user_id: channel.id } }]);
      await manager.reconcile();
      const renewed = await waitFor('made anew', () => manager.subscriptions().find((s) => s.state === 'enabled'));
      assert.notEqual(renewed.subscription_id, made.subscription_id);
      const listed = (await simSubscriptions(lurk)).filter((s) => s.type === 'channel.update');
      assert.deepEqual(
        listed.map((s) => s.id),
        [renewed.subscription_id],
        "the revoked one is gone from Twitch's list, one live one is left",
      );
      assert.ok(base);
    } finally {
      await lurk.stop();
      await db.drop();
    }
  });
});

describe("the simulator's webhook deliveries", () => {
  test('every triggered event reaches the bus exactly once, with forged and duplicated deliveries on', async () => {
    const db = await tempSqlite();
    const { lurk, seen } = await eventSubLurk({ DATABASE_URL: db.url });
    try {
      const base = await lurk.start();
      const channel = liveChannel(lurk);
      lurk.twitchAccess.eventsub.declare('test', [{ type: 'channel.update', condition: { broadcaster_user_id: channel.id } }]);
      await lurk.twitchAccess.eventsub.reconcile();
      await waitFor('the subscription verified', async () => (await simSubscriptions(lurk)).some((s) => s.type === 'channel.update' && s.status === 'enabled'));
      // the listing follows Twitch's status once the challenge has been answered
      const listing = await waitFor('the listing says enabled', async () => {
        const body = (await (await fetch(`${base}/api/eventsub/subscriptions`)).json()) as { callback_url: string; subscriptions: { state: string; owners: string[] }[] };
        return body.subscriptions[0]?.state === 'enabled' ? body : undefined;
      });
      assert.equal(listing.callback_url, `${base}/eventsub/webhook`);
      assert.deepEqual(listing.subscriptions[0]!.owners, ['test']);

      // every first attempt forged, every delivered notification sent twice
      await simPost(lurk, '/_sim/faults', { webhookBadSignatureRate: 1, webhookDuplicateRate: 1 });
      const triggered = 5;
      for (let i = 0; i < triggered; i++) await simPost(lurk, '/_sim/trigger', { type: 'channel.update', broadcaster_user_id: channel.id });
      await waitFor('the forged deliveries refused', async () => ((await lurk.metrics.eventsubRejected.get()).values.find((v) => v.labels.reason === 'signature')?.value ?? 0) >= triggered);
      assert.equal(seen.length, 0, 'nothing forged reaches the bus');
      // the retries are signed properly again
      await simPost(lurk, '/_sim/faults', { webhookBadSignatureRate: 0, webhookDuplicateRate: 1 });
      await waitFor('every event on the bus', () => seen.length >= triggered, 30_000);
      await waitFor('the duplicates acknowledged', () => lurk.intake.stats().duplicates >= triggered, 30_000);
      await lurk.intake.idle();
      await lurk.bus.drain();
      assert.equal(seen.length, triggered);
      assert.equal(new Set(seen.map((n) => n.messageId)).size, triggered);
      for (const n of seen) {
        assert.equal(n.type, 'channel.update');
        if (n.type === 'channel.update') assert.equal(n.event.broadcaster_user_id, channel.id);
      }
    } finally {
      await lurk.stop();
      await db.drop();
    }
  });
});
