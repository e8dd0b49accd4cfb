import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Logger } from 'pino';
import { escapeTag, parseLine, type IrcMessage } from './irc-message.js';

export interface ChatMessage {
  /** channel login, without '#' */
  channel: string;
  /** sender login */
  user: string;
  displayName: string;
  text: string;
  /** Twitch's message id, for threaded replies */
  id: string | undefined;
  tags: Map<string, string>;
  /** the line as received */
  raw: string;
}

export interface IrcClientOptions {
  host: string;
  port: number;
  tls: boolean;
  /** the bot account's login */
  login: string;
  /** a user access token with chat:read and chat:edit (asked for on every connect, so a renewed one is used) */
  token: () => Promise<string> | string;
  channels: string[];
  log: Pick<Logger, 'info' | 'warn' | 'debug'>;
  /** longest wait between reconnect attempts */
  maxBackoffMs?: number;
}

/**
 * A small Twitch chat client over TCP (twitch-protocol.md §5): tags and commands capabilities,
 * PASS/NICK login, JOIN, PING/PONG, RECONNECT and reconnects with backoff, and replies
 * threaded with reply-parent-msg-id. Lurk's own, because twurple's ChatClient cannot be
 * pointed at another port.
 */
export class IrcClient {
  private socket: Socket | undefined;
  private buffer = '';
  private closed = false;
  private attempt = 0;
  private readyResolve: (() => void) | undefined;
  private readonly handlers: ((m: ChatMessage) => void)[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  connected = false;

  constructor(private readonly o: IrcClientOptions) {}

  onMessage(handler: (m: ChatMessage) => void): void {
    this.handlers.push(handler);
  }

  /** resolves once logged in and joined (the first time); later drops reconnect on their own */
  start(): Promise<void> {
    return new Promise((resolve) => {
      this.readyResolve = resolve;
      void this.open();
    });
  }

  say(channel: string, text: string, replyTo?: string): void {
    const flat = text.replace(/[\r\n]+/g, ' ').slice(0, 500);
    const tags = replyTo ? `@reply-parent-msg-id=${escapeTag(replyTo)} ` : '';
    this.send(`${tags}PRIVMSG #${channel.toLowerCase()} :${flat}`);
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.socket?.end();
    this.socket?.destroy();
  }

  private async open(): Promise<void> {
    if (this.closed) return;
    let token: string;
    try {
      token = await this.o.token();
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'chat token unavailable; retrying');
      return this.retry();
    }
    const { host, port } = this.o;
    const socket = this.o.tls ? tlsConnect({ host, port, servername: host }) : tcpConnect({ host, port });
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.once(this.o.tls ? 'secureConnect' : 'connect', () => {
      this.send('CAP REQ :twitch.tv/tags twitch.tv/commands');
      this.send(`PASS oauth:${token.replace(/^oauth:/, '')}`, true);
      this.send(`NICK ${this.o.login.toLowerCase()}`);
    });
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('error', (err) => this.o.log.debug({ err: err.message }, 'chat connection error'));
    socket.on('close', () => {
      this.connected = false;
      if (this.socket === socket) this.socket = undefined;
      if (!this.closed) this.retry();
    });
  }

  private retry(): void {
    if (this.closed) return;
    const delay = Math.min(this.o.maxBackoffMs ?? 30_000, 250 * 2 ** this.attempt++);
    this.retryTimer = setTimeout(() => void this.open(), delay);
  }

  private send(line: string, secret = false): void {
    if (!this.socket || this.socket.destroyed) return;
    if (!secret) this.o.log.debug({ line }, 'chat >');
    this.socket.write(`${line}\r\n`);
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      const msg = parseLine(line);
      if (msg) this.handle(msg, line);
    }
  }

  private handle(msg: IrcMessage, raw: string): void {
    switch (msg.command) {
      case '001':
        this.attempt = 0;
        this.connected = true;
        for (const c of this.o.channels) this.send(`JOIN #${c.toLowerCase()}`);
        this.o.log.info({ channels: this.o.channels.length }, 'chat connected');
        this.readyResolve?.();
        this.readyResolve = undefined;
        return;
      case 'PING':
        return this.send(`PONG :${msg.params.at(-1) ?? 'tmi.twitch.tv'}`);
      case 'RECONNECT':
        this.o.log.info('chat server asked to reconnect');
        this.socket?.destroy();
        return;
      case 'NOTICE':
        if (/login authentication failed|improperly formatted auth/i.test(msg.params.at(-1) ?? '')) this.o.log.warn('chat login refused: check the chat token');
        else this.o.log.debug({ notice: msg.params.at(-1) }, 'chat notice');
        return;
      case 'PRIVMSG': {
        const channel = (msg.params[0] ?? '').replace(/^#/, '');
        const user = msg.prefix.split('!')[0] ?? '';
        const m: ChatMessage = { channel, user, displayName: msg.tags.get('display-name') || user, text: msg.params[1] ?? '', id: msg.tags.get('id'), tags: msg.tags, raw };
        for (const h of this.handlers) h(m);
        return;
      }
      default:
        return;
    }
  }
}
