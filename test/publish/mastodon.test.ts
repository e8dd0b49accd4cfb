import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderBarChart } from '../../src/publish/chart.js';
import { htmlToText, MastodonPublisher } from '../../src/publish/mastodon.js';
import { PublishError } from '../../src/publish/types.js';
import { fakeServer, fileBytes, hungServer, isTimeoutFailure, sha256, type Received } from './fake-server.js';

const TOKEN = 'mastodon-token-abc';
const png = renderBarChart({ title: 'Top games', unit: 'h', items: [{ label: 'Pokémon', value: 678 }], width: 320, height: 180 });

function status(id: string, acct: string, content: string, visibility = 'public') {
  return { id, url: `https://example.social/@${acct}/${id}`, content, created_at: `2026-11-22T10:00:0${id.slice(-1)}.000Z`, visibility, account: { acct } };
}

/** A Mastodon instance with the endpoints the publisher uses; refuses anything without the right token. */
async function fakeMastodon(options: { mediaStatus?: number } = {}) {
  const notifications = [
    {
      id: '100',
      type: 'mention',
      status: status(
        '9000000000000000001',
        'alice@example.social',
        '<p><span class="h-card"><a href="https://x/@lurk" class="u-url mention">@<span>lurk</span></a></span> what&#39;s the top game &amp; why?</p>',
      ),
    },
    { id: '101', type: 'favourite', status: status('9000000000000000002', 'bob', '<p>liked</p>') },
    { id: '102', type: 'mention', status: status('9000000000000000003', 'carol', '<p>@lurk Pokémon?<br>Line two</p>', 'direct') },
  ];
  let statuses = 0;
  let mediaChecks = 0;
  const server = await fakeServer(async (req: Received) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return { status: 401, json: { error: 'The access token is invalid' } };
    if (req.method === 'POST' && req.path === '/api/v2/media') {
      const form = await req.form();
      assert.ok((await fileBytes(form, 'file')).length > 0);
      const pending = options.mediaStatus === 202;
      return { status: options.mediaStatus ?? 200, json: { id: '555', type: 'image', url: pending ? null : 'https://files/555.png', description: form.get('description') } };
    }
    if (req.method === 'GET' && req.path === '/api/v1/media/555') {
      mediaChecks++;
      return mediaChecks < 2 ? { status: 206, json: { id: '555', url: null } } : { json: { id: '555', url: 'https://files/555.png' } };
    }
    if (req.method === 'POST' && req.path === '/api/v1/statuses') {
      statuses++;
      return { json: { id: `70${statuses}`, url: `https://example.social/@lurk/70${statuses}` } };
    }
    if (req.method === 'GET' && req.path === '/api/v1/notifications') {
      const types = req.query.getAll('types[]');
      const min = req.query.get('min_id');
      const newer = notifications.filter((n) => (types.length === 0 || types.includes(n.type)) && (!min || BigInt(n.id) > BigInt(min)));
      return { json: newer.reverse() }; // newest first, like Mastodon
    }
    return { status: 404, json: { error: 'Record not found' } };
  });
  return { server, notifications };
}

test('publish uploads the PNG with its alt text, then posts a status naming the media, with an idempotency key', async (t) => {
  const { server } = await fakeMastodon();
  t.after(() => server.close());
  const mastodon = new MastodonPublisher({ baseUrl: server.url + '/', accessToken: TOKEN });
  const post = { key: 'games', day: '2026-11-21', text: "Yesterday's top game: Baldur's Gate 3", image: { png, alt: 'Bar chart of hours watched; Pokémon 678 h' } };

  const ref = await mastodon.publish(post);
  assert.deepEqual(ref, { id: '701', url: 'https://example.social/@lurk/701' });
  const [upload, create] = server.received;
  assert.equal(upload!.path, '/api/v2/media');
  const form = await upload!.form();
  assert.equal(sha256(await fileBytes(form, 'file')), sha256(png));
  assert.equal((form.get('file') as File).type, 'image/png');
  assert.equal(form.get('description'), 'Bar chart of hours watched; Pokémon 678 h');
  assert.equal(create!.path, '/api/v1/statuses');
  assert.deepEqual(create!.json(), { status: "Yesterday's top game: Baldur's Gate 3", media_ids: ['555'], visibility: 'public' });

  // A retry of the same post and day carries the same key (Mastodon then returns the first status); another day another key.
  await mastodon.publish(post);
  await mastodon.publish({ ...post, day: '2026-11-22' });
  const keys = server.received.filter((r) => r.path === '/api/v1/statuses').map((r) => r.headers['idempotency-key']);
  assert.equal(keys.length, 3);
  assert.match(String(keys[0]), /^[0-9a-f]{64}$/);
  assert.equal(keys[0], keys[1]);
  assert.notEqual(keys[0], keys[2]);
});

test('an upload still processing (202) is polled until it has a url before the status names it', async (t) => {
  const { server } = await fakeMastodon({ mediaStatus: 202 });
  t.after(() => server.close());
  const mastodon = new MastodonPublisher({ baseUrl: server.url, accessToken: TOKEN, mediaPollMs: 1 });
  await mastodon.publish({ key: 'games', text: 'hi', image: { png, alt: 'alt' } });
  assert.deepEqual(
    server.received.map((r) => `${r.method} ${r.path}`),
    ['POST /api/v2/media', 'GET /api/v1/media/555', 'GET /api/v1/media/555', 'POST /api/v1/statuses'],
  );
});

test('a wrong token is a non-retryable PublishError that does not repeat the token', async (t) => {
  const { server } = await fakeMastodon();
  t.after(() => server.close());
  const mastodon = new MastodonPublisher({ baseUrl: server.url, accessToken: 'wrong-secret-token' });
  await assert.rejects(mastodon.publish({ key: 'games', text: 'hi' }), (e: unknown) => {
    assert.ok(e instanceof PublishError);
    assert.equal(e.retryable, false);
    assert.equal(e.status, 401);
    assert.equal(e.publisher, 'mastodon');
    assert.match(e.message, /mastodon: credentials rejected \(HTTP 401\): The access token is invalid/);
    assert.doesNotMatch(e.message, /wrong-secret-token/);
    return true;
  });
});

test('a 503 and an unreachable instance are retryable', async (t) => {
  const server = await fakeServer(() => ({ status: 503, json: { error: 'Service Unavailable' }, headers: { 'retry-after': '30' } }));
  t.after(() => server.close());
  await assert.rejects(new MastodonPublisher({ baseUrl: server.url, accessToken: TOKEN }).publish({ key: 'games', text: 'hi' }), (e: unknown) => {
    assert.ok(e instanceof PublishError && e.retryable && e.status === 503);
    assert.equal(e.retryAfterMs, 30_000);
    return true;
  });
  const gone = await fakeServer(() => ({}));
  await gone.close();
  await assert.rejects(
    new MastodonPublisher({ baseUrl: gone.url, accessToken: TOKEN }).publish({ key: 'games', text: 'hi' }),
    (e: unknown) => e instanceof PublishError && e.retryable && e.status === undefined,
  );
});

test('mentions come oldest first as plain text; the second poll passes the cursor and gets only newer ones', async (t) => {
  const { server, notifications } = await fakeMastodon();
  t.after(() => server.close());
  const mastodon = new MastodonPublisher({ baseUrl: server.url, accessToken: TOKEN });

  const first = await mastodon.fetchMentions(undefined);
  assert.deepEqual(
    first.mentions.map((m) => [m.id, m.author, m.text]),
    [
      ['9000000000000000001', 'alice@example.social', "@lurk what's the top game & why?"],
      ['9000000000000000003', 'carol', '@lurk Pokémon?\nLine two'],
    ],
  );
  assert.equal(first.cursor, '102');
  assert.deepEqual(server.received[0]!.query.getAll('types[]'), ['mention']);
  assert.equal(server.received[0]!.query.get('min_id'), null);

  notifications.push({ id: '103', type: 'mention', status: status('9000000000000000004', 'dave', '<p>@lurk and today?</p>') });
  const second = await mastodon.fetchMentions(first.cursor);
  assert.equal(server.received[1]!.query.get('min_id'), '102');
  assert.deepEqual(
    second.mentions.map((m) => m.text),
    ['@lurk and today?'],
  );
  assert.equal(second.cursor, '103');

  const third = await mastodon.fetchMentions(second.cursor);
  assert.deepEqual(third, { mentions: [], cursor: '103' });
});

test('reply answers the mentioned status, addressed to its author, keeping a direct message direct', async (t) => {
  const { server } = await fakeMastodon();
  t.after(() => server.close());
  const mastodon = new MastodonPublisher({ baseUrl: server.url, accessToken: TOKEN });
  const { mentions } = await mastodon.fetchMentions(undefined);

  await mastodon.reply(mentions[0]!, 'Just Chatting, 1,234,567 h.');
  await mastodon.reply(mentions[1]!, 'Yes: 678 h.');
  const [toAlice, toCarol] = server.received.filter((r) => r.path === '/api/v1/statuses').map((r) => r.json());
  assert.deepEqual(toAlice, { status: '@alice@example.social Just Chatting, 1,234,567 h.', in_reply_to_id: '9000000000000000001', visibility: 'unlisted' });
  assert.deepEqual(toCarol, { status: '@carol Yes: 678 h.', in_reply_to_id: '9000000000000000003', visibility: 'direct' });
  await assert.rejects(mastodon.reply({ ...mentions[0]!, replyTo: { uri: 'at://x' } }, 'x'), (e: unknown) => e instanceof PublishError && !e.retryable);
});

test('htmlToText decodes entities and keeps paragraph breaks', () => {
  assert.equal(htmlToText('<p>a &lt;b&gt; &quot;c&quot; &#x27;d&#39;</p><p>e</p>'), `a <b> "c" 'd'\n\ne`);
});

test('an instance that accepts and never answers fails each call with a retryable timeout; a job abort still wins', { timeout: 10_000 }, async (t) => {
  const server = await hungServer();
  t.after(() => server.close());
  const mastodon = new MastodonPublisher({ baseUrl: server.url, accessToken: TOKEN, timeoutMs: 200 });
  await assert.rejects(mastodon.publish({ key: 'games', day: '2026-11-21', text: 'hi', image: { png, alt: 'a' } }), isTimeoutFailure('mastodon'));
  await assert.rejects(mastodon.fetchMentions(undefined), isTimeoutFailure('mastodon'));
  const stalled = await hungServer({ headers: true });
  t.after(() => stalled.close());
  await assert.rejects(new MastodonPublisher({ baseUrl: stalled.url, accessToken: TOKEN, timeoutMs: 200 }).publish({ key: 'games', text: 'hi' }), isTimeoutFailure('mastodon'));
  // shutdown: the job's signal aborts the call with its own reason, not as a timeout
  const job = new AbortController();
  const slow = new MastodonPublisher({ baseUrl: server.url, accessToken: TOKEN, timeoutMs: 60_000 });
  const pending = slow.publish({ key: 'games', text: 'hi' }, job.signal);
  setTimeout(() => job.abort(new Error('shutting down')), 50);
  await assert.rejects(pending, /shutting down/);
});
