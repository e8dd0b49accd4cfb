import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPublishers, publishersOrFolder } from '../../src/publish/index.js';

test('createPublishers makes one publisher per configured section, in a fixed order', () => {
  const publishers = createPublishers({
    x: { apiKey: 'k', apiSecret: 's', accessToken: 't', accessSecret: 'a' },
    discord: { webhookUrl: 'https://discord.com/api/webhooks/1/t' },
    mastodon: { baseUrl: 'https://example.social', accessToken: 't' },
    bluesky: { identifier: 'lurk.test', appPassword: 'p' },
    folder: { dir: '/tmp/lurk-digest' },
  });
  assert.deepEqual(
    publishers.map((p) => p.name),
    ['folder', 'bluesky', 'mastodon', 'discord', 'x'],
  );
  assert.deepEqual(
    publishers.map((p) => [p.name, typeof p.fetchMentions === 'function', typeof p.reply === 'function']),
    [
      ['folder', false, false],
      ['bluesky', true, true],
      ['mastodon', true, true],
      ['discord', false, false],
      ['x', false, false],
    ],
  );
  assert.deepEqual(createPublishers({}), []);
});

test('publishersOrFolder falls back to a folder only when nothing is configured', () => {
  assert.deepEqual(
    publishersOrFolder({}, '/tmp/digest').map((p) => p.name),
    ['folder'],
  );
  assert.deepEqual(
    publishersOrFolder({ discord: { webhookUrl: 'https://discord.com/api/webhooks/1/t' } }, '/tmp/digest').map((p) => p.name),
    ['discord'],
  );
});
