// What the simulator never does on its own: a server that stops answering PING, one that never
// confirms a JOIN, and one that bans. A small scripted IRC server on a real socket plays it.
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { type DeepReadonly, InProcessBus } from '../../../src/core/bus.js';
import { SystemClock } from '../../../src/core/clock.js';
import type { ChatMessage } from '../../../src/twitch/chat/events.js';
import { ChatPool } from '../../../src/twitch/chat/pool.js';
import { REAL_TWITCH } from '../../../src/twitch/endpoints.js';
import { memoryLogger, waitFor } from '../../helpers/app.js';

interface Scripted {
  port: number;
  /** every line each connection sent, by connection */
  sessions: string[][];
  sockets: Socket[];
  close(): Promise<void>;
}

/**
 * Logs anyone in; confirms JOINs (echo + ROOMSTATE) except for #silent, answers #banned with
 * msg_banned; answers PING only while `pong` is true; says one PRIVMSG in #chatty per session.
 */
async function scriptedServer(state: { pong: boolean }): Promise<Scripted> {
  const sessions: string[][] = [];
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    const lines: string[] = [];
    sessions.push(lines);
    let nick = '';
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('error', () => {});
    const send = (l: string) => void (socket.destroyed || socket.write(`${l}\r\n`));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).replace(/\r$/, '');
        buffer = buffer.slice(nl + 1);
        lines.push(line);
        const [command, arg = ''] = line.split(' ');
        if (command === 'NICK') {
          nick = arg;
          send(`:tmi.twitch.tv 001 ${nick} :Welcome, GLHF!`);
          // a server PING, which the pool must answer
          send('PING :tmi.twitch.tv');
        } else if (command === 'PING' && state.pong) send(`:tmi.twitch.tv PONG tmi.twitch.tv ${line.slice(5)}`);
        else if (command === 'JOIN') {
          for (const channel of arg.split(',')) {
            if (channel === '#silent') continue;
            if (channel === '#banned') {
              send(`@msg-id=msg_banned :tmi.twitch.tv NOTICE ${channel} :You are permanently banned from talking in banned.`);
              continue;
            }
            send(`:${nick}!${nick}@${nick}.tmi.twitch.tv JOIN ${channel}`);
            send(`@emote-only=0;followers-only=-1;r9k=0;room-id=1;slow=0;subs-only=0 :tmi.twitch.tv ROOMSTATE ${channel}`);
            if (channel === '#chatty') send(`@id=m-${sessions.length};room-id=1;tmi-sent-ts=1;user-id=2 :someone!someone@someone.tmi.twitch.tv PRIVMSG #chatty :hello`);
            if (channel === '#longline') {
              // 300 KB without a line break, in several writes, then an ordinary message
              socket.write('@id=runaway;room-id=1 :someone!someone@someone.tmi.twitch.tv PRIVMSG #longline :');
              for (let i = 0; i < 6; i++) socket.write('x'.repeat(50_000));
              send('');
              send('@id=after-long;room-id=1;tmi-sent-ts=1;user-id=2 :someone!someone@someone.tmi.twitch.tv PRIVMSG #longline :still here');
            }
          }
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    sessions,
    sockets,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

test('the pool answers PING, PINGs a silent server itself, and treats a missing PONG as a dead socket', async (t) => {
  const state = { pong: false };
  const server = await scriptedServer(state);
  t.after(() => server.close());
  const bus = new InProcessBus();
  const messages: DeepReadonly<ChatMessage>[] = [];
  bus.subscribe('chat.message', ({ items }) => void messages.push(...items));
  const pool = new ChatPool({ bus, clock: new SystemClock(), log: memoryLogger().log, pingAfterMs: 300, pongTimeoutMs: 300, backoffMs: { min: 50, max: 200 } });
  t.after(async () => {
    pool.close();
    await bus.close();
  });
  pool.want('test', ['chatty']);
  pool.start({ ...REAL_TWITCH, ircTcp: { host: '127.0.0.1', port: server.port, tls: false } }, () => undefined);

  await waitFor('the first session', () => server.sessions[0]?.some((l) => l === 'PONG :tmi.twitch.tv'));
  assert.match(server.sessions[0]![0]!, /^CAP REQ :twitch\.tv\/tags twitch\.tv\/commands twitch\.tv\/membership$/);
  assert.ok(!server.sessions[0]!.some((l) => l.startsWith('PASS')), 'an anonymous reader sends no PASS');
  assert.match(server.sessions[0]!.find((l) => l.startsWith('NICK'))!, /^NICK justinfan\d+$/);
  // silent for pingAfterMs: the pool PINGs; no PONG within pongTimeoutMs: it reconnects and rejoins
  await waitFor('a second session', () => server.sessions.length >= 2 && server.sessions[1]!.includes('JOIN #chatty'), 10_000);
  assert.ok(
    server.sessions[0]!.some((l) => /^PING :\d+$/.test(l)),
    'the pool sent its own PING',
  );
  assert.ok(pool.stats().drops >= 1);
  await waitFor('the channel joined again', () => pool.stats().channels.joined === 1);

  // with PONGs the connection stays
  state.pong = true;
  const sessions = server.sessions.length;
  await waitFor('a PING answered', () => server.sessions.at(-1)!.some((l) => /^PING :\d+$/.test(l)), 10_000);
  await new Promise((r) => setTimeout(r, 1000));
  assert.ok(server.sessions.length <= sessions + 1, 'no reconnect while the server answers');
  await waitFor('the message of each session', () => messages.length >= 2);
  assert.equal(new Set(messages.map((m) => m.id)).size, messages.length);
});

test('a banned channel fails with msg_banned at once and for good; a JOIN never confirmed is retried a bounded number of times, fails, and is tried again later', async (t) => {
  const server = await scriptedServer({ pong: true });
  t.after(() => server.close());
  const bus = new InProcessBus();
  const pool = new ChatPool({ bus, clock: new SystemClock(), log: memoryLogger().log, joinTimeoutMs: 200, joinRetries: 2, joinRetryAfterMs: 1000 });
  t.after(async () => {
    pool.close();
    await bus.close();
  });
  pool.start({ ...REAL_TWITCH, ircTcp: { host: '127.0.0.1', port: server.port, tls: false } }, () => undefined);
  pool.want('test', ['banned', 'silent', 'chatty']);
  await waitFor('both failed', () => pool.stats().channels.failed === 2, 10_000);
  const byName = new Map(pool.channels().map((c) => [c.channel, c]));
  assert.equal(byName.get('banned')?.reason, 'msg_banned');
  assert.equal(byName.get('silent')?.reason, 'join not confirmed');
  assert.equal(byName.get('chatty')?.state, 'joined');
  const joins = (channel: string) => server.sessions.flat().filter((l) => l.startsWith('JOIN') && l.split(' ')[1]!.split(',').includes(channel)).length;
  assert.equal(joins('#silent'), 3, 'the first JOIN and 2 retries');
  assert.equal(joins('#banned'), 1, 'a ban is not retried');
  // later the silent channel is tried again from the start (a partition may have passed); the ban never is
  await waitFor('the silent channel tried again', () => (joins('#silent') >= 4 ? true : undefined), 10_000);
  assert.equal(joins('#banned'), 1, 'a ban is not retried');
});

test('a line too long to be chat is skipped and counted, and the connection reads on', async (t) => {
  const server = await scriptedServer({ pong: true });
  t.after(() => server.close());
  const bus = new InProcessBus();
  const messages: DeepReadonly<ChatMessage>[] = [];
  bus.subscribe('chat.message', ({ items }) => void messages.push(...items));
  const pool = new ChatPool({ bus, clock: new SystemClock(), log: memoryLogger().log });
  t.after(async () => {
    pool.close();
    await bus.close();
  });
  pool.want('test', ['longline']);
  pool.start({ ...REAL_TWITCH, ircTcp: { host: '127.0.0.1', port: server.port, tls: false } }, () => undefined);
  await waitFor('the message after the runaway line', () => messages.find((m) => m.id === 'after-long'));
  assert.deepEqual(
    messages.map((m) => m.id),
    ['after-long'],
  );
  assert.equal(pool.stats().malformed, 1);
  assert.equal(pool.stats().drops, 0);
  assert.equal(server.sessions.length, 1, 'the same connection');
});
