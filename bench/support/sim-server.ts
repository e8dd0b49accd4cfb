// Child process for bench/sim.bench.ts: a simulator of the requested size with the rate limit
// off, so the bench measures the simulator and not the client or the limiter.
import { createSimulator } from '../../src/sim/index.js';
import { createLogger } from '../../src/core/logger.js';

const live = Number(process.argv[2] ?? 100_000);
const viewersPerLive = Number(process.argv[3] ?? 20);
const started = performance.now();
const sim = createSimulator({
  seed: 42,
  channels: live * 4,
  live,
  viewersPerLive,
  speed: 0,
  port: 0,
  ircPort: null,
  ircWsPort: null,
  rateLimitPerMinute: 0,
  startMs: Date.UTC(2026, 10, 22, 12),
  log: createLogger('warn'),
});
const addresses = await sim.start();
const buildMs = performance.now() - started;
const client = sim.auth.registeredClients()[0]!;
process.stdout.write(`${JSON.stringify({ port: addresses.port, buildMs, viewers: sim.world.stats().viewers, ...client })}\n`);
