// The Status page shows the chat pool and the EventSub intake of a running Lurk, and
// GET /api/chat/channels lists what the pool holds: here the two channels `!watchtime` answers in,
// read by an anonymous connection and joined by the bot to speak.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loginFor } from '../../src/sim/world/catalog.js';
import { waitFor } from '../helpers/app.js';
import { startLurkInBrowser, type LurkInBrowser } from '../helpers/e2e.js';

let e: LurkInBrowser;
const channels = [loginFor(0), loginFor(1)];

before(async () => {
  e = await startLurkInBrowser({ LURK_WATCHTIME_CHAT_CHANNELS: channels.join(',') });
});

after(async () => {
  await e?.stop();
});

interface ChannelsBody {
  pool: { connections: { reader: number; bot: number }; channels: { joined: number; pending: number; failed: number }; lines: number };
  channels: { channel: string; role: string; state: string; owners: string[]; connection: string | null; last_line_at: string | null }[];
}

test('GET /api/chat/channels lists every channel with its role, state and owners', async () => {
  const body = await waitFor('both channels read and spoken in', async () => {
    const b = (await (await fetch(`${e.base}/api/chat/channels`)).json()) as ChannelsBody;
    return b.channels.filter((c) => c.state === 'joined').length === 4 ? b : undefined;
  });
  assert.deepEqual(
    body.channels.map((c) => [c.channel, c.role, c.owners]),
    [...channels].sort().flatMap((c) => [
      [c, 'read', ['watchtime']],
      [c, 'speak', ['watchtime']],
    ]),
  );
  for (const c of body.channels) assert.match(c.connection ?? '', c.role === 'read' ? /^reader-\d+$/ : /^bot-\d+$/);
  assert.deepEqual(body.pool.connections, { reader: 1, bot: 1 });
  const failed = (await (await fetch(`${e.base}/api/chat/channels?state=failed`)).json()) as ChannelsBody;
  assert.deepEqual(failed.channels, []);
  const bad = await fetch(`${e.base}/api/chat/channels?state=sleeping`);
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'bad_request');
});

test('the Status page shows the chat pool and the EventSub intake', async () => {
  const page = await e.browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${e.base}/status`);
  await page.locator('[data-connection="live"]').waitFor();
  await waitFor('the pool to show both channels joined twice', async () => ((await page.locator('[data-field="chat-joined"]').textContent()) === '4' ? true : undefined));
  assert.equal(await page.locator('[data-field="chat-connections"]').textContent(), '2');
  assert.match((await page.locator('[data-field="chat-rate"]').textContent()) ?? '', /^[\d,.]+\/s$/);
  // the simulator is Lurk's default: webhooks come back to Lurk's own address
  assert.equal(await page.locator('[data-field="eventsub-transport"]').textContent(), 'Webhooks');
  assert.match((await page.locator('.card:has([data-field="eventsub-transport"]) .muted').textContent()) ?? '', /at http:\/\/127\.0\.0\.1:\d+\/eventsub\/webhook/);
  assert.equal(await page.locator('[data-field="eventsub-rejected"]').textContent(), '0');
  assert.deepEqual(errors, []);
  await page.close();
});
