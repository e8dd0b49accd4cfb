import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStore } from '../../src/store/database.js';
import type { StoredPost } from '../../src/watchtime/digest.js';
import { tempSqlite } from '../helpers/db.js';
import { runLurk } from '../helpers/process.js';
import { fakeServer } from '../publish/fake-server.js';

const DAY = '2026-11-20';
const chart = { title: 'Most watched games', unit: 'h', items: [{ label: 'Celeste', value: 12 }] };
const POSTS: StoredPost[] = [
  { key: 'games', text: 'The most watched games on Twitch yesterday were:\n1. Celeste: 12 hours', chart, alt: 'Celeste 12 h' },
  { key: 'streamers', text: 'The most watched streamers on Twitch yesterday were:\n1. alice: 12 hours', chart, alt: 'alice 12 h' },
];

// Mastodon comes before Discord in the digest's order: while Mastodon accepts and never answers, the
// job must give up on it within LURK_PUBLISH_TIMEOUT_SECONDS, post to Discord, and leave Mastodon's
// posts for the retry. Before the timeout existed this run hung (undici's own limit is 5 minutes)
// and the test's timeout failed it.
test('lurk digest: a network that never answers fails within the timeout, the next publisher still posts, and the retry posts the rest', { timeout: 60_000 }, async (t) => {
  const db = await tempSqlite();
  t.after(() => db.drop());
  const store = await openStore({ url: db.url });
  await store.migrate();
  await store.db
    .insertInto('digests')
    .values({ day: DAY, composed_at: Date.now(), posts: JSON.stringify(POSTS) })
    .execute();
  await store.close();

  let hung = true;
  let statuses = 0;
  const mastodon = await fakeServer((req) => {
    if (hung) return new Promise<never>(() => undefined);
    if (req.path === '/api/v2/media') return { json: { id: '555', url: 'https://files/555.png' } };
    return { json: { id: `10${++statuses}`, url: `https://example.social/@lurk/10${statuses}` } };
  });
  t.after(() => mastodon.close());
  const discord = await fakeServer(() => ({ json: { id: '900', channel_id: '4', guild_id: '5' } }));
  t.after(() => discord.close());
  const env = {
    DATABASE_URL: db.url,
    LURK_DIGEST_DIR: 'off',
    LURK_MASTODON_URL: mastodon.url,
    LURK_MASTODON_TOKEN: 'mastodon-token',
    LURK_DISCORD_WEBHOOK_URL: `${discord.url}/api/webhooks/1/hook-token`,
    LURK_PUBLISH_TIMEOUT_SECONDS: '1',
  };

  const first = await runLurk(['digest', '--day', DAY], env);
  assert.equal(first.code, 1, first.stderr);
  assert.match(first.stdout, /^mastodon games: failed \(mastodon: image upload failed: no answer within 1 s\)$/m);
  assert.match(first.stdout, /^mastodon streamers: failed \(mastodon: image upload failed: no answer within 1 s\)$/m);
  assert.match(first.stdout, /^discord games: posted/m);
  assert.match(first.stdout, /^discord streamers: posted/m);
  assert.equal(discord.received.length, 2);

  // the retry job's run: the failure was retryable, so the posts go out once the network answers
  hung = false;
  const retry = await runLurk(['digest', '--day', DAY], env);
  assert.equal(retry.code, 0, retry.stdout + retry.stderr);
  assert.match(retry.stdout, /^mastodon games: posted https:\/\/example\.social\/@lurk\/101$/m);
  assert.match(retry.stdout, /^mastodon streamers: posted/m);
  assert.match(retry.stdout, /^discord games: already/m);
  assert.equal(discord.received.length, 2, 'Discord got each post once');
});
