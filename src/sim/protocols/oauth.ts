// id.twitch.tv for the simulator: token (client credentials, authorization code, refresh),
// authorize (a consent page), validate and revoke, under /oauth2/* as Twitch serves them and
// under /auth/* where twurple's TWURPLE_MOCK_API_PORT sends them.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SimToken } from '../auth.js';
import type { SimProtocol, Simulator } from '../simulator.js';
import { bearerToken } from './helix-common.js';

type Params = Record<string, string | undefined>;

/** Twitch reads token parameters from the query string or a form body; the body wins. */
function params(request: FastifyRequest): Params {
  const out: Params = {};
  const query = request.query as Record<string, unknown>;
  for (const [k, v] of Object.entries(query ?? {})) out[k] = Array.isArray(v) ? String(v[0]) : String(v);
  const body = request.body;
  if (body && typeof body === 'object') for (const [k, v] of Object.entries(body as Record<string, unknown>)) out[k] = Array.isArray(v) ? String(v[0]) : String(v);
  return out;
}

/** id.twitch.tv's error shape: `{"status":400,"message":"…"}` */
function oauthError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.status(status).send({ status, message });
}

function tokenBody(sim: Simulator, t: SimToken) {
  if (t.kind === 'app') return { access_token: t.accessToken, expires_in: sim.auth.expiresIn(t), token_type: 'bearer' };
  return { access_token: t.accessToken, expires_in: sim.auth.expiresIn(t), refresh_token: t.refreshToken, scope: t.scopes, token_type: 'bearer' };
}

function splitScopes(scope: string | undefined): string[] {
  return (scope ?? '').split(/[\s+]+/).filter(Boolean);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function redirectWith(redirectUri: string, values: Record<string, string>, fragment: boolean): string {
  const url = new URL(redirectUri);
  const encoded = new URLSearchParams(values).toString();
  if (fragment) url.hash = encoded;
  else for (const [k, v] of Object.entries(values)) url.searchParams.set(k, v);
  return url.toString();
}

/** the authorize parameters a consent form carries, in a fixed order */
const AUTHORIZE_FIELDS = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'force_verify'] as const;
/** the hidden field carrying the consent form's one-time token */
const FORM_TOKEN_FIELD = 'form_token';

/** the authorize request a consent-form token is bound to: posting changed fields spends the token in vain */
function authorizeRequestKey(p: Params): string {
  return JSON.stringify(AUTHORIZE_FIELDS.map((k) => p[k] ?? null));
}

function consentPage(sim: Simulator, p: Params, defaultLogin: string, formToken: string): string {
  const hidden = AUTHORIZE_FIELDS.filter((k) => p[k] !== undefined)
    .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(p[k]!)}">`)
    .join('');
  const scopes = splitScopes(p.scope);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Authorize · Simulated Twitch</title>
<meta name="color-scheme" content="light dark"><style>body{font:15px system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}
button{font:inherit;padding:.4rem 1rem;margin-right:.5rem}input[type=text]{font:inherit;width:100%;padding:.3rem}</style></head><body>
<h1>Simulated Twitch</h1><p>An application (client <code>${escapeHtml(p.client_id ?? '')}</code>) wants to access your account.</p>
${scopes.length ? `<p>It asks for:</p><ul>${scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join('')}</ul>` : '<p>It asks for no special permissions.</p>'}
<form method="post" action="authorize">${hidden}<input type="hidden" name="${FORM_TOKEN_FIELD}" value="${escapeHtml(formToken)}">
<label>Sign in as (login)<br><input type="text" name="login" value="${escapeHtml(defaultLogin)}" autocomplete="off"></label>
<p><button type="submit" name="decision" value="allow">Authorize</button><button type="submit" name="decision" value="deny">Cancel</button></p></form>
<p><small>This page belongs to Lurk's Twitch simulator (world seed ${sim.world.seed}).</small></p></body></html>`;
}

/**
 * Checks client and redirect URI; answers the error itself and returns false when invalid. An
 * unregistered redirect URI is refused outright, never redirected to (Twitch does the same), so
 * the simulator cannot be made to send a code or a token to a stranger's URL.
 */
function checkAuthorizeRequest(sim: Simulator, p: Params, reply: FastifyReply): boolean {
  if (!sim.auth.client(p.client_id)) {
    oauthError(reply, 400, 'invalid client');
    return false;
  }
  if (!p.redirect_uri || !sim.auth.redirectRegistered(p.client_id!, p.redirect_uri)) {
    oauthError(reply, 400, 'Parameter redirect_uri does not match registered URI');
    return false;
  }
  if (p.response_type !== 'code' && p.response_type !== 'token') {
    oauthError(reply, 400, 'Invalid response type');
    return false;
  }
  return true;
}

/**
 * A browser names the page that sent a form in Origin: only the simulator's own consent page may
 * post a decision. An absent Origin (a non-browser client) still needs the form's token.
 */
function foreignOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  return origin !== `${request.protocol}://${request.host}`;
}

export function oauthProtocol(): SimProtocol {
  return {
    name: 'oauth',
    register(app: FastifyInstance, sim: Simulator) {
      // twurple posts an empty body with a query string; browsers post forms
      if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
        app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
          done(null, Object.fromEntries(new URLSearchParams(String(body))));
        });
      }

      const token = async (request: FastifyRequest, reply: FastifyReply) => {
        const p = params(request);
        const client = sim.auth.client(p.client_id);
        if (!client) return oauthError(reply, 400, 'invalid client');
        if (client.clientSecret !== p.client_secret) return oauthError(reply, 403, 'invalid client secret');
        switch (p.grant_type) {
          case 'client_credentials':
            return tokenBody(sim, sim.auth.issueApp(client.clientId));
          case 'authorization_code': {
            if (!p.code) return oauthError(reply, 400, 'missing code');
            const result = sim.auth.exchangeCode(client.clientId, p.code, p.redirect_uri);
            if (result === 'invalid_code') return oauthError(reply, 400, 'Invalid authorization code');
            if (result === 'redirect_mismatch') return oauthError(reply, 400, 'Parameter redirect_uri does not match registered URI');
            return tokenBody(sim, result);
          }
          case 'refresh_token': {
            const refreshed = p.refresh_token ? sim.auth.refresh(client.clientId, p.refresh_token) : undefined;
            if (!refreshed) return reply.status(400).send({ error: 'Bad Request', status: 400, message: 'Invalid refresh token' });
            return tokenBody(sim, refreshed);
          }
          case 'user_token': {
            // twitch-cli's mock shortcut: a user token for user_id without a browser
            const user = p.user_id ? sim.world.userIndex(p.user_id) : undefined;
            if (user === undefined) return oauthError(reply, 400, 'invalid user_id');
            return tokenBody(sim, sim.auth.issueUser(client.clientId, user, splitScopes(p.scope)));
          }
          default:
            return oauthError(reply, 400, 'unsupported grant type');
        }
      };

      const validate = async (request: FastifyRequest, reply: FastifyReply) => {
        const t = sim.auth.validate(bearerToken(request));
        if (!t) return oauthError(reply, 401, 'invalid access token');
        return {
          client_id: t.clientId,
          ...(t.user !== undefined ? { login: sim.world.login(t.user), user_id: sim.world.userId(t.user) } : {}),
          scopes: t.scopes,
          expires_in: sim.auth.expiresIn(t),
        };
      };

      const revoke = async (request: FastifyRequest, reply: FastifyReply) => {
        const p = params(request);
        if (!sim.auth.client(p.client_id)) return oauthError(reply, 404, 'client does not exist');
        if (!p.token || sim.auth.revoke(p.client_id!, p.token) !== 'ok') return oauthError(reply, 400, 'Invalid token');
        return reply.status(200).send();
      };

      const authorizePage = async (request: FastifyRequest, reply: FastifyReply) => {
        const p = params(request);
        if (!checkAuthorizeRequest(sim, p, reply)) return reply;
        const live = sim.world.liveChannelList();
        const defaultLogin = sim.world.login(live.length ? live[0]! : 0);
        const formToken = sim.auth.issueConsentForm(authorizeRequestKey(p));
        return reply
          .type('text/html; charset=utf-8')
          .header('cache-control', 'no-store')
          .send(consentPage(sim, p, defaultLogin, formToken));
      };

      const authorizeDecision = async (request: FastifyRequest, reply: FastifyReply) => {
        const p = params(request);
        if (p.grant_type === 'user_token') return token(request, reply);
        // cross-site request forgery: another site's page must not approve on the user's behalf
        if (foreignOrigin(request)) return oauthError(reply, 403, 'Cross-origin authorize request refused');
        if (!checkAuthorizeRequest(sim, p, reply)) return reply;
        const allow = p.decision === 'allow';
        // a mistyped login answers before the token is spent, so going back and retrying works
        const user = allow && p.login ? sim.world.userByLogin(p.login) : undefined;
        if (allow && user === undefined)
          return reply
            .status(400)
            .type('text/html; charset=utf-8')
            .send(`<p>No simulated user named ${escapeHtml(p.login ?? '')}.</p>`);
        if (!sim.auth.consumeConsentForm(p[FORM_TOKEN_FIELD], authorizeRequestKey(p))) {
          return oauthError(reply, 403, `Missing, used or expired ${FORM_TOKEN_FIELD}: load the authorize page again`);
        }
        const implicit = p.response_type === 'token';
        const state: Record<string, string> = p.state !== undefined ? { state: p.state } : {};
        if (user === undefined) {
          return reply.redirect(redirectWith(p.redirect_uri!, { error: 'access_denied', error_description: 'The user denied you access', ...state }, implicit), 302);
        }
        const scopes = splitScopes(p.scope);
        if (implicit) {
          const t = sim.auth.issueUser(p.client_id!, user, scopes);
          return reply.redirect(redirectWith(p.redirect_uri!, { access_token: t.accessToken, scope: scopes.join(' '), token_type: 'bearer', ...state }, true), 302);
        }
        const code = sim.auth.issueCode(p.client_id!, user, scopes, p.redirect_uri!);
        return reply.redirect(redirectWith(p.redirect_uri!, { code, scope: scopes.join(' '), ...state }, false), 302);
      };

      for (const prefix of ['/oauth2', '/auth']) {
        app.post(`${prefix}/token`, token);
        app.get(`${prefix}/validate`, validate);
        app.post(`${prefix}/revoke`, revoke);
        app.get(`${prefix}/authorize`, authorizePage);
        app.post(`${prefix}/authorize`, authorizeDecision);
      }
    },
  };
}
