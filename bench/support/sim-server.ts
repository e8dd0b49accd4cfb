// Child process for the simulator benches: a simulator of the requested size, with the rate
// limit off (measuring the simulator) or on (measuring a sweeper against it).
//   sim-server.ts <live> <viewers per live> [rate limit per minute, 0 = off] [start, ISO 8601]
import { createSimulator } from '../../src/sim/index.js';
import { createLogger } from '../../src/core/logger.js';

const live = Number(process.argv[2] ?? 100_000);
const viewersPerLive = Number(process.argv[3] ?? 20);
const rateLimitPerMinute = Number(process.argv[4] ?? 0);
const startMs = process.argv[5] ? Date.parse(process.argv[5]) : Date.UTC(2026, 10, 22, 12);
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
  rateLimitPerMinute,
  // two clients, so two runs in one bench each start with a budget of their own
  clients: [
    { clientId: 'benchclient00000000000000000001', clientSecret: 'benchsecret0000000000000000001' },
    { clientId: 'benchclient00000000000000000002', clientSecret: 'benchsecret0000000000000000002' },
  ],
  startMs,
  log: createLogger('warn'),
});
const addresses = await sim.start();
const buildMs = performance.now() - started;
const [client, second] = sim.auth.registeredClients();
process.stdout.write(`${JSON.stringify({ port: addresses.port, buildMs, viewers: sim.world.stats().viewers, ...client, second })}\n`);
