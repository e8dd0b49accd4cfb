import { isIP } from 'node:net';
import os from 'node:os';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../core/errors.js';

// A web page the visitor has open elsewhere can make their browser talk to Lurk. Three checks
// keep that page from acting or reading through it, for every route and socket, present and future:
//  - Host must be one of Lurk's own names (DNS rebinding: attacker.example resolving to 127.0.0.1
//    makes the browser treat Lurk as same-origin with the attacker's page, reads included);
//  - a request that changes state, and a WebSocket upgrade, must come from Lurk's own pages
//    (Sec-Fetch-Site, else Origin, compared with Host);
//  - a request that changes state must be application/json, which no form, no-cors fetch or
//    other "simple" cross-site request can send without a CORS preflight (which Lurk never grants).
// Clients that are not browsers (curl, scripts) send neither Origin nor Sec-Fetch-Site and pass.

/** Listen addresses that mean "every interface": no single name is Lurk's own. */
const ANY_ADDRESS = new Set(['0.0.0.0', '::', '[::]']);

/** a listen address (or a URL's hostname) that means every interface, not one name */
export function isAnyAddress(host: string): boolean {
  return ANY_ADDRESS.has(host);
}
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface HostPolicy {
  /** `*`: every Host is accepted */
  any: boolean;
  names: Set<string>;
  /** `.example.com` entries: that name and every name under it */
  suffixes: string[];
  /** IP literals: a Host that is an address cannot be a rebinding (that needs a name) */
  addresses: boolean;
}

/**
 * The names Lurk answers to. Listed explicitly (LURK_ALLOWED_HOSTS), exactly those; by default the
 * listen address and the loopback names, and when listening on every interface also this
 * machine's host name and any IP address (reaching Lurk by address from the network stays possible).
 */
export function hostPolicy(listenHost: string, allowedHosts: readonly string[] | undefined, publicUrl?: string): HostPolicy {
  // the public URL is where Twitch delivers webhooks: its name is Lurk's own, whatever else is allowed
  const publicName = publicUrl ? normalName(new URL(publicUrl).hostname) : undefined;
  if (allowedHosts) {
    const entries = [...allowedHosts.map(normalName), ...(publicName ? [publicName] : [])];
    return {
      any: entries.includes('*'),
      names: new Set(entries.filter((e) => !e.startsWith('.'))),
      suffixes: entries.filter((e) => e.startsWith('.')),
      addresses: false,
    };
  }
  const everywhere = isAnyAddress(listenHost);
  const names = new Set(LOOPBACK_NAMES);
  if (publicName) names.add(publicName);
  if (!everywhere) names.add(normalName(listenHost));
  else {
    const me = normalName(os.hostname());
    names.add(me);
    names.add(`${me}.local`);
  }
  return { any: false, names, suffixes: [], addresses: everywhere };
}

/** `Example.COM.`, `[::1]` → `example.com`, `::1` (what a Host header's name is compared as) */
function normalName(name: string): string {
  let n = name.trim().toLowerCase();
  if (n.startsWith('[') && n.endsWith(']')) n = n.slice(1, -1);
  return n.endsWith('.') && n.length > 1 ? n.slice(0, -1) : n;
}

/** the name part of a Host header: `lurk.local:8080` → `lurk.local`, `[::1]:8080` → `::1` */
function hostName(host: string): string {
  let name = host;
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end > 0) name = host.slice(0, end + 1);
  } else {
    const colon = host.indexOf(':');
    if (colon >= 0 && colon === host.lastIndexOf(':')) name = host.slice(0, colon);
  }
  return normalName(name);
}

export function hostAllowed(policy: HostPolicy, host: string): boolean {
  if (policy.any) return true;
  const name = hostName(host);
  if (policy.names.has(name)) return true;
  for (const s of policy.suffixes) if (name.endsWith(s) || name === s.slice(1)) return true;
  return policy.addresses && isIP(name) !== 0;
}

/** `http://Lurk.local:80` → `lurk.local` (default ports dropped, as browsers do in Host) */
function authority(value: string, scheme?: string): string {
  const a = value.toLowerCase();
  if (a.endsWith(':80') && scheme !== 'https') return a.slice(0, -3);
  if (a.endsWith(':443') && scheme !== 'http') return a.slice(0, -4);
  return a;
}

/** same scheme-less authority as the Host the browser sent (works behind a TLS proxy that keeps Host) */
function sameOrigin(origin: string, host: string): boolean {
  const sep = origin.indexOf('://');
  if (sep <= 0) return false; // includes `null` (sandboxed frames, file:, some redirects)
  const scheme = origin.slice(0, sep).toLowerCase();
  return authority(origin.slice(sep + 3), scheme) === authority(host);
}

/**
 * Why a browser request may not act on Lurk, or undefined when it may. Used for every request
 * that changes state and for every WebSocket upgrade (a socket is a channel the page can act
 * and read through, and browsers do not apply CORS to it).
 */
export function foreignOrigin(request: FastifyRequest): string | undefined {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return `Sec-Fetch-Site is ${JSON.stringify(site)}: only Lurk's own pages may do this`;
  const origin = request.headers.origin;
  if (origin !== undefined && !sameOrigin(origin, request.headers.host ?? '')) return `Origin ${JSON.stringify(origin)} is not this server: only Lurk's own pages may do this`;
  return undefined;
}

/** a WebSocket handshake (@fastify/websocket routes it through the hooks before upgrading) */
export function isSocketUpgrade(request: FastifyRequest): boolean {
  const upgrade = request.headers.upgrade;
  return upgrade !== undefined && upgrade.toLowerCase() === 'websocket';
}

function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semi = contentType.indexOf(';');
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase() === 'application/json';
}

/**
 * One onRequest hook for the whole server (before body parsing and before any route runs):
 * a wrong Host is a 421, a foreign page acting or opening a socket a 403, a state-changing
 * request that is not JSON a 415. Unknown routes stay 404: nothing runs there.
 */
export function installOriginGuard(app: FastifyInstance, options: { listenHost: string; allowedHosts?: readonly string[]; publicUrl?: string }): void {
  const policy = hostPolicy(options.listenHost, options.allowedHosts, options.publicUrl);
  app.addHook('onRequest', (request, reply, done) => {
    // HTTP/1.0 without Host cannot come from a browser (browsers always send it)
    const host = request.headers.host;
    if (host !== undefined && !hostAllowed(policy, host)) {
      return refuse(request, reply, done, new HttpError(421, 'host_not_allowed', `Host ${JSON.stringify(host)} is not one of this server's names; add it to LURK_ALLOWED_HOSTS`));
    }
    const acts = !SAFE_METHODS.has(request.method);
    if (!acts && !isSocketUpgrade(request)) return done();
    if (request.is404) return done();
    const foreign = foreignOrigin(request);
    if (foreign) return refuse(request, reply, done, new HttpError(403, 'cross_origin', foreign));
    if (acts && !isJson(request.headers['content-type'])) {
      return done(new HttpError(415, 'unsupported_media_type', `${request.method} needs Content-Type: application/json (send {} when there is nothing to say)`));
    }
    done();
  });
}

/**
 * Answers with the error. A refused WebSocket handshake's socket has left Node's HTTP server
 * (nothing would ever close it: each refusal would leak a socket and hold up shutdown), so it is
 * closed once the answer is written.
 */
function refuse(request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void, err: HttpError): void {
  if (isSocketUpgrade(request)) {
    const socket = request.raw.socket;
    reply.raw.once('finish', () => socket.destroy());
  }
  done(err);
}
