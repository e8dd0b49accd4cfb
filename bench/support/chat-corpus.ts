// Chat lines recorded from the wire: a seeded simulator's IRC server, one raw TCP reader that
// asks for every capability and joins the live rooms, the world run fast until enough lines
// came in. The chat parse bench measures on them and the parser test checks its agreement with
// the reference parser on them, so both see what a pool connection sees.
import { connect } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { createLogger } from '../../src/core/logger.js';
import { ircProtocol } from '../../src/sim/protocols/irc/index.js';
import { Simulator } from '../../src/sim/simulator.js';

/** what a pool connection read: the socket's Buffers as they came, and the lines in them */
export interface ChatWire {
  /** the reads, as the socket handed them over (up to 64 KiB each); the last may end inside a line */
  reads: Buffer[];
  /** every complete line of `reads` (without CRLF), cut by split() from the decoded reads */
  lines: string[];
}

/**
 * Records `count` lines (without CRLF) as they arrive. Rooms stay under 1,000 viewers, so
 * JOIN/PART and NAMES flow too (twitch-protocol.md §5.5); 20 rooms, the JOIN limit of one
 * connection per 10 s.
 */
export async function recordChatLines(count: number, seed = 7): Promise<string[]> {
  return (await recordChatWire(count, seed)).lines.slice(0, count);
}

/** Records reads until they hold at least `count` lines: the reads themselves and their lines. */
export async function recordChatWire(count: number, seed = 7): Promise<ChatWire> {
  const sim = new Simulator({ seed, channels: 40, live: 20, speed: 0, port: 0, ircPort: 0, ircWsPort: null, viewersPerLive: 900, log: createLogger('warn') });
  sim.use(ircProtocol({ port: 0, wsPort: null }));
  const addresses = await sim.start();
  const socket = connect(addresses.ircPort!, '127.0.0.1');
  try {
    const reads: Buffer[] = [];
    const lines: string[] = [];
    // what socket.setEncoding('utf8') does: a character cut by a read's end waits for the next
    const decoder = new StringDecoder('utf8');
    let rest = '';
    const done = new Promise<void>((resolve, reject) => {
      socket.on('error', reject);
      socket.on('close', () => reject(new Error(`IRC connection closed after ${lines.length} of ${count} lines`)));
      socket.on('data', (chunk: Buffer) => {
        if (lines.length >= count) return;
        reads.push(chunk);
        const parts = (rest + decoder.write(chunk)).split('\r\n');
        rest = parts.pop()!;
        for (const l of parts) lines.push(l);
        if (lines.length >= count) resolve();
      });
    });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const rooms = [...sim.world.liveChannelList()].map((c) => `#${sim.world.login(c)}`);
    socket.write(`CAP REQ :twitch.tv/tags twitch.tv/commands twitch.tv/membership\r\nNICK justinfan${10000 + (seed % 80000)}\r\nJOIN ${rooms.join(',')}\r\n`);
    sim.setSpeed(2000);
    await done;
    return { reads, lines };
  } finally {
    socket.destroy();
    await sim.stop();
  }
}
