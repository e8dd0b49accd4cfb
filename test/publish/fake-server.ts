import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PublishError } from '../../src/publish/types.js';

/** One request as the fake network received it. */
export interface Received {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  json(): any;
  /** multipart/form-data parsed by undici, exactly as a real server would see it. */
  form(): Promise<FormData>;
}

export interface Reply {
  status?: number;
  json?: unknown;
  headers?: Record<string, string>;
}

export interface FakeServer {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/** A real HTTP server on a free port that records every request and answers with `handle`. */
export async function fakeServer(handle: (req: Received) => Reply | Promise<Reply>): Promise<FakeServer> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const body = Buffer.concat(chunks);
      const headers = req.headers;
      const r: Received = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers,
        body,
        json: () => JSON.parse(body.toString('utf8')),
        form: () => new Response(body, { headers: { 'content-type': String(headers['content-type']) } }).formData(),
      };
      received.push(r);
      try {
        const reply = await handle(r);
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
        res.end(reply.json === undefined ? '' : JSON.stringify(reply.json));
      } catch (error) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'TestServerError', message: String(error) }));
      }
    });
  });
  return listening(server, received);
}

/** `server` on a free port of 127.0.0.1; close() ends every connection, idle or not */
async function listening(server: Server, received: Received[]): Promise<FakeServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const sha256 = (data: Buffer | Uint8Array) => createHash('sha256').update(data).digest('hex');

/**
 * The raw parts of a multipart body. undici's formData() turns a part without a filename into a
 * string, which would mangle binary fields such as X's `media`.
 */
export function multipartParts(req: Received): { name: string; body: Buffer }[] {
  const boundary = /boundary=("?)([^";]+)\1/.exec(String(req.headers['content-type']))?.[2];
  if (!boundary) throw new Error('not multipart');
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const body = Buffer.concat([Buffer.from('\r\n'), req.body]);
  const parts: { name: string; body: Buffer }[] = [];
  let at = body.indexOf(delimiter);
  while (at !== -1 && body.subarray(at + delimiter.length, at + delimiter.length + 2).toString() !== '--') {
    const start = at + delimiter.length + 2;
    const headerEnd = body.indexOf('\r\n\r\n', start);
    const next = body.indexOf(delimiter, headerEnd);
    const name = /name="([^"]*)"/.exec(body.subarray(start, headerEnd).toString())?.[1] ?? '';
    parts.push({ name, body: body.subarray(headerEnd + 4, next) });
    at = next;
  }
  return parts;
}

/** Bytes of an uploaded multipart file. */
export async function fileBytes(form: FormData, field: string): Promise<Buffer> {
  const file = form.get(field);
  if (!(file instanceof Blob)) throw new Error(`no file in ${field}`);
  return Buffer.from(await file.arrayBuffer());
}

/**
 * A network that accepts connections and never answers: with `headers`, it sends the status line
 * and headers and then stalls before the body. Every socket is kept so close() ends them.
 */
export async function hungServer(options: { headers?: boolean } = {}): Promise<FakeServer> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    req.resume();
    received.push({ method: req.method ?? 'GET', path: new URL(req.url ?? '/', 'http://localhost').pathname } as Received);
    if (options.headers) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.flushHeaders();
    }
  });
  return listening(server, received);
}

/** What a publisher must throw when a network does not answer in time: a retryable PublishError saying so. */
export function isTimeoutFailure(publisher: string) {
  return (e: unknown) => e instanceof PublishError && e.publisher === publisher && e.retryable && /no answer within 0\.2 s/.test(e.message);
}
