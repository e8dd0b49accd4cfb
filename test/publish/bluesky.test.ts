import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { BlueskyPublisher } from '../../src/publish/bluesky.js';
import { renderBarChart } from '../../src/publish/chart.js';
import { PublishError } from '../../src/publish/types.js';
import { fakeServer, hungServer, isTimeoutFailure, sha256, type Received } from './fake-server.js';

const DID = 'did:plc:lurkdigestbot';
const png = renderBarChart({ title: 'Top games', unit: 'h', items: [{ label: "Baldur's Gate 3", value: 12345 }], width: 320, height: 180 });

/** A CIDv1 (sha2-256, base32) as a PDS would compute it; the client validates CIDs, so they must be real. */
function cid(bytes: Buffer | string, codec = 0x55): string {
  const digest = createHash('sha256').update(bytes).digest();
  const raw = Buffer.concat([Buffer.from([0x01, codec, 0x12, 0x20]), digest]);
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let bits = 0;
  let value = 0;
  let out = 'b';
  for (const byte of raw) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

function jwt(n: number): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: DID, scope: 'com.atproto.appPass', n })}.c2lnbmF0dXJl`;
}

interface Note {
  uri: string;
  cid: string;
  reason: string;
  author: { did: string; handle: string };
  record: Record<string, unknown>;
  isRead: boolean;
  indexedAt: string;
}

function note(n: number, reason: string, handle: string, text: string, reply?: { root: { uri: string; cid: string } }): Note {
  const uri = `at://did:plc:${handle.split('.')[0]}/app.bsky.feed.post/3kpost${n}`;
  const at = `2026-11-22T10:00:${String(n).padStart(2, '0')}.000Z`;
  const record = { $type: 'app.bsky.feed.post', text, createdAt: at, ...(reply ? { reply: { root: reply.root, parent: reply.root } } : {}) };
  return { uri, cid: cid(uri, 0x71), reason, author: { did: `did:plc:${handle.split('.')[0]}`, handle }, record, isRead: false, indexedAt: at };
}

/** A PDS with the four xrpc methods the publisher uses. Tokens are checked; `expire()` makes the current one stale. */
async function fakePds(options: { pageSize?: number; uploadStatus?: number; hang?: string } = {}) {
  let logins = 0;
  let valid: string | undefined;
  let records = 0;
  const notifications: Note[] = []; // oldest first; served newest first
  const server = await fakeServer((req: Received) => {
    const method = req.path.replace('/xrpc/', '');
    if (method === options.hang) return new Promise<never>(() => undefined);
    if (method === 'com.atproto.server.createSession') {
      const { identifier, password } = req.json();
      if (identifier !== 'lurk.test' || password !== 'app-pass-1234') return { status: 401, json: { error: 'AuthenticationRequired', message: 'Invalid identifier or password' } };
      valid = jwt(++logins);
      return { json: { accessJwt: valid, refreshJwt: jwt(1000 + logins), handle: 'lurk.test', did: DID, active: true } };
    }
    if (method === 'com.atproto.server.refreshSession') return { status: 501, json: { error: 'MethodNotImplemented', message: 'no refresh here' } };
    if (req.headers.authorization !== `Bearer ${valid}`) {
      return req.headers.authorization
        ? { status: 400, json: { error: 'ExpiredToken', message: 'Token has expired' } }
        : { status: 401, json: { error: 'AuthenticationRequired', message: 'Authentication Required' } };
    }
    if (method === 'com.atproto.repo.uploadBlob') {
      if (options.uploadStatus) return { status: options.uploadStatus, json: { error: 'InternalServerError', message: 'down' } };
      return { json: { blob: { $type: 'blob', ref: { $link: cid(req.body) }, mimeType: String(req.headers['content-type']), size: req.body.length } } };
    }
    if (method === 'com.atproto.repo.createRecord') {
      const rkey = `3kdigest${++records}`;
      const uri = `at://${DID}/app.bsky.feed.post/${rkey}`;
      return { json: { uri, cid: cid(JSON.stringify(req.json()), 0x71) } };
    }
    if (method === 'app.bsky.notification.listNotifications') {
      const reasons = req.query.getAll('reasons');
      const newestFirst = notifications.filter((n) => reasons.length === 0 || reasons.includes(n.reason)).reverse();
      const start = Number(req.query.get('cursor') ?? 0);
      const size = Math.min(Number(req.query.get('limit') ?? 50), options.pageSize ?? 50);
      const page = newestFirst.slice(start, start + size);
      return { json: { notifications: page, ...(start + size < newestFirst.length ? { cursor: String(start + size) } : {}) } };
    }
    return { status: 404, json: { error: 'XRPCNotSupported', message: method } };
  });
  return { server, notifications, expire: () => (valid = 'expired'), logins: () => logins };
}

const calls = (received: Received[]) => received.map((r) => r.path.replace('/xrpc/', ''));

test('publish logs in once, uploads the PNG as a blob and posts it with alt text and aspect ratio', async (t) => {
  const pds = await fakePds();
  t.after(() => pds.server.close());
  const bluesky = new BlueskyPublisher({ service: pds.server.url, identifier: 'lurk.test', appPassword: 'app-pass-1234' });

  const ref = await bluesky.publish({
    key: 'games',
    text: "Top game yesterday: Baldur's Gate 3, 12,345 h. Pokémon next. https://lurk.example/d/1",
    image: { png, alt: "Bar chart: Baldur's Gate 3, 12,345 h" },
  });
  assert.equal(ref.id, `at://${DID}/app.bsky.feed.post/3kdigest1`);
  assert.equal(ref.url, `https://bsky.app/profile/${DID}/post/3kdigest1`);
  assert.deepEqual(calls(pds.server.received), ['com.atproto.server.createSession', 'com.atproto.repo.uploadBlob', 'com.atproto.repo.createRecord']);

  const [, upload, create] = pds.server.received;
  assert.equal(upload!.headers['content-type'], 'image/png');
  assert.equal(sha256(upload!.body), sha256(png));
  const { repo, collection, record } = create!.json();
  assert.equal(repo, DID);
  assert.equal(collection, 'app.bsky.feed.post');
  assert.equal(record.text, "Top game yesterday: Baldur's Gate 3, 12,345 h. Pokémon next. https://lurk.example/d/1");
  assert.ok(!Number.isNaN(Date.parse(record.createdAt)));
  assert.equal(record.embed.$type, 'app.bsky.embed.images');
  assert.deepEqual(record.embed.images, [
    { image: { $type: 'blob', ref: { $link: cid(png) }, mimeType: 'image/png', size: png.length }, alt: "Bar chart: Baldur's Gate 3, 12,345 h", aspectRatio: { width: 320, height: 180 } },
  ]);
  assert.equal(record.facets?.[0]?.features?.[0]?.uri, 'https://lurk.example/d/1', 'the link is a facet');

  // The session is reused: a second post does not log in again.
  await bluesky.publish({ key: 'streamers', text: 'x'.repeat(400) });
  assert.equal(pds.logins(), 1);
  const long = pds.server.received.at(-1)!.json().record;
  assert.equal([...long.text].length, 300, 'cut to the 300-grapheme limit');
  assert.equal(long.embed, undefined);
});

test('a refused session (expired, refresh unavailable) logs in again and the post still goes out once', async (t) => {
  const pds = await fakePds();
  t.after(() => pds.server.close());
  const bluesky = new BlueskyPublisher({ service: pds.server.url, identifier: 'lurk.test', appPassword: 'app-pass-1234' });
  await bluesky.publish({ key: 'games', text: 'one' });
  pds.expire();
  const ref = await bluesky.publish({ key: 'games', text: 'two' });
  assert.equal(pds.logins(), 2);
  assert.equal(ref.id, `at://${DID}/app.bsky.feed.post/3kdigest2`, 'the server created exactly two records');
  const attempts = pds.server.received.filter((r) => r.path.endsWith('createRecord')).map((r) => r.json().record.text);
  assert.deepEqual(attempts, ['one', 'two', 'two'], 'one refused attempt, then the retry');
});

test('wrong credentials are a non-retryable PublishError; a 503 is retryable', async (t) => {
  const pds = await fakePds({ uploadStatus: 503 });
  t.after(() => pds.server.close());
  const wrong = new BlueskyPublisher({ service: pds.server.url, identifier: 'lurk.test', appPassword: 'not-the-password' });
  await assert.rejects(wrong.publish({ key: 'games', text: 'hi' }), (e: unknown) => {
    assert.ok(e instanceof PublishError);
    assert.deepEqual([e.publisher, e.retryable, e.status], ['bluesky', false, 401]);
    assert.match(e.message, /^bluesky: login rejected/);
    assert.doesNotMatch(e.message, /not-the-password/);
    return true;
  });
  const right = new BlueskyPublisher({ service: pds.server.url, identifier: 'lurk.test', appPassword: 'app-pass-1234' });
  await assert.rejects(right.publish({ key: 'games', text: 'hi', image: { png, alt: 'a' } }), (e: unknown) => e instanceof PublishError && e.retryable && e.status === 503);
  const gone = await fakeServer(() => ({}));
  await gone.close();
  const unreachable = new BlueskyPublisher({ service: gone.url, identifier: 'lurk.test', appPassword: 'app-pass-1234' });
  await assert.rejects(unreachable.publish({ key: 'games', text: 'hi' }), (e: unknown) => e instanceof PublishError && e.retryable && e.status === undefined);
});

test('mentions: only mentions, oldest first; the next poll with the cursor pages back just far enough for newer ones', async (t) => {
  const pds = await fakePds({ pageSize: 2 });
  t.after(() => pds.server.close());
  const bluesky = new BlueskyPublisher({ service: pds.server.url, identifier: 'lurk.test', appPassword: 'app-pass-1234' });
  pds.notifications.push(note(1, 'mention', 'alice.example.com', '@lurk.test top game?'), note(2, 'mention', 'bob.example.com', "@lurk.test what's up with Pokémon?"));

  const first = await bluesky.fetchMentions(undefined);
  assert.deepEqual(
    first.mentions.map((m) => [m.author, m.text]),
    [
      ['alice.example.com', '@lurk.test top game?'],
      ['bob.example.com', "@lurk.test what's up with Pokémon?"],
    ],
  );
  assert.equal(first.cursor, '2026-11-22T10:00:02.000Z');
  const list = pds.server.received.find((r) => r.path.endsWith('listNotifications'))!;
  assert.deepEqual(list.query.getAll('reasons'), ['mention']);

  const root = { uri: 'at://did:plc:carol/app.bsky.feed.post/3kroot', cid: cid('root', 0x71) };
  pds.notifications.push(
    note(3, 'like', 'dave.example.com', ''),
    note(4, 'mention', 'carol.example.com', '@lurk.test in a thread', { root }),
    note(5, 'mention', 'erin.example.com', '@lurk.test five'),
    note(6, 'mention', 'frank.example.com', '@lurk.test six'),
  );
  const before = pds.server.received.length;
  const second = await bluesky.fetchMentions(first.cursor);
  assert.deepEqual(
    second.mentions.map((m) => m.text),
    ['@lurk.test in a thread', '@lurk.test five', '@lurk.test six'],
  );
  assert.equal(second.cursor, '2026-11-22T10:00:06.000Z');
  assert.deepEqual(
    pds.server.received.slice(before).map((r) => r.query.get('cursor')),
    [null, '2'],
    'two pages: the second reaches the cursor',
  );

  assert.deepEqual(await bluesky.fetchMentions(second.cursor), { mentions: [], cursor: second.cursor });
});

test("reply posts into the mention's thread: root kept from the thread, parent the mention itself", async (t) => {
  const pds = await fakePds();
  t.after(() => pds.server.close());
  const bluesky = new BlueskyPublisher({ service: pds.server.url, identifier: 'lurk.test', appPassword: 'app-pass-1234' });
  const root = { uri: 'at://did:plc:carol/app.bsky.feed.post/3kroot', cid: cid('root', 0x71) };
  const inThread = note(1, 'mention', 'carol.example.com', '@lurk.test in a thread', { root });
  const topLevel = note(2, 'mention', 'alice.example.com', '@lurk.test hi');
  pds.notifications.push(inThread, topLevel);
  const { mentions } = await bluesky.fetchMentions(undefined);

  const ref = await bluesky.reply(mentions[0]!, 'Just Chatting, 1,234,567 h.');
  assert.match(ref.id, /^at:\/\/did:plc:lurkdigestbot\/app\.bsky\.feed\.post\//);
  await bluesky.reply(mentions[1]!, 'Hello!');
  const [a, b] = pds.server.received.filter((r) => r.path.endsWith('createRecord')).map((r) => r.json().record);
  assert.equal(a.text, 'Just Chatting, 1,234,567 h.');
  assert.deepEqual(a.reply, { root, parent: { uri: inThread.uri, cid: inThread.cid } });
  assert.deepEqual(b.reply, { root: { uri: topLevel.uri, cid: topLevel.cid }, parent: { uri: topLevel.uri, cid: topLevel.cid } });
  await assert.rejects(bluesky.reply({ ...mentions[0]!, replyTo: { statusId: '1' } }, 'x'), (e: unknown) => e instanceof PublishError && !e.retryable);
});

test('a PDS that never answers the login, a post or a notifications read fails with a retryable timeout', { timeout: 10_000 }, async (t) => {
  const hung = await hungServer();
  t.after(() => hung.close());
  await assert.rejects(
    new BlueskyPublisher({ service: hung.url, identifier: 'lurk.test', appPassword: 'app-pass-1234', timeoutMs: 200 }).publish({ key: 'games', text: 'hi' }),
    isTimeoutFailure('bluesky'),
  );
  for (const hang of ['com.atproto.repo.createRecord', 'app.bsky.notification.listNotifications']) {
    const pds = await fakePds({ hang });
    t.after(() => pds.server.close());
    const bluesky = new BlueskyPublisher({ service: pds.server.url, identifier: 'lurk.test', appPassword: 'app-pass-1234', timeoutMs: 200 });
    await assert.rejects(hang.endsWith('createRecord') ? bluesky.publish({ key: 'games', text: 'hi' }) : bluesky.fetchMentions(undefined), isTimeoutFailure('bluesky'));
    assert.equal(pds.logins(), 1, 'the login answered; the hung call timed out');
  }
});
