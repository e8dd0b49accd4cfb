import { Simulator, type SimProtocol, type SimulatorOptions } from './simulator.js';
import { controlProtocol } from './protocols/control.js';
import { helixProtocol } from './protocols/helix.js';
import { oauthProtocol } from './protocols/oauth.js';

export { Simulator };
export type { SimulatorOptions };

/** A simulator with every protocol: OAuth, Helix, the /_sim API (and IRC and EventSub when present). */
export function createSimulator(options: SimulatorOptions, extra: SimProtocol[] = []): Simulator {
  const sim = new Simulator(options);
  sim.use(oauthProtocol()).use(helixProtocol()).use(controlProtocol());
  for (const p of extra) sim.use(p);
  return sim;
}
