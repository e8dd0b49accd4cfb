// A `lurk sim` in its own process serves several Lurk processes at once: each is pointed at it
// with the settings it prints (the client id and secret, OAuth, Helix, EventSub and IRC
// addresses), runs in real mode against it, and says which Twitch it talks to.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freePort, waitFor } from '../helpers/app.js';
import { tempSqlite } from '../helpers/db.js';
import { runLurk, startLurk, stopLurk, type Running } from '../helpers/process.js';

test('two Lurk processes run against one `lurk sim`, set up only with the settings it prints', async (t) => {
  const simPort = await freePort();
  const running: Running[] = [];
  const dbs: { drop(): Promise<void> }[] = [];
  t.after(async () => {
    await Promise.all(running.map((r) => stopLurk(r)));
    for (const db of dbs) await db.drop();
  });
  const sim = startLurk(['sim', '--port', String(simPort), '--channels', '300', '--live', '120', '--irc-port', '0', '--irc-ws-port', '0'], {});
  running.push(sim);
  const printed = await waitFor('lurk sim to print the settings', () => (/LURK_TWITCH_IRC_URL=\S+/.test(sim.output()) ? sim.output() : undefined), 60_000);
  const settings = Object.fromEntries([...printed.matchAll(/^ {2}((?:TWITCH|LURK_TWITCH)_[A-Z_]+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
  assert.deepEqual(Object.keys(settings).sort(), ['LURK_TWITCH_EVENTSUB_WS_URL', 'LURK_TWITCH_HELIX_URL', 'LURK_TWITCH_IRC_URL', 'LURK_TWITCH_OAUTH_URL', 'TWITCH_CLIENT_ID', 'TWITCH_CLIENT_SECRET']);

  // `lurk config` names the server it would talk to
  const config = await runLurk(['config', '--json'], settings);
  assert.equal(config.code, 0, config.stderr);
  assert.match(JSON.parse(config.stdout).twitch, new RegExp(`^Twitch-compatible server at localhost:${simPort} \\(not twitch\\.tv\\)$`));

  const lurks: { port: number }[] = [];
  for (let i = 0; i < 2; i++) {
    const db = await tempSqlite();
    dbs.push(db);
    const port = await freePort();
    running.push(startLurk(['start'], { ...settings, PORT: String(port), DATABASE_URL: db.url }));
    lurks.push({ port });
  }
  for (const { port } of lurks) {
    const status = await waitFor(
      `Lurk on ${port} to answer`,
      async () => {
        const res = await fetch(`http://127.0.0.1:${port}/api/status`).catch(() => undefined);
        return res?.ok ? ((await res.json()) as { mode: string; twitch: string; endpoints: { helix: string; irc: string } }) : undefined;
      },
      60_000,
    );
    assert.equal(status.mode, 'twitch');
    assert.equal(status.twitch, `Twitch-compatible server at localhost:${simPort} (not twitch.tv)`);
    assert.equal(status.endpoints.helix, settings.LURK_TWITCH_HELIX_URL);
    assert.equal(status.endpoints.irc, settings.LURK_TWITCH_IRC_URL);
    // each swept the simulator's Helix with the printed app credentials: its streams are the simulator's
    const streams = await waitFor(
      `Lurk on ${port} to have swept`,
      async () => {
        const res = await fetch(`http://127.0.0.1:${port}/api/discover/stats`).catch(() => undefined);
        const body = res?.ok ? ((await res.json()) as { live: number; last_sweep: unknown }) : undefined;
        return body?.last_sweep ? body.live : undefined;
      },
      60_000,
    );
    const world = (await (await fetch(`http://127.0.0.1:${simPort}/_sim/world`)).json()) as { live_channels: number };
    // the same world: what this Lurk counts live is what the simulator has live (give or take streams starting and ending)
    assert.ok(Math.abs(streams - world.live_channels) <= Math.max(3, world.live_channels * 0.1), `${streams} live in Lurk, ${world.live_channels} in the simulator`);
  }
});

test("another Twitch's addresses without the app credentials are refused, naming the setting", async () => {
  const result = await runLurk(['config'], { LURK_TWITCH_HELIX_URL: 'http://127.0.0.1:9/helix' });
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /LURK_TWITCH_HELIX_URL.*needs TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET/);
  const bad = await runLurk(['config'], { TWITCH_CLIENT_ID: 'abc', TWITCH_CLIENT_SECRET: 'def', LURK_TWITCH_IRC_URL: 'http://irc.example:6667' });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /LURK_TWITCH_IRC_URL.*irc:\/\/host:port or ircs:\/\/host:port/);
});
