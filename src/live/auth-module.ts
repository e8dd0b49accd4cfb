// Accounts and login: "Log in with Twitch" (authorization code, state checked), tokens sealed at
// rest, refreshed before expiry and validated hourly, logout that revokes.
// PLACEHOLDER until login lands: no accounts.
import type { CapabilityContext } from '../capability.js';
import type { Sessions } from '../web/sessions.js';
import type { LiveAccounts } from './parts.js';

export interface AuthPart {
  accounts: LiveAccounts;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function registerAuth(_ctx: CapabilityContext, _deps: { sessions: Sessions; masterKey: Buffer }): Promise<AuthPart> {
  const accounts: LiveAccounts = {
    list: async () => [],
    get: async () => undefined,
    token: async () => undefined,
    eventSubUser: (id) => ({ id, token: () => Promise.reject(new Error('no account')) }),
    onChange: () => () => {},
  };
  return { accounts, start: async () => {}, stop: async () => {} };
}
