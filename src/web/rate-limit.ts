// The per-client request limit every capability's API puts in front of its routes.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../core/errors.js';

/** A per-client limit (requests per minute per address); 0 switches it off (no hook at all). */
export function rateLimiter(perMinute: number) {
  if (perMinute <= 0) return [];
  const hits = new Map<string, { count: number; windowStart: number }>();
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const now = Date.now();
    const key = request.ip;
    let entry = hits.get(key);
    if (!entry || now - entry.windowStart >= 60_000) {
      if (hits.size > 10_000) hits.clear();
      entry = { count: 0, windowStart: now };
      hits.set(key, entry);
    }
    entry.count++;
    if (entry.count > perMinute) {
      const retryAfter = Math.max(1, Math.ceil((entry.windowStart + 60_000 - now) / 1000));
      reply.header('retry-after', String(retryAfter));
      throw new HttpError(429, 'rate_limited', `More than ${perMinute} requests a minute from this address; try again in ${retryAfter} s`);
    }
  };
}
