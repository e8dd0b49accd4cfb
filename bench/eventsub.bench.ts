// EventSub webhook intake (#11): signed notifications POSTed over real HTTP to a Lurk's webhook
// route (scratch SQLite file, embedded simulator, nothing sweeping), each verified, recorded in
// the durable inbox, answered 204 and drained to the bus; counted when the bus delivers it.
// Beside it, in the same run on the same bodies: the bare check a receiver cannot skip, the
// HMAC-SHA256 over id + timestamp + body compared in constant time. Client and server share this
// process (and its cores), as a reverse proxy on the same machine would.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { createLurk } from '../src/app.js';
import { signMessage, verifySignature, webhookSecret } from '../src/twitch/eventsub/verify.js';
import { EVENTSUB_WEBHOOK_PATH } from '../src/twitch/eventsub/webhook.js';
import { memoryLogger, testConfig } from '../test/helpers/app.js';
import { tempSqlite } from '../test/helpers/db.js';
import { interleavedMedians, type BenchContext, type Figure } from './lib.js';

const SECRET_KEY = 'bench-master-key-0123456789abcdef-0123456789';
const CONNECTIONS = 8;

interface Signed {
  id: string;
  timestamp: string;
  body: string;
  signature: string;
  secret: string;
}

/** `n` channel.update notifications over 50 channels, signed as Twitch signs them */
function signedBodies(n: number, callback: string): Signed[] {
  const key = Buffer.from(SECRET_KEY, 'utf8');
  return Array.from({ length: n }, (_, i) => {
    const condition = { broadcaster_user_id: String(1000 + (i % 50)) };
    const body = JSON.stringify({
      subscription: { id: randomUUID(), status: 'enabled', type: 'channel.update', version: '2', condition, transport: { method: 'webhook', callback }, created_at: new Date().toISOString(), cost: 0 },
      event: {
        ...condition,
        broadcaster_user_login: `c${i % 50}`,
        broadcaster_user_name: `C${i % 50}`,
        title: `title ${i}`,
        language: 'en',
        category_id: '509658',
        category_name: 'Just Chatting',
        content_classification_labels: [],
      },
    });
    const id = randomUUID();
    const timestamp = new Date().toISOString().replace('Z', '123456Z');
    const secret = webhookSecret(key, 'channel.update', '2', condition);
    return { id, timestamp, body, secret, signature: signMessage(secret, id, timestamp, body) };
  });
}

function post(agent: http.Agent, port: number, s: Signed): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: EVENTSUB_WEBHOOK_PATH,
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(s.body),
          'twitch-eventsub-message-id': s.id,
          'twitch-eventsub-message-retry': '0',
          'twitch-eventsub-message-type': 'notification',
          'twitch-eventsub-message-signature': s.signature,
          'twitch-eventsub-message-timestamp': s.timestamp,
          'twitch-eventsub-subscription-type': 'channel.update',
          'twitch-eventsub-subscription-version': '2',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(s.body);
  });
}

export default async function eventsubBench(ctx: BenchContext): Promise<Figure[]> {
  const n = ctx.quick ? 300 : 4000;
  const runs = ctx.quick ? 1 : 3;
  const db = await tempSqlite();
  const lurk = await createLurk(testConfig({ DATABASE_URL: db.url, LURK_SECRET_KEY: SECRET_KEY, LURK_DIGEST_DIR: 'off' }), { log: memoryLogger('warn').log, sweep: false });
  let delivered = 0;
  let waiting: { target: number; resolve: () => void } | undefined;
  lurk.bus.subscribe('eventsub.notification', () => {
    delivered++;
    if (waiting && delivered >= waiting.target) waiting.resolve();
  });
  try {
    const base = await lurk.start();
    const port = Number(new URL(base).port);
    const callback = `${base}${EVENTSUB_WEBHOOK_PATH}`;

    const intake = async (): Promise<number> => {
      // fresh ids every round: a repeated id would be a duplicate, not a notification
      const bodies = signedBodies(n, callback);
      const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
      const target = delivered + n;
      const onBus = new Promise<void>((resolve) => (waiting = { target, resolve }));
      let next = 0;
      const start = performance.now();
      try {
        await Promise.all(
          Array.from({ length: CONNECTIONS }, async () => {
            while (next < bodies.length) {
              const status = await post(agent, port, bodies[next++]!);
              if (status !== 204) throw new Error(`the webhook answered ${status}`);
            }
          }),
        );
        await onBus;
        return n / ((performance.now() - start) / 1000);
      } finally {
        agent.destroy();
      }
    };

    const verifyOnly = async (): Promise<number> => {
      const bodies = signedBodies(n, callback);
      const start = performance.now();
      let ok = 0;
      // several passes so the loop runs long enough to time
      for (let pass = 0; pass < 20; pass++) for (const s of bodies) if (verifySignature(s.secret, s.id, s.timestamp, Buffer.from(s.body), s.signature)) ok++;
      if (ok !== n * 20) throw new Error('a signature did not verify');
      return ok / ((performance.now() - start) / 1000);
    };

    ctx.log(`${n} notifications per round, ${runs} rounds after a warm-up, ${CONNECTIONS} connections`);
    const [intakeRate, verifyRate] = await interleavedMedians(runs, [intake, verifyOnly], (round, i) => ctx.log(`round ${round}: ${i === 0 ? 'webhook intake' : 'bare HMAC verify'}`));
    return [
      {
        name: 'EventSub webhook intake: verified notifications through the durable queue to the bus',
        value: intakeRate!,
        unit: 'notifications/s',
        anchor: 'bare HMAC-SHA256 verify loop on the same bodies',
        anchorValue: verifyRate!,
        better: 'higher',
        note: `${CONNECTIONS} keep-alive connections, SQLite file, one row per message (insert-or-ignore, then drained and marked done)`,
      },
    ];
  } finally {
    await lurk.stop();
    await db.drop();
  }
}
