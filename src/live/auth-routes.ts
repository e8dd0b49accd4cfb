// The login routes (README "Live events"): /auth/login sends the browser to Twitch with a state
// bound to it, /auth/callback checks that state and stores the account, /auth/logout revokes,
// /api/live/me says who is logged in. The redirect URI is the public URL's callback, or Lurk's
// own address as the browser named it (localhost or 127.0.0.1) so the login cookie comes back.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, HttpError } from '../core/errors.js';
import type { SqlAccountStore } from '../store/accounts.js';
import type { Sessions } from '../web/sessions.js';
import type { Accounts } from './accounts.js';
import { OAuthRefusedError } from './oauth-client.js';
import { LIVE_FEATURES, type LiveFeature, type LiveMe } from './types.js';

export const LOGIN_STATE_MS = 10 * 60_000;
/** a browser's logins in flight (tabs): older ones stop working */
export const LOGIN_STATES_PER_BROWSER = 5;
/** logins in flight across all browsers; beyond, /auth/login answers 429 until some expire */
export const MAX_LOGIN_STATES = 10_000;
const DEFAULT_RETURN = '/live';
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1']);

export interface AuthRoutesDeps {
  accounts: Accounts;
  store: SqlAccountStore;
  sessions: Sessions;
  /**
   * People's time, epoch ms: a login state waits on a person reading Twitch's consent page, so it
   * must not shrink when the simulated world runs fast (Twitch's tokens keep the Twitch clock).
   */
  now: () => number;
  mode: 'simulator' | 'twitch';
  publicUrl: string | undefined;
  /** the port Lurk listens on in its settings (0: any; the real one is read from the server) */
  port: number;
  /** Twitch's OAuth base and Lurk's client id, known once Twitch is reachable */
  twitch: () => { oauth: string; clientId: string };
}

/** the features a user's scopes cover entirely */
export function featuresOf(scopes: string[]): LiveFeature[] {
  return (Object.keys(LIVE_FEATURES) as LiveFeature[]).filter((f) => LIVE_FEATURES[f].every((s) => scopes.includes(s)));
}

function parseFeatures(text: string | undefined): string[] {
  if (!text) return [];
  const scopes: string[] = [];
  for (const name of text
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean)) {
    if (!Object.hasOwn(LIVE_FEATURES, name)) throw badRequest(`features: unknown feature ${JSON.stringify(name.slice(0, 40))} (expected ${Object.keys(LIVE_FEATURES).join(', ')})`);
    scopes.push(...LIVE_FEATURES[name as LiveFeature]);
  }
  return scopes;
}

const hasControl = (text: string) => [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/** a path on this site: `/…` but not `//…` or `/\…`, which browsers read as another host */
function returnPath(text: string | undefined): string {
  if (text === undefined || text === '') return DEFAULT_RETURN;
  if (!text.startsWith('/') || text.startsWith('//') || text.startsWith('/\\') || hasControl(text)) throw badRequest('return: expected a path on this site, starting with / (not //)');
  // the Location header takes ASCII only: anything else goes percent-encoded, as a browser sends it
  // (the query string was UTF-8-decoded, so no lone surrogate reaches encodeURIComponent)
  return text.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
}

const badState = (message: string) => new HttpError(400, 'bad_state', message);

const errorResponses = { 400: { $ref: 'Error#' }, 401: { $ref: 'Error#' }, 403: { $ref: 'Error#' }, 429: { $ref: 'Error#' }, 502: { $ref: 'Error#' } };

const meSchema = {
  type: 'object',
  required: ['mode', 'user', 'csrf'],
  properties: {
    mode: { type: 'string', enum: ['simulator', 'twitch'] },
    user: {
      type: ['object', 'null'],
      required: ['id', 'login', 'display_name', 'scopes', 'features'],
      properties: {
        id: { type: 'string' },
        login: { type: 'string' },
        display_name: { type: 'string' },
        scopes: { type: 'array', items: { type: 'string' } },
        features: { type: 'array', items: { type: 'string', enum: Object.keys(LIVE_FEATURES) } },
      },
    },
    csrf: { type: ['string', 'null'] },
  },
} as const;

export async function authRoutes(app: FastifyInstance, deps: AuthRoutesDeps): Promise<void> {
  const { accounts, store, sessions, now } = deps;

  const redirectUri = (request: FastifyRequest): string => {
    if (deps.publicUrl) return `${deps.publicUrl.replace(/\/+$/, '')}/auth/callback`;
    const address = app.server.address() as AddressInfo | string | null;
    const port = address && typeof address === 'object' ? address.port : deps.port;
    const host = LOOPBACK_NAMES.has(request.hostname) ? request.hostname : 'localhost';
    return `http://${host}:${port}/auth/callback`;
  };

  app.get<{ Querystring: { features?: string; return?: string } }>(
    '/auth/login',
    {
      schema: {
        tags: ['live'],
        summary: "Log in with Twitch: a redirect to Twitch's consent page asking for the features' scopes and those already granted",
        querystring: {
          type: 'object',
          properties: {
            features: { type: 'string', maxLength: 200, description: `comma-separated: ${Object.keys(LIVE_FEATURES).join(', ')}` },
            return: { type: 'string', maxLength: 2048, description: 'a path on this site to land on afterwards (default /live)' },
          },
        },
        response: { 302: { type: 'null', description: "to Twitch's /authorize" }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const wanted = parseFeatures(request.query.features);
      const returnTo = returnPath(request.query.return);
      const current = await sessions.user(request);
      const scopes = [...new Set([...(current?.scopes ?? []), ...wanted])].sort();
      const state = randomBytes(32).toString('base64url');
      const at = now();
      const row = { state, browser: sessions.browser(request, reply), scopes: scopes.join(' '), return_to: returnTo, expires_at: at + LOGIN_STATE_MS };
      if (!(await store.insertLoginState(row, { now: at, perBrowser: LOGIN_STATES_PER_BROWSER, maxLive: MAX_LOGIN_STATES }))) {
        reply.header('retry-after', '60');
        throw new HttpError(429, 'too_many_logins', 'too many logins in flight; try again in a minute');
      }
      const twitch = deps.twitch();
      const url = new URL(`${twitch.oauth}/authorize`);
      url.search = new URLSearchParams({ response_type: 'code', client_id: twitch.clientId, redirect_uri: redirectUri(request), scope: scopes.join(' '), state }).toString();
      reply.header('cache-control', 'no-store');
      return reply.redirect(url.toString(), 302);
    },
  );

  app.get<{ Querystring: { code?: string; state?: string; scope?: string; error?: string; error_description?: string } }>(
    '/auth/callback',
    {
      schema: {
        tags: ['live'],
        summary: 'Where Twitch sends the browser back: checks the state, stores the account and opens a session',
        querystring: {
          type: 'object',
          properties: {
            code: { type: 'string', maxLength: 512 },
            state: { type: 'string', maxLength: 512 },
            scope: { type: 'string', maxLength: 4096 },
            error: { type: 'string', maxLength: 200 },
            error_description: { type: 'string', maxLength: 2048 },
          },
        },
        response: { 302: { type: 'null', description: 'to the return path, or /live?login_error=' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { code, state, error } = request.query;
      reply.header('cache-control', 'no-store');
      if (!state) throw badState('state: missing; start again at /auth/login');
      const row = await store.takeLoginState(state);
      if (!row) throw badState('state: unknown or already used; start again at /auth/login');
      if (row.expires_at <= now()) throw badState('state: expired; start again at /auth/login');
      if (row.browser !== sessions.browserOf(request)) throw badState('state: made for another browser; start again at /auth/login');
      if (error) {
        const reason = /^[a-z_]{1,64}$/.test(error) ? error : 'error';
        return reply.redirect(`/live?login_error=${reason}`, 302);
      }
      if (!code) throw badRequest('code: missing');
      let userId: string;
      try {
        userId = (await accounts.login(code, redirectUri(request))).userId;
      } catch (err) {
        if (err instanceof OAuthRefusedError) throw new HttpError(400, 'login_failed', err.message);
        request.log.warn({ err: String(err) }, 'login with Twitch failed');
        throw new HttpError(502, 'twitch_unavailable', 'Twitch did not complete the login; try again');
      }
      await sessions.destroy(request, reply);
      await sessions.create(request, reply, userId);
      return reply.redirect(row.return_to, 302);
    },
  );

  app.post(
    '/auth/logout',
    {
      schema: {
        tags: ['live'],
        summary: "Log out: revokes the token at Twitch, forgets the account's tokens and ends all its sessions (favourites are kept)",
        headers: { type: 'object', properties: { 'x-csrf-token': { type: 'string' } } },
        response: { 200: { type: 'object', additionalProperties: false, properties: {} }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const user = await sessions.require(request);
      await accounts.logout(user.userId);
      await sessions.destroy(request, reply);
      return {};
    },
  );

  app.get(
    '/api/live/me',
    { schema: { tags: ['live'], summary: 'Who is logged in (null when nobody), the features their scopes cover, and the CSRF token', response: { 200: meSchema } } },
    async (request, reply): Promise<LiveMe> => {
      reply.header('cache-control', 'no-store');
      const user = await sessions.user(request);
      if (!user) return { mode: deps.mode, user: null, csrf: null };
      return {
        mode: deps.mode,
        user: { id: user.userId, login: user.login, display_name: user.displayName, scopes: user.scopes, features: featuresOf(user.scopes) },
        csrf: user.csrf,
      };
    },
  );
}
