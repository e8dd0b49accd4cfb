import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderBarChart } from '../../src/publish/chart.js';
import { DiscordPublisher } from '../../src/publish/discord.js';
import { PublishError } from '../../src/publish/types.js';
import { fakeServer, fileBytes, hungServer, isTimeoutFailure, sha256, type Received } from './fake-server.js';

const HOOK = '/api/webhooks/1234567890/s3cret-webhook-token';
const png = renderBarChart({ title: 'Top streamers', unit: 'h', items: [{ label: 'Pokémon fan', value: 99 }], width: 320, height: 180 });

/** Discord's execute-webhook endpoint: the token in the path is the credential. */
async function fakeDiscord(reply?: () => { status: number; json: unknown }) {
  return fakeServer((req: Received) => {
    if (req.method !== 'POST' || req.path !== HOOK) return { status: 401, json: { message: 'Invalid Webhook Token', code: 50027 } };
    if (reply) return reply();
    return { json: { id: '111222333', channel_id: '444', guild_id: '555', content: 'ignored' } };
  });
}

test('publish posts multipart with payload_json and the PNG as files[0], waiting for the message', async (t) => {
  const server = await fakeDiscord();
  t.after(() => server.close());
  const discord = new DiscordPublisher({ webhookUrl: `${server.url}${HOOK}?thread_id=9` });
  const ref = await discord.publish({ key: 'streamers', day: '2026-11-21', text: "Top streamer: @everyone's favourite, 99 h", image: { png, alt: 'Bar chart; Pokémon fan 99 h' } });
  assert.deepEqual(ref, { id: '111222333', url: 'https://discord.com/channels/555/444/111222333' });

  const [req] = server.received;
  assert.equal(req!.query.get('wait'), 'true');
  assert.equal(req!.query.get('thread_id'), '9', 'query parameters already in the webhook URL survive');
  const form = await req!.form();
  assert.deepEqual(JSON.parse(String(form.get('payload_json'))), {
    content: "Top streamer: @everyone's favourite, 99 h",
    allowed_mentions: { parse: [] },
    attachments: [{ id: 0, filename: 'streamers.png', description: 'Bar chart; Pokémon fan 99 h' }],
  });
  const file = form.get('files[0]') as File;
  assert.equal(file.name, 'streamers.png');
  assert.equal(file.type, 'image/png');
  assert.equal(sha256(await fileBytes(form, 'files[0]')), sha256(png));
});

test('a post without an image sends no file', async (t) => {
  const server = await fakeDiscord();
  t.after(() => server.close());
  await new DiscordPublisher({ webhookUrl: `${server.url}${HOOK}` }).publish({ key: 'random-game', text: 'Try Celeste' });
  const form = await server.received[0]!.form();
  assert.equal(form.get('files[0]'), null);
  assert.deepEqual(JSON.parse(String(form.get('payload_json'))).attachments, []);
});

test('a wrong webhook token is non-retryable, and the message never contains the webhook URL', async (t) => {
  const server = await fakeDiscord();
  t.after(() => server.close());
  await assert.rejects(new DiscordPublisher({ webhookUrl: `${server.url}/api/webhooks/1234567890/wrong-token` }).publish({ key: 'games', text: 'hi' }), (e: unknown) => {
    assert.ok(e instanceof PublishError);
    assert.deepEqual([e.publisher, e.retryable, e.status], ['discord', false, 401]);
    assert.equal(e.message, 'discord: credentials rejected (HTTP 401): Invalid Webhook Token');
    return true;
  });
});

test('429 is retryable and carries retry_after; 503 and an unreachable host are retryable', async (t) => {
  const limited = await fakeDiscord(() => ({ status: 429, json: { message: 'You are being rate limited.', retry_after: 1.5, global: false } }));
  t.after(() => limited.close());
  await assert.rejects(new DiscordPublisher({ webhookUrl: `${limited.url}${HOOK}` }).publish({ key: 'games', text: 'hi' }), (e: unknown) => {
    assert.ok(e instanceof PublishError);
    assert.deepEqual([e.retryable, e.status, e.retryAfterMs], [true, 429, 1500]);
    return true;
  });
  const down = await fakeDiscord(() => ({ status: 503, json: { message: 'upstream' } }));
  t.after(() => down.close());
  await assert.rejects(new DiscordPublisher({ webhookUrl: `${down.url}${HOOK}` }).publish({ key: 'games', text: 'hi' }), (e: unknown) => e instanceof PublishError && e.retryable && e.status === 503);
  const gone = await fakeServer(() => ({}));
  await gone.close();
  await assert.rejects(new DiscordPublisher({ webhookUrl: `${gone.url}${HOOK}` }).publish({ key: 'games', text: 'hi' }), (e: unknown) => {
    assert.ok(e instanceof PublishError && e.retryable);
    assert.doesNotMatch(e.message, /s3cret/);
    return true;
  });
});

// A bounded wait: without a deadline the post would hang (undici gives up after 5 minutes), and the test's own timeout fails it.
test('a webhook that accepts and never answers, or stalls after its headers, fails with a retryable timeout', { timeout: 10_000 }, async (t) => {
  for (const headers of [false, true]) {
    const server = await hungServer({ headers });
    t.after(() => server.close());
    const discord = new DiscordPublisher({ webhookUrl: `${server.url}${HOOK}`, timeoutMs: 200 });
    await assert.rejects(discord.publish({ key: 'games', text: 'hi' }), isTimeoutFailure('discord'));
    assert.equal(server.received.length, 1);
  }
});
