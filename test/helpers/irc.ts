// A raw IRC client for tests: a real TCP socket to the simulator, the lines it got, and what it
// sends. Tests use it as a viewer (speaking in a channel) or to read the server's replies as sent.
import { connect, type Socket } from 'node:net';
import type { Simulator } from '../../src/sim/index.js';
import { type IrcMessage, parseLine } from '../../src/twitch/irc-message.js';
import { waitFor } from './app.js';

export interface RawIrc {
  readonly lines: IrcMessage[];
  send(line: string): void;
  /** PRIVMSG to a channel */
  say(channel: string, text: string): void;
  /** waits for a line the check accepts (received since the client opened) */
  next(what: string, check: (m: IrcMessage) => boolean, timeoutMs?: number): Promise<IrcMessage>;
  close(): void;
}

/** logs in as the world's user `index` (a user token with chat:read and chat:edit), or anonymously when undefined; resolves after 001 */
export async function rawIrc(sim: Simulator, index?: number): Promise<RawIrc> {
  const socket: Socket = connect({ host: '127.0.0.1', port: sim.address.ircPort! });
  socket.setEncoding('utf8');
  const lines: IrcMessage[] = [];
  let buffer = '';
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const msg = parseLine(buffer.slice(0, nl).replace(/\r$/, ''));
      buffer = buffer.slice(nl + 1);
      if (msg) lines.push(msg);
      if (msg?.command === 'PING') socket.write(`PONG :${msg.params.at(-1)}\r\n`);
    }
  });
  socket.on('error', () => {});
  const send = (line: string) => void (socket.destroyed || socket.write(`${line}\r\n`));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  send('CAP REQ :twitch.tv/tags twitch.tv/commands twitch.tv/membership');
  if (index === undefined) send(`NICK justinfan${10_000 + Math.floor(Math.random() * 80_000)}`);
  else {
    const token = sim.auth.issueUser(sim.auth.registeredClients()[0]!.clientId, index, ['chat:read', 'chat:edit']).accessToken;
    send(`PASS oauth:${token}`);
    send(`NICK ${sim.world.login(index)}`);
  }
  const client: RawIrc = {
    lines,
    send,
    say: (channel, text) => send(`PRIVMSG #${channel} :${text}`),
    next: (what, check, timeoutMs = 10_000) => waitFor(what, () => lines.find(check), timeoutMs, 10),
    close: () => socket.destroy(),
  };
  try {
    await client.next('the login', (m) => m.command === '001');
  } catch (err) {
    client.close();
    throw err;
  }
  return client;
}
