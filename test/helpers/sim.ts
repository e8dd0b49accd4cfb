import { createSimulator, type Simulator, type SimulatorOptions } from '../../src/sim/index.js';
import type { SimProtocol } from '../../src/sim/simulator.js';
import { freePort, memoryLogger } from './app.js';

export const SIM_START = Date.UTC(2026, 10, 22, 12, 0, 0);

/** A simulator on real sockets, stepped (speed 0) unless told otherwise. */
export async function startSimulator(overrides: Partial<SimulatorOptions> = {}, extra: SimProtocol[] = []): Promise<Simulator> {
  const sim = createSimulator(
    {
      seed: 42,
      channels: 2000,
      live: 500,
      speed: 0,
      startMs: SIM_START,
      port: overrides.port ?? (await freePort()),
      ircPort: null,
      ircWsPort: null,
      log: memoryLogger().log,
      ...overrides,
    },
    extra,
  );
  await sim.start();
  return sim;
}

/** client id and secret the simulator accepts */
export function credentials(sim: Simulator, index = 0): { clientId: string; clientSecret: string } {
  return sim.auth.registeredClients()[index]!;
}

export async function appToken(sim: Simulator, index = 0): Promise<{ clientId: string; token: string; headers: Record<string, string> }> {
  const { clientId, clientSecret } = credentials(sim, index);
  const res = await fetch(`${sim.address.httpUrl}/oauth2/token?grant_type=client_credentials&client_id=${clientId}&client_secret=${clientSecret}`, { method: 'POST' });
  const body = (await res.json()) as { access_token: string };
  return { clientId, token: body.access_token, headers: { 'client-id': clientId, authorization: `Bearer ${body.access_token}` } };
}

const HTML_ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/** GET /oauth2/authorize as a browser would and read its form: the hidden fields, one-time token included */
export async function consentForm(sim: Simulator, query: Record<string, string>): Promise<Record<string, string>> {
  const res = await fetch(`${sim.address.httpUrl}/oauth2/authorize?${new URLSearchParams(query)}`);
  const html = await res.text();
  if (res.status !== 200) throw new Error(`authorize page: HTTP ${res.status} ${html}`);
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[m[1]!] = m[2]!.replace(/&(amp|lt|gt|quot|#39);/g, (e) => HTML_ENTITIES[e]!);
  return fields;
}

/** posts a consent form back from the simulator's own page: its fields plus the login typed and the button pressed */
export function submitConsent(sim: Simulator, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${sim.address.httpUrl}/oauth2/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(sim.address.httpUrl).origin, ...headers },
    body: new URLSearchParams(fields),
  });
}
