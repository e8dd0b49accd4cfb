// Anchor for bench/sim.bench.ts: a bare node:http server answering every request with one
// pre-rendered page of 100 streams, the floor any HTTP server pays for the same traffic.
import http from 'node:http';

const body = process.argv[2] ?? '{}';
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
});
