import { Simulator, type SimProtocol, type SimulatorOptions } from './simulator.js';
import { controlProtocol } from './protocols/control.js';
import { helixProtocol } from './protocols/helix.js';
import { eventSubProtocol } from './protocols/eventsub/index.js';
import { ircProtocol } from './protocols/irc/index.js';
import { oauthProtocol } from './protocols/oauth.js';

export { Simulator };
export type { SimulatorAddresses, SimulatorOptions } from './simulator.js';
export type { LentAccount, SimSummary } from './summary.js';
export { speedProblem } from './pace.js';
export { generateClientId, generateClientSecret, lurkRedirectUris, redirectUriProblem } from './auth.js';

/** A simulator with every protocol: OAuth, Helix, EventSub (WebSocket and webhooks), IRC and the /_sim API. */
export function createSimulator(options: SimulatorOptions, extra: SimProtocol[] = []): Simulator {
  const sim = new Simulator(options);
  sim.use(oauthProtocol()).use(helixProtocol()).use(eventSubProtocol()).use(controlProtocol());
  if (options.ircPort !== null || options.ircWsPort !== null) sim.use(ircProtocol({ ...options.irc, port: options.ircPort, wsPort: options.ircWsPort }));
  for (const p of extra) sim.use(p);
  return sim;
}
