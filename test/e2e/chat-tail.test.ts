// `lurk chat tail --json` against a `lurk sim` in another process, pointed at it with the settings
// it prints: every message the simulator's truth says was sent in those channels while the tail
// read them is printed once, with its text, emotes and bits as sent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freePort, waitFor } from '../helpers/app.js';
import { runLurk, startLurk, stopLurk, type Running } from '../helpers/process.js';

interface Tailed {
  id: string;
  channel: string;
  user_login: string;
  text: string;
  emotes: { id: string; code: string; start: number; end: number }[];
  bits: number;
  sent_at: string;
}

interface TruthMessage {
  id: string;
  at: string;
  channel: string;
  user_login: string;
  text: string;
  emotes: string;
  bits?: number;
}

/** the truth's `emotes` tag (code-point positions) as the codes it points at, in order */
function truthCodes(m: TruthMessage): string[] {
  if (!m.emotes) return [];
  const points = [...m.text];
  return m.emotes
    .split('/')
    .flatMap((group) => {
      const [, ranges] = group.split(':');
      return ranges!.split(',').map((r) => r.split('-').map(Number) as [number, number]);
    })
    .sort((a, b) => a[0] - b[0])
    .map(([from, to]) => points.slice(from, to + 1).join(''));
}

test('lurk chat tail --json prints exactly the messages the simulator sent in those channels', async (t) => {
  const simPort = await freePort();
  const running: Running[] = [];
  t.after(async () => {
    await Promise.all(running.map((r) => stopLurk(r)));
  });
  // a stepped world: chat is made only when the test advances it, so the window is exact
  const sim = startLurk(['sim', '--port', String(simPort), '--channels', '200', '--live', '80', '--speed', '0', '--irc-port', '0', '--irc-ws-port', '0'], {});
  running.push(sim);
  const printed = await waitFor('lurk sim to print its settings', () => (/LURK_TWITCH_IRC_URL=\S+/.test(sim.output()) ? sim.output() : undefined), 60_000);
  const settings = Object.fromEntries([...printed.matchAll(/^ {2}((?:TWITCH|LURK_TWITCH)_[A-Z_]+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
  const simApi = `http://127.0.0.1:${simPort}/_sim`;
  const worldTime = async () => ((await (await fetch(`${simApi}/world`)).json()) as { time_ms: number }).time_ms;

  // the three busiest live channels, through the simulator's Helix as any client would ask
  const token = (
    (await (
      await fetch(`http://127.0.0.1:${simPort}/oauth2/token`, {
        method: 'POST',
        body: new URLSearchParams({ client_id: settings.TWITCH_CLIENT_ID!, client_secret: settings.TWITCH_CLIENT_SECRET!, grant_type: 'client_credentials' }),
      })
    ).json()) as { access_token: string }
  ).access_token;
  const streams = (await (await fetch(`http://127.0.0.1:${simPort}/helix/streams?first=3`, { headers: { 'client-id': settings.TWITCH_CLIENT_ID!, authorization: `Bearer ${token}` } })).json()) as {
    data: { user_login: string }[];
  };
  const channels = streams.data.map((s) => s.user_login);
  assert.equal(channels.length, 3);

  const tail = startLurk(['chat', 'tail', '--json', ...channels.map((c) => c.toUpperCase())], settings);
  running.push(tail);
  await waitFor('the tail to join the three channels', () => (/joined #\S+ \(3\/3\)/.test(tail.output()) ? true : undefined), 60_000);
  const from = await worldTime();
  for (let i = 0; i < 18; i++) await fetch(`${simApi}/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance_seconds: 10 }) });
  const to = await worldTime();

  const truth: TruthMessage[] = [];
  for (const channel of channels) {
    const q = new URLSearchParams({ channel, from: new Date(from + 1).toISOString(), to: new Date(to).toISOString() });
    const body = (await (await fetch(`${simApi}/truth/messages?${q}`)).json()) as { total: number; messages: TruthMessage[] };
    assert.equal(body.messages.length, body.total);
    truth.push(...body.messages);
  }
  assert.ok(truth.length > 50, `three busy minutes: ${truth.length} messages`);
  const tailed = (): Tailed[] =>
    tail
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Tailed);
  const wanted = new Set(truth.map((m) => m.id));
  await waitFor('every message of the window to be printed', () => (tailed().filter((m) => wanted.has(m.id)).length >= wanted.size ? true : undefined), 60_000);

  // the truth's range includes its start and excludes its end
  const inWindow = tailed().filter((m) => Date.parse(m.sent_at) > from && Date.parse(m.sent_at) < to);
  assert.equal(inWindow.length, truth.length, 'none lost, none twice');
  const byId = new Map(inWindow.map((m) => [m.id, m]));
  for (const m of truth) {
    const got = byId.get(m.id);
    assert.ok(got, `message ${m.id} printed`);
    assert.equal(got.channel, m.channel);
    assert.equal(got.user_login, m.user_login);
    assert.equal(got.text, m.text);
    assert.equal(got.bits, m.bits ?? 0);
    assert.equal(Date.parse(got.sent_at), Date.parse(m.at));
    assert.deepEqual(
      got.emotes.map((e) => e.code),
      truthCodes(m),
      `emotes of ${JSON.stringify(m.text)}`,
    );
  }
});

test('lurk chat tail: a malformed login is bad input (exit 2 naming it), an unknown channel a clear error', async () => {
  const bad = await runLurk(['chat', 'tail', 'fine_login', 'Not A Login!']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /"Not A Login!" is not a Twitch login/);
  const none = await runLurk(['chat', 'tail']);
  assert.equal(none.code, 2);
  // without credentials it reads the built-in simulator, which has no such channel
  const unknown = await runLurk(['chat', 'tail', 'no_such_channel_zz'], { LURK_SIM_CHANNELS: '50', LURK_SIM_LIVE: '10' });
  assert.equal(unknown.code, 1, unknown.stderr);
  assert.match(unknown.stderr, /no Twitch channel named no_such_channel_zz/);
});
