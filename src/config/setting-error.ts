import { settings } from './settings.js';

/**
 * A setting that parsed but cannot be used here: a port someone else holds, a database folder that
 * is a file or lives in /proc. The CLI reports it like a bad value, exit 2 naming the setting.
 */
export class SettingError extends Error {
  constructor(
    /** the variable at fault, e.g. `DATABASE_URL` or `LURK_SIM_PORT`; several joined with " or " when equal values make it ambiguous */
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
    this.name = 'SettingError';
  }
}

/** A failed listen() as a SettingError naming what chose the address; any other error is returned as it is. */
export function listenError(err: unknown, portSetting: string, hostSetting?: string): unknown {
  const e = err as (NodeJS.ErrnoException & { port?: number; address?: string }) | undefined;
  const where = `port ${e?.port} on ${e?.address}`;
  if (e?.code === 'EADDRINUSE') return new SettingError(portSetting, `${where} is already in use; set ${portSetting} to a free port (0 picks one)`);
  if (e?.code === 'EACCES') return new SettingError(portSetting, `${where} needs privileges this user does not have; pick a port above 1023`);
  if (e?.code === 'EADDRNOTAVAIL' && hostSetting) return new SettingError(hostSetting, `${e.address} is not an address of this machine`);
  return err;
}

/** Which of the simulator's port settings chose `port` (the ones that failed to listen), in the order it listens. */
export function simPortSetting(port: number | undefined, ports: { port: number; ircPort: number; ircWsPort: number }, names = SIM_PORT_NAMES): string {
  const matching = (['port', 'ircPort', 'ircWsPort'] as const).filter((k) => ports[k] !== 0 && ports[k] === port).map((k) => names[k]);
  return matching.length > 0 ? matching.join(' or ') : Object.values(names).join(' or ');
}

export const SIM_PORT_NAMES = { port: settings.simPort.env, ircPort: settings.simIrcPort.env, ircWsPort: settings.simIrcWsPort.env };
