// The truth endpoints agree with what the wire served: every move of a viewer between two
// rooms shows up as a PART from one and a JOIN into the other over IRC.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import type { Simulator } from '../../src/sim/index.js';
import { waitFor } from '../helpers/app.js';
import { freePort } from '../helpers/app.js';
import { startSimulator } from '../helpers/sim.js';

let sim: Simulator;
const sockets: Socket[] = [];

before(async () => {
  sim = await startSimulator({ channels: 160, live: 40, seed: 21, ircPort: await freePort() });
});
after(async () => {
  for (const s of sockets) s.destroy();
  await sim.stop();
});

/** an anonymous client with membership in `rooms`, collecting JOIN and PART lines */
function listen(rooms: string[], into: { kind: string; room: string; login: string }[]): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(sim.address.ircPort!, '127.0.0.1');
    sockets.push(socket);
    let buffer = '';
    let joined = 0;
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).replace(/\r$/, '');
        buffer = buffer.slice(nl + 1);
        const m = /^:(\w+)!\w+@\w+\.tmi\.twitch\.tv (JOIN|PART) #(\w+)$/.exec(line);
        if (!m) continue;
        if (m[1] === 'justinfan12345' || m[1] === 'justinfan12346') {
          if (m[2] === 'JOIN' && ++joined === rooms.length) resolve();
          continue;
        }
        into.push({ kind: m[2]!, room: m[3]!, login: m[1]! });
      }
    });
    socket.write(`CAP REQ :twitch.tv/membership\r\nPASS x\r\nNICK justinfan1234${5 + sockets.length - 1}\r\n${rooms.map((r) => `JOIN #${r}`).join('\r\n')}\r\n`);
  });
}

test('every viewer move appears as PART and JOIN in the right rooms', async () => {
  const rooms = [...sim.world.liveChannelList()].map((c) => sim.world.login(c));
  assert.ok(rooms.every((_, i) => sim.world.viewersNow(sim.world.liveChannelList()[i]!) < 1000));
  const lines: { kind: string; room: string; login: string }[] = [];
  // JOINs are limited to 20 per 10 s per connection: two connections share the rooms
  await Promise.all([listen(rooms.slice(0, 20), lines), listen(rooms.slice(20), lines)]);
  const from = sim.world.now();
  sim.advance(5 * 60_000);
  const to = sim.world.now();
  const res = await fetch(`${sim.address.httpUrl}/_sim/truth/moves?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`);
  const truth = (await res.json()) as { moves: { user_login: string; from: { login: string }; to: { login: string } }[] };
  const watched = new Set(rooms);
  const moves = truth.moves.filter((m) => watched.has(m.from.login) && watched.has(m.to.login));
  assert.ok(moves.length > 10, `only ${moves.length} moves between watched rooms`);
  const has = (kind: string, room: string, login: string) => lines.some((l) => l.kind === kind && l.room === room && l.login === login);
  await waitFor('the last lines to arrive', () => (moves.every((m) => has('PART', m.from.login, m.user_login) && has('JOIN', m.to.login, m.user_login)) ? true : undefined));
});
