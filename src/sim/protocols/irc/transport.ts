// The two ways clients reach TMI: plain TCP (twurple with webSocket:false, port 6667) and
// WebSocket (tmi.js, twurple's default). Both are reduced to the same small Transport interface,
// so the session code does not care which one it talks over.
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface Transport {
  readonly kind: 'tcp' | 'ws';
  readonly remote: string;
  /** sends CRLF-terminated lines (one WebSocket frame per call) */
  write(data: string): void;
  /** bytes accepted by write() but not yet handed to the kernel */
  buffered(): number;
  /** closes after everything written so far is sent */
  end(): void;
  /** closes now, dropping whatever is buffered */
  destroy(): void;
}

export interface TransportHandlers {
  /** text received; for TCP an arbitrary chunk of the stream, for WebSocket one whole frame */
  data(text: string): void;
  close(): void;
}

export type Accept = (transport: Transport) => TransportHandlers;

// ---------------------------------------------------------------- TCP

function tcpTransport(socket: Socket): Transport {
  return {
    kind: 'tcp',
    remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
    write: (data) => void socket.write(data),
    buffered: () => socket.writableLength,
    end: () => void socket.end(),
    destroy: () => void socket.destroy(),
  };
}

function onTcpConnection(socket: Socket, accept: Accept): void {
  socket.setNoDelay(true);
  // a decoder that keeps multi-byte characters split across chunks intact
  socket.setEncoding('utf8');
  const handlers = accept(tcpTransport(socket));
  socket.on('data', (chunk: string) => handlers.data(chunk));
  socket.on('error', () => socket.destroy());
  socket.once('close', () => handlers.close());
}

// ---------------------------------------------------------------- WebSocket

function wsTransport(ws: WebSocket, remote: string): Transport {
  return {
    kind: 'ws',
    remote,
    write: (data) => {
      if (ws.readyState === ws.OPEN) ws.send(data);
    },
    buffered: () => ws.bufferedAmount,
    end: () => ws.close(1000),
    destroy: () => ws.terminate(),
  };
}

// ---------------------------------------------------------------- listening

export interface Listener {
  port: number;
  close(): Promise<void>;
}

/**
 * The hosts to listen on. Twurple connects to `localhost`, which Node may resolve to ::1 or
 * 127.0.0.1, so the loopback default listens on both (never on a wildcard address, which would
 * expose the simulator to the network).
 */
function hostsFor(host: string | undefined): { required: string; optional?: string } {
  if (host === undefined || host === '127.0.0.1' || host === 'localhost') return { required: '127.0.0.1', optional: '::1' };
  if (host === '::1') return { required: '::1', optional: '127.0.0.1' };
  return { required: host };
}

/** Listens with one server per host on the same port; the optional host is skipped when it does not exist. */
async function listenAll(make: () => Server, port: number, host: string | undefined): Promise<{ servers: Server[]; port: number }> {
  const { required, optional } = hostsFor(host);
  for (let attempt = 0; ; attempt++) {
    const first = make();
    await listen(first, port, required);
    const actual = (first.address() as { port: number }).port;
    if (!optional) return { servers: [first], port: actual };
    const second = make();
    try {
      await listen(second, actual, optional);
      return { servers: [first, second], port: actual };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT' || code === 'EINVAL') return { servers: [first], port: actual };
      await closeServer(first);
      // a free port on one stack may be taken on the other: pick another one, a few times
      if (port !== 0 || code !== 'EADDRINUSE' || attempt >= 5) throw err;
    }
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ port, host, ipv6Only: host.includes(':') }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

export async function listenTcp(port: number, host: string | undefined, accept: Accept): Promise<Listener> {
  const sockets = new Set<Socket>();
  const make = () =>
    createServer((socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      onTcpConnection(socket, accept);
    });
  const { servers, port: actual } = await listenAll(make, port, host);
  return {
    port: actual,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map(closeServer));
    },
  };
}

/** WebSocket on any path; the `irc` subprotocol is selected when offered (tmi.js offers it). */
export async function listenWs(port: number, host: string | undefined, accept: Accept): Promise<Listener> {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has('irc') ? 'irc' : false),
    // IRC lines are short; a client frame beyond this is abuse
    maxPayload: 64 * 1024,
  });
  wss.on('connection', (ws: WebSocket, request: IncomingMessage) => {
    const transport = wsTransport(ws, `${request.socket.remoteAddress ?? '?'}:${request.socket.remotePort ?? '?'}`);
    const handlers = accept(transport);
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => handlers.data(frameText(data, isBinary)));
    ws.on('error', () => ws.terminate());
    ws.once('close', () => handlers.close());
  });
  const make = () => {
    const server = createHttpServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket (IRC) only\n');
    });
    server.on('upgrade', (request, socket, head) => {
      wss.handleUpgrade(request, socket as Socket, head, (ws) => wss.emit('connection', ws, request));
    });
    return server;
  };
  const { servers, port: actual } = await listenAll(make, port, host);
  return {
    port: actual,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      await Promise.all(servers.map(closeServer));
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function frameText(data: Buffer | ArrayBuffer | Buffer[], _isBinary: boolean): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
