// One socket to Twitch chat: TLS or plain TCP, the login handshake and line framing. What the
// lines mean is the pool's business (pool.ts); a link only carries them.
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Logger } from '../../core/logger.js';
import { LineSplitter } from './lines.js';

export interface LinkOptions {
  host: string;
  port: number;
  /** node:tls (real Twitch on 6697) or plain TCP (the simulator) */
  tls: boolean;
  nick: string;
  /** `oauth:<token>` for a logged-in user; none for an anonymous justinfan login */
  pass?: string;
  log: Pick<Logger, 'debug'>;
  /** every line, without CR/LF, with the time its chunk arrived */
  onLine(line: string, now: number): void;
  /** a line too long to be chat was skipped unread */
  onOverlong(now: number): void;
  /** the socket is gone (whoever closed it) */
  onClose(): void;
}

/** every Twitch capability: tags, commands (NOTICE, ROOMSTATE, RECONNECT, …) and membership (JOIN, PART, NAMES) */
const CAPS = 'CAP REQ :twitch.tv/tags twitch.tv/commands twitch.tv/membership';

export class IrcLink {
  private readonly socket: Socket;
  /** lines decoded one by one from the socket's Buffers, each a string of its own (lines.ts says why) */
  private readonly lines = new LineSplitter();
  private closed = false;

  constructor(private readonly o: LinkOptions) {
    const { host, port } = o;
    this.socket = o.tls ? tlsConnect({ host, port, servername: host }) : tcpConnect({ host, port });
    this.socket.setNoDelay(true);
    this.socket.once(o.tls ? 'secureConnect' : 'connect', () => {
      this.send(CAPS);
      if (o.pass) this.send(`PASS ${o.pass}`, true);
      this.send(`NICK ${o.nick}`);
    });
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.on('error', (err) => o.log.debug({ err: err.message, nick: o.nick }, 'chat connection error'));
    this.socket.on('close', () => {
      this.closed = true;
      o.onClose();
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  send(line: string, secret = false): void {
    if (this.closed || this.socket.destroyed) return;
    if (!secret) this.o.log.debug({ line, nick: this.o.nick }, 'chat >');
    this.socket.write(`${line}\r\n`);
  }

  /** closes at once; onClose follows */
  close(): void {
    if (this.closed) return;
    this.socket.end();
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    const now = Date.now();
    const dropped = this.lines.dropped;
    for (const line of this.lines.push(chunk)) {
      this.o.onLine(line, now);
      if (this.closed) return;
    }
    // a line over the parser's limit is skipped without being kept (Twitch's longest are a few KiB)
    for (let n = this.lines.dropped - dropped; n > 0; n--) this.o.onOverlong(now);
  }
}
