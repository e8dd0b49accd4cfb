import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { renderBarChart } from '../../src/publish/chart.js';
import { PublishError } from '../../src/publish/types.js';
import { XPublisher } from '../../src/publish/x.js';
import { fakeServer, hungServer, isTimeoutFailure, multipartParts, sha256, type Received } from './fake-server.js';

const KEYS = { apiKey: 'consumer-key', apiSecret: 'consumer-secret!*', accessToken: '1-access-token', accessSecret: 'access secret' };
const MEDIA_ID = '1880000000000000001';
const png = renderBarChart({ title: 'Top games', unit: 'h', items: [{ label: "Baldur's Gate 3", value: 12345 }], width: 320, height: 180 });

/** RFC 3986 encoding, as OAuth 1.0a (RFC 5849 §3.6) requires. */
const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Checks an OAuth 1.0a HMAC-SHA1 Authorization header the way X does, independently of the client library. */
function verifyOAuth(req: Received, consumerSecret: string, tokenSecret: string): Record<string, string> | undefined {
  const header = String(req.headers.authorization ?? '');
  if (!header.startsWith('OAuth ')) return undefined;
  const oauth: Record<string, string> = {};
  for (const m of header.slice(6).matchAll(/([\w%]+)="([^"]*)"/g)) oauth[decodeURIComponent(m[1]!)] = decodeURIComponent(m[2]!);
  const params: [string, string][] = Object.entries(oauth).filter(([k]) => k !== 'oauth_signature');
  for (const [k, v] of req.query) params.push([k, v]);
  if (String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) for (const [k, v] of new URLSearchParams(req.body.toString())) params.push([k, v]);
  const normalized = params
    .map(([k, v]) => [enc(k), enc(v)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const base = [req.method, enc(`http://${req.headers.host}${req.path}`), enc(normalized)].join('&');
  const expected = createHmac('sha1', `${enc(consumerSecret)}&${enc(tokenSecret)}`)
    .update(base)
    .digest('base64');
  return expected === oauth.oauth_signature && oauth.oauth_signature_method === 'HMAC-SHA1' ? oauth : undefined;
}

/** api.x.com's v2 media upload (initialize / append / finalize), media metadata and tweets, behind OAuth 1.0a. */
async function fakeX(options: { tweetStatus?: number } = {}) {
  const verified: string[] = [];
  const server = await fakeServer((req: Received) => {
    const oauth = verifyOAuth(req, KEYS.apiSecret, KEYS.accessSecret);
    if (!oauth || oauth.oauth_consumer_key !== KEYS.apiKey || oauth.oauth_token !== KEYS.accessToken) {
      return { status: 401, json: { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' } };
    }
    verified.push(`${req.method} ${req.path}`);
    if (req.path === '/2/media/upload/initialize') return { json: { data: { id: MEDIA_ID, media_key: `3_${MEDIA_ID}`, expires_after_secs: 86400 } } };
    if (req.path === `/2/media/upload/${MEDIA_ID}/append`) return { json: { data: { expires_at: 1_900_000_000 } } };
    if (req.path === `/2/media/upload/${MEDIA_ID}/finalize`) return { json: { data: { id: MEDIA_ID, media_key: `3_${MEDIA_ID}`, size: png.length, expires_after_secs: 86400 } } };
    if (req.path === '/2/media/metadata') return { json: { data: { id: MEDIA_ID, associated_metadata: req.json().metadata } } };
    if (req.path === '/2/tweets') {
      if (options.tweetStatus) return { status: options.tweetStatus, json: { title: 'Service Unavailable', detail: 'Service Unavailable', type: 'about:blank', status: options.tweetStatus } };
      return { status: 201, json: { data: { id: '1990000000000000001', text: req.json().text } } };
    }
    return { status: 404, json: { title: 'Not Found Error', detail: req.path } };
  });
  return { server, verified };
}

test('publish uploads the PNG in chunks, sets its alt text and tweets it, every request signed with OAuth 1.0a', async (t) => {
  const { server, verified } = await fakeX();
  t.after(() => server.close());
  const x = new XPublisher({ ...KEYS, baseUrl: server.url });
  const ref = await x.publish({ key: 'games', text: "Top game: Baldur's Gate 3, 12,345 h. Pokémon next.", image: { png, alt: "Bar chart: Baldur's Gate 3, 12,345 h" } });
  assert.deepEqual(ref, { id: '1990000000000000001', url: 'https://x.com/i/web/status/1990000000000000001' });

  const paths = server.received.map((r) => `${r.method} ${r.path}`);
  assert.deepEqual(paths, ['POST /2/media/upload/initialize', `POST /2/media/upload/${MEDIA_ID}/append`, `POST /2/media/upload/${MEDIA_ID}/finalize`, 'POST /2/media/metadata', 'POST /2/tweets']);
  assert.deepEqual(verified, paths, 'every request carried a valid signature');

  const [init, append, , metadata, tweet] = server.received;
  assert.deepEqual(init!.json(), { media_type: 'image/png', total_bytes: png.length, media_category: 'tweet_image' });
  const parts = Object.fromEntries(multipartParts(append!).map((p) => [p.name, p.body]));
  assert.equal(parts.segment_index?.toString(), '0');
  assert.equal(sha256(parts.media!), sha256(png));
  assert.deepEqual(metadata!.json(), { id: MEDIA_ID, metadata: { alt_text: { text: "Bar chart: Baldur's Gate 3, 12,345 h" } } });
  assert.deepEqual(tweet!.json(), { text: "Top game: Baldur's Gate 3, 12,345 h. Pokémon next.", media: { media_ids: [MEDIA_ID] } });
});

test('a text-only post is one signed request, cut to 280 characters', async (t) => {
  const { server, verified } = await fakeX();
  t.after(() => server.close());
  await new XPublisher({ ...KEYS, baseUrl: server.url + '/' }).publish({ key: 'random-game', text: 'é'.repeat(300) });
  assert.deepEqual(verified, ['POST /2/tweets']);
  const { text, media } = server.received[0]!.json();
  assert.equal([...text].length, 280);
  assert.equal(media, undefined);
});

test('wrong keys are a non-retryable PublishError; a 503 is retryable; neither message holds a secret', async (t) => {
  const { server } = await fakeX();
  t.after(() => server.close());
  await assert.rejects(new XPublisher({ ...KEYS, accessSecret: 'stolen-secret', baseUrl: server.url }).publish({ key: 'games', text: 'hi' }), (e: unknown) => {
    assert.ok(e instanceof PublishError);
    assert.deepEqual([e.publisher, e.retryable, e.status], ['x', false, 401]);
    assert.equal(e.message, 'x: credentials rejected (HTTP 401): Unauthorized');
    return true;
  });
  const down = await fakeX({ tweetStatus: 503 });
  t.after(() => down.server.close());
  await assert.rejects(new XPublisher({ ...KEYS, baseUrl: down.server.url }).publish({ key: 'games', text: 'hi' }), (e: unknown) => {
    assert.ok(e instanceof PublishError && e.retryable && e.status === 503);
    assert.doesNotMatch(e.message, /consumer|access|secret/);
    return true;
  });
  const gone = await fakeServer(() => ({}));
  await gone.close();
  await assert.rejects(new XPublisher({ ...KEYS, baseUrl: gone.url }).publish({ key: 'games', text: 'hi' }), (e: unknown) => e instanceof PublishError && e.retryable && e.status === undefined);
});

test('an API that accepts and never answers, or stalls after its headers, fails with a retryable timeout', { timeout: 10_000 }, async (t) => {
  const server = await hungServer();
  t.after(() => server.close());
  const x = new XPublisher({ ...KEYS, baseUrl: server.url, timeoutMs: 200 });
  await assert.rejects(x.publish({ key: 'games', text: 'hi', image: { png, alt: 'a' } }), isTimeoutFailure('x'));
  await assert.rejects(x.publish({ key: 'games', text: 'hi' }), isTimeoutFailure('x'));
  assert.equal(server.received.length, 2, 'one hung request each: the media upload, then the post');
  const stalled = await hungServer({ headers: true });
  t.after(() => stalled.close());
  await assert.rejects(new XPublisher({ ...KEYS, baseUrl: stalled.url, timeoutMs: 200 }).publish({ key: 'games', text: 'hi' }), isTimeoutFailure('x'));
});
