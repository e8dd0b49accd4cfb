// Whether an accelerated world can be run honestly. The world, Lurk's sweeps and its writes share
// one event loop: when stepping the world takes too much of it, the sweeps stretch over many
// simulated minutes (or the world falls behind the clock) and the hours watched come out short.
// Lurk refuses such a speed at start rather than show wrong figures (and discover/pace.ts warns
// when a running world stops keeping up).
import type { Simulator } from './simulator.js';

/**
 * The share of real time the world may take to step. Measured on a shared 2-core machine with
 * 2,000 channels (300 live, 0.12–0.17 ms a simulated second): at speeds 300 and 700 Lurk's hours
 * were within 0.2 % of the truth; at speed 1,000 the world lagged now and then, sweeps fell up to
 * 800 simulated seconds apart and the hours were 5 % short. 10 % keeps that world under ~700.
 */
export const MAX_WORLD_LOAD = 0.1;

/**
 * Why `sim` cannot run honestly at its speed, or undefined when it can. Measured while the world
 * catches up with the time since the simulator was created and runs on (at most `waitMs` of real
 * time; a cold figure that is already within the limit settles it at once).
 */
export async function speedProblem(sim: Simulator, waitMs = 4000): Promise<string | undefined> {
  const speed = sim.clock.speed;
  if (speed <= 1) return undefined;
  const load = (ms: number) => (speed * ms) / 1000;
  const deadline = Date.now() + waitMs;
  let cost = sim.stepCost();
  while (!(cost && (cost.warm || load(cost.ms) <= MAX_WORLD_LOAD)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    cost = sim.stepCost();
  }
  const lagging = `LURK_SIM_SPEED=${speed}: the simulated world cannot keep up with its clock on this machine; lower LURK_SIM_SPEED or make the world smaller (LURK_SIM_CHANNELS, LURK_SIM_LIVE)`;
  // no warm figure in that time (slow speeds take long to warm up): only a lagging world is refused
  if (!cost || (!cost.warm && load(cost.ms) > MAX_WORLD_LOAD)) return sim.lagging ? lagging : undefined;
  if (load(cost.ms) <= MAX_WORLD_LOAD) return undefined;
  const maxSpeed = Math.max(1, Math.floor((MAX_WORLD_LOAD * 1000) / cost.ms));
  return (
    `LURK_SIM_SPEED=${speed} is faster than this machine can run this world honestly: a simulated second of it takes ${cost.ms.toFixed(2)} ms to step, ` +
    `so the world alone would take ${Math.round(load(cost.ms) * 100)} % of the time (at most ${Math.round(MAX_WORLD_LOAD * 100)} % leaves Lurk time to sweep it often enough to count hours within 1 %). ` +
    `Use LURK_SIM_SPEED=${maxSpeed} or less, or a smaller world (LURK_SIM_CHANNELS, LURK_SIM_LIVE)`
  );
}
