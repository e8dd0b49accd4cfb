// One socket to Twitch chat: TLS or plain TCP, the login handshake and line framing. What the
// lines mean is the pool's business (pool.ts); a link only carries them.
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Logger } from '../../core/logger.js';

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
  /** the socket is gone (whoever closed it) */
  onClose(): void;
}

/** every Twitch capability: tags, commands (NOTICE, ROOMSTATE, RECONNECT, …) and membership (JOIN, PART, NAMES) */
const CAPS = 'CAP REQ :twitch.tv/tags twitch.tv/commands twitch.tv/membership';
/** a line longer than this without a line break is not chat: the link is closed (Twitch allows 8 KiB of tags plus 512 bytes) */
const MAX_LINE = 64 * 1024;

export class IrcLink {
  private readonly socket: Socket;
  private buffer = '';
  private closed = false;

  constructor(private readonly o: LinkOptions) {
    const { host, port } = o;
    this.socket = o.tls ? tlsConnect({ host, port, servername: host }) : tcpConnect({ host, port });
    this.socket.setEncoding('utf8');
    this.socket.setNoDelay(true);
    this.socket.once(o.tls ? 'secureConnect' : 'connect', () => {
      this.send(CAPS);
      if (o.pass) this.send(`PASS ${o.pass}`, true);
      this.send(`NICK ${o.nick}`);
    });
    this.socket.on('data', (chunk: string) => this.receive(chunk));
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

  private receive(chunk: string): void {
    const now = Date.now();
    const data = this.buffer ? this.buffer + chunk : chunk;
    let start = 0;
    for (let nl = data.indexOf('\n'); nl >= 0; nl = data.indexOf('\n', start)) {
      const end = nl > start && data.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (end > start) this.o.onLine(data.slice(start, end), now);
      start = nl + 1;
      if (this.closed) return;
    }
    this.buffer = start < data.length ? data.slice(start) : '';
    if (this.buffer.length > MAX_LINE) {
      this.o.log.debug({ nick: this.o.nick, bytes: this.buffer.length }, 'chat line too long; closing the connection');
      this.buffer = '';
      this.close();
    }
  }
}
