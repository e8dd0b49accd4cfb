import type { FastifyInstance } from 'fastify';

/**
 * Pages under this prefix are for embedding (stream overlays in OBS or on other sites, a later
 * capability): they may be framed. Everything else refuses to be framed (clickjacking).
 */
export const OVERLAY_PREFIX = '/overlay/';

// The UI is a Vite bundle: one module script and one stylesheet from /assets, no inline script.
// Styles set from script (Preact's style={{…}}, uPlot) go through the CSSOM, which style-src
// does not restrict, so no 'unsafe-inline' is needed. The Twitch player is an iframe from
// player.twitch.tv and Live's chat one from www.twitch.tv/embed (real-Twitch mode only) and thumbnails come from static-cdn.jtvnw.net.
// connect-src 'self' also covers ws:/wss: to the same host and port (CSP level 3).
const POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: https://static-cdn.jtvnw.net",
  'frame-src https://player.twitch.tv https://www.twitch.tv',
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
];

const COMMON = {
  'x-content-type-options': 'nosniff',
  // the Twitch player checks its parent= against the embedding origin, so send the origin (not no-referrer)
  'referrer-policy': 'strict-origin-when-cross-origin',
};
const FRAMED_NOWHERE = { ...COMMON, 'content-security-policy': [...POLICY, "frame-ancestors 'none'"].join('; '), 'x-frame-options': 'DENY' };
const FRAMEABLE = { ...COMMON, 'content-security-policy': POLICY.join('; ') };

/**
 * The API docs page (@fastify/swagger-ui staticCSP) keeps its own policy, which it needs for its
 * inline bits, with two changes: it may not be framed either, and it does not ask for
 * upgrade-insecure-requests, which would send its assets to https:// on a plain-HTTP Lurk in a LAN.
 */
export function docsPolicy(policy: string): string {
  return policy.replace(/\s*upgrade-insecure-requests;?/, '').replace("frame-ancestors 'self'", "frame-ancestors 'none'");
}

/**
 * Security headers on every response, UI and API alike (a JSON body opened as a page, or a
 * future HTML route, gets the same protection). Precomputed: two object lookups per request.
 * /api/docs replaces the CSP with its own (@fastify/swagger-ui staticCSP, in its onSend).
 */
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(request.url.startsWith(OVERLAY_PREFIX) ? FRAMEABLE : FRAMED_NOWHERE);
    done();
  });
}
