// The Live bench's clients, in a process of their own (the fd limit is per process: 10,000 server
// sockets and 10,000 client sockets do not fit in one). Connects N `ws` clients to one URL, notes
// when each {type:'event'} frame arrives (performance.timeOrigin + performance.now(), comparable
// across processes on one machine) with the event's id, and answers the parent over IPC. Frames
// are told apart and their ids read without parsing: this process's own time per frame adds to
// every later client's latency.
//   argv[2]: JSON LiveClientsOptions
import WebSocket from 'ws';

export interface LiveClientsOptions {
  url: string;
  clients: number;
  headers?: Record<string, string>;
  /** handshakes in flight at once */
  concurrency?: number;
}

export type LiveClientsCommand = { cmd: 'count'; id: number } | { cmd: 'report' } | { cmd: 'close' };
export type LiveClientsMessage =
  | { type: 'connected'; clients: number; failed: number; firstError: string | null }
  /** clients that have the event `id` */
  | { type: 'count'; id: number; clients: number; open: number }
  /** per client, [event id, arrival, event id, arrival, …] */
  | { type: 'report'; arrivals: number[][] };

const options = JSON.parse(process.argv[2] ?? '{}') as LiveClientsOptions;
const send = (message: LiveClientsMessage) => process.send?.(message);
const now = () => performance.timeOrigin + performance.now();

const sockets: WebSocket[] = [];
const arrivals: number[][] = [];
const counts = new Map<number, number>();
const ID = Buffer.from('"id":');

/** `{"type":"ev…`: an event frame, told apart without parsing (the feed builds its pushes type first) */
function isEvent(data: Buffer): boolean {
  return data.length > 11 && data[9] === 0x65 && data[10] === 0x76 && data[2] === 0x74;
}

/** the first "id": of the frame, the event's (the push is {type, event: {id, …}}) */
function eventId(data: Buffer): number {
  let i = data.indexOf(ID);
  if (i < 0) return -1;
  let id = 0;
  for (i += ID.length; i < data.length && data[i]! >= 0x30 && data[i]! <= 0x39; i++) id = id * 10 + data[i]! - 0x30;
  return id;
}

function connect(index: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const ws = new WebSocket(options.url, { headers: options.headers ?? {}, perMessageDeflate: false });
    const mine: number[] = [];
    let last = -1;
    arrivals[index] = mine;
    ws.on('message', (data: Buffer) => {
      if (!isEvent(data)) return;
      const at = now();
      const id = eventId(data);
      // an event pushed again (its second source read it) is not a new arrival: ids only grow
      if (id <= last) return;
      last = id;
      mine.push(id, at);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    });
    ws.once('open', () => {
      sockets.push(ws);
      resolve(undefined);
    });
    ws.once('unexpected-response', (_req, res) => resolve(`HTTP ${res.statusCode}`));
    ws.on('error', (err) => resolve(err.message));
  });
}

async function main(): Promise<void> {
  const concurrency = options.concurrency ?? 200;
  let next = 0;
  let failed = 0;
  let firstError: string | null = null;
  const worker = async () => {
    while (next < options.clients) {
      const error = await connect(next++);
      if (error !== undefined) {
        failed++;
        firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  send({ type: 'connected', clients: sockets.length, failed, firstError });
}

process.on('message', (command: LiveClientsCommand) => {
  if (command.cmd === 'count') send({ type: 'count', id: command.id, clients: counts.get(command.id) ?? 0, open: sockets.filter((s) => s.readyState === WebSocket.OPEN).length });
  else if (command.cmd === 'report') send({ type: 'report', arrivals });
  else {
    for (const s of sockets) s.terminate();
    process.disconnect?.();
    setTimeout(() => process.exit(0), 100).unref();
  }
});
process.on('disconnect', () => process.exit(0));

await main();
