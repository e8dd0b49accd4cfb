// Child process for bench/discover.bench.ts: Lurk serving Discover from a SQLite store filled
// with `count` streams, without sweeping, with the per-client rate limit off.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLurk } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/core/logger.js';
import { openStore } from '../../src/store/database.js';
import { upsertStreams } from '../../src/streams/store.js';
import { benchStreams } from './streams.js';

const count = Number(process.argv[2] ?? 100_000);
const dir = await mkdtemp(path.join(os.tmpdir(), 'lurk-bench-api-'));
const url = `sqlite:${path.join(dir, 'lurk.db')}`;
const seed = await openStore({ url });
await seed.migrate();
await seed.db.transaction().execute((trx) => upsertStreams(trx, seed.facts, benchStreams(count), { generation: 1, seenAt: Date.now() }));
await seed.close();
const config = loadConfig({ env: { DATABASE_URL: url, PORT: '0', LOG_LEVEL: 'warn', LURK_API_RATE_LIMIT: '0', LURK_DISCOVER_THROTTLE_VISITORS: '0' } });
const lurk = await createLurk(config, { simulator: false, sweep: false, log: createLogger('warn') });
const address = await lurk.start();
process.stdout.write(`${JSON.stringify({ url: address, pool: lurk.discover.pool.size })}\n`);
