// Accounts and login: "Log in with Twitch" (authorization code, state checked), tokens sealed at
// rest, refreshed before expiry and validated hourly, logout that revokes.
import type { CapabilityContext } from '../capability.js';
import { createSealer } from '../core/sealed.js';
import { SqlAccountStore } from '../store/accounts.js';
import type { Sessions } from '../web/sessions.js';
import { Accounts, REFRESH_AHEAD_MS } from './accounts.js';
import { authRoutes } from './auth-routes.js';
import type { LiveAccounts } from './parts.js';

export interface AuthPart {
  accounts: LiveAccounts;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const REFRESH_EVERY_MS = 5 * 60_000;
const VALIDATE_EVERY_MS = 3_600_000;

export async function registerAuth(ctx: CapabilityContext, deps: { sessions: Sessions; masterKey: Buffer }): Promise<AuthPart> {
  const { config, clock, scheduler, twitch, web } = ctx;
  const log = ctx.log.child({ component: 'live-auth' });
  const store = new SqlAccountStore(ctx.store.db);
  const accounts = new Accounts({ store, sealer: createSealer(deps.masterKey, 'twitch-tokens'), sessions: deps.sessions, twitch, clock, log });

  // on the root, before the login and feed routes exist, so every live route's response slides the cookie
  web.addHook('onSend', async (request, reply, payload) => {
    deps.sessions.renewCookie(request, reply);
    return payload;
  });
  await web.register(async (app) =>
    authRoutes(app, {
      accounts,
      store,
      sessions: deps.sessions,
      now: Date.now,
      mode: config.mode,
      publicUrl: config.http.publicUrl,
      port: config.http.port,
      twitch: () => {
        const target = twitch.target();
        return { oauth: target.endpoints.oauth, clientId: target.clientId };
      },
    }),
  );

  scheduler.register({
    name: 'live.refresh',
    description: `Refreshes the tokens of logged-in accounts that expire within ${REFRESH_AHEAD_MS / 60_000} minutes`,
    schedule: { everyMs: REFRESH_EVERY_MS },
    run: async () => {
      await accounts.refreshDue();
    },
  });
  scheduler.register({
    name: 'live.validate',
    description: "Validates every logged-in account's token with Twitch (required hourly) and rereads the channels each moderates; a revoked account is logged out",
    schedule: { everyMs: VALIDATE_EVERY_MS },
    run: () => accounts.validateAll(),
  });
  scheduler.register({
    name: 'live.sessions.prune',
    description: 'Forgets expired browser sessions and login attempts',
    schedule: { everyMs: VALIDATE_EVERY_MS },
    run: async () => {
      await deps.sessions.prune();
    },
  });

  return { accounts, start: async () => {}, stop: async () => {} };
}
