import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SimToken } from '../auth.js';
import type { Simulator } from '../simulator.js';
import type { HelixError } from '../../twitch/helix.external.js';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  410: 'Gone',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** Twitch's error body: `{"error":"Unauthorized","status":401,"message":"Invalid OAuth token"}` */
export function twitchError(reply: FastifyReply, status: number, message: string): FastifyReply {
  const body: HelixError = { error: REASONS[status] ?? 'Error', status, message };
  return reply.status(status).type('application/json').send(body);
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const m = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(header.trim());
  return m?.[1];
}

function clientIdHeader(request: FastifyRequest): string | undefined {
  const v = request.headers['client-id'];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Authenticates a Helix request as Twitch does (Client-Id + Bearer token of that client),
 * applies faults and the rate limit, and sets the Ratelimit-* headers. Returns the token, or
 * undefined after it has already answered with Twitch's error.
 */
export async function helixGate(sim: Simulator, request: FastifyRequest, reply: FastifyReply, points = 1): Promise<SimToken | undefined> {
  if (sim.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, sim.faults.latencyMs));
  const clientId = clientIdHeader(request);
  const accessToken = bearerToken(request);
  if (!clientId || !accessToken) {
    twitchError(reply, 401, 'Missing Client ID or OAuth token');
    return undefined;
  }
  const token = sim.auth.validate(accessToken);
  if (!token) {
    twitchError(reply, 401, 'Invalid OAuth token');
    return undefined;
  }
  if (token.clientId !== clientId) {
    twitchError(reply, 401, 'Client ID and OAuth token do not match');
    return undefined;
  }
  const key = token.kind === 'user' ? `${clientId}:${token.user}` : clientId;
  const decision = sim.rateLimiter.take(key, points);
  if (sim.rateLimiter.limit > 0) {
    reply.header('Ratelimit-Limit', String(decision.limit));
    reply.header('Ratelimit-Remaining', String(decision.remaining));
    reply.header('Ratelimit-Reset', String(decision.reset));
  }
  if (!decision.allowed || (sim.faults.rate429 > 0 && Math.random() < sim.faults.rate429)) {
    if (decision.allowed) reply.header('Ratelimit-Remaining', '0');
    twitchError(reply, 429, 'Too Many Requests');
    return undefined;
  }
  if (sim.faults.rate5xx > 0 && Math.random() < sim.faults.rate5xx) {
    const status = [500, 502, 503][Math.floor(Math.random() * 3)]!;
    twitchError(reply, status, 'Simulated server fault');
    return undefined;
  }
  return token;
}

/** RFC 3339 UTC without milliseconds, as Helix writes timestamps */
export { rfc3339 } from '../clock.js';

/** opaque cursors, base64 of a small JSON object like Twitch's `eyJiIjp7…` */
export function encodeCursor(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
export function decodeCursor(cursor: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** query values that may repeat (`?id=1&id=2`), as an array */
export function many(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String).filter((v) => v !== '');
}
