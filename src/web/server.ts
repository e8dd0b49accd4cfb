import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Metrics } from '../core/metrics.js';
import { clientErrorHandler, errorBody, frameworkErrors, installErrorHandling } from './errors.js';
import { docsPolicy, installSecurityHeaders } from './headers.js';
import { finiteNumbers } from './numbers.js';
import { installOriginGuard } from './origin.js';

/** query parameters that are credentials (an OAuth code and state, an overlay key): never logged */
const SECRET_PARAMS = /([?&](?:code|state|key|overlay|token)=)[^&#]*/gi;

/** the request URL as logs show it, credentials in the query replaced */
export function loggedUrl(url: string): string {
  return url.includes('?') ? url.replace(SECRET_PARAMS, '$1****') : url;
}

export const DEFAULT_UI_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/ui');

export interface ReadinessCheck {
  name: string;
  check(): Promise<string | undefined>;
}

export interface WebServerOptions {
  log: Logger;
  metrics: Metrics;
  bodyLimit: number;
  version: string;
  /** each returns undefined when ready, or why it is not */
  readiness: ReadinessCheck[];
  /** folder with the built UI (index.html and assets/) */
  uiDir?: string;
  /** the listen address and LURK_ALLOWED_HOSTS: which Host headers are Lurk's own */
  hosts: { listenHost: string; allowedHosts?: readonly string[]; publicUrl?: string };
}

/**
 * The Fastify assembly shared by every capability: errors, metrics, OpenAPI, WebSocket
 * support, health endpoints and the static UI. Capabilities register their own plugins on it.
 */
export async function createWebServer(options: WebServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.log.child({ component: 'web' }) as FastifyBaseLogger,
    // Requests are logged by the onResponse hook below (at debug), not twice at info.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit,
    // Idle keep-alive sockets are closed at shutdown; in-flight requests finish first.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // what the router and Node's HTTP parser refuse also answers {"error":{"code","message"}}
    frameworkErrors,
    clientErrorHandler,
    // finiteNumbers: no Infinity (from "1e309") or unsafe integer reaches a handler, on any route
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false, useDefaults: true, allErrors: true }, plugins: [finiteNumbers] },
  });

  installErrorHandling(app);
  installSecurityHeaders(app);
  installOriginGuard(app, options.hosts);

  // Once closing, every response asks the client to hang up, so keep-alive sockets whose
  // request was in flight at shutdown end with it instead of waiting out keepAliveTimeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // callback-style hooks: no promise per request on the hot path
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  const debugEnabled = options.log.isLevelEnabled('debug');
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    options.metrics.httpDuration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) request.log.warn({ method: request.method, url: loggedUrl(request.url), status: reply.statusCode }, 'server error');
    else if (debugEnabled) request.log.debug({ method: request.method, url: loggedUrl(request.url), status: reply.statusCode, ms: reply.elapsedTime }, 'request');
    done();
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Lurk API',
        version: options.version,
        description: 'Lurk, a self-hosted Twitch observatory. Every error answers `{"error":{"code","message"}}`.',
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: true, transformStaticCSP: docsPolicy });
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process is up',
        response: { 200: { type: 'object', properties: { status: { type: 'string', const: 'ok' } } } },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: the database answers and every migration is applied',
        response: {
          200: { type: 'object', properties: { status: { type: 'string' }, checks: { type: 'object', additionalProperties: { type: 'string' } } } },
          503: { $ref: 'Error#' },
        },
      },
    },
    async (_request, reply) => {
      const checks: Record<string, string> = {};
      const failures: string[] = [];
      for (const r of options.readiness) {
        let problem: string | undefined;
        try {
          problem = await r.check();
        } catch (err) {
          problem = (err as Error).message;
        }
        checks[r.name] = problem ?? 'ok';
        if (problem) failures.push(`${r.name}: ${problem}`);
      }
      if (failures.length > 0) return reply.status(503).send(errorBody('not_ready', failures.join('; ')));
      return { status: 'ready', checks };
    },
  );

  app.get('/metrics', { schema: { tags: ['health'], summary: 'Prometheus metrics', produces: ['text/plain'] } }, async (_request, reply) => {
    reply.header('content-type', options.metrics.registry.contentType);
    return options.metrics.registry.metrics();
  });

  return app;
}

/**
 * Serves the built UI: hashed assets with long caching, and index.html for the root and for
 * each client-side page a capability declares. Anything else stays a JSON 404.
 */
export async function serveUi(app: FastifyInstance, uiDir: string, pages: readonly string[]): Promise<void> {
  const indexFile = path.join(uiDir, 'index.html');
  if (!existsSync(indexFile)) {
    const notBuilt = async (_req: unknown, reply: import('fastify').FastifyReply) =>
      reply.status(503).send(errorBody('ui_not_built', 'The web UI has not been built; run `npm run build` (npm start does it for you).'));
    app.get('/', { schema: { hide: true } }, notBuilt);
    for (const page of pages) app.get(page, { schema: { hide: true } }, notBuilt);
    return;
  }
  await app.register(fastifyStatic, {
    root: uiDir,
    prefix: '/',
    wildcard: false,
    index: false,
    // send's own `public, max-age=0` would override setHeaders (and sendIndex's no-cache)
    cacheControl: false,
    setHeaders(res, filePath) {
      if (filePath.includes(`${path.sep}assets${path.sep}`)) res.setHeader('cache-control', 'public, max-age=31536000, immutable');
      else res.setHeader('cache-control', 'no-cache');
    },
  });
  const sendIndex = async (_req: unknown, reply: import('fastify').FastifyReply) => reply.header('cache-control', 'no-cache').sendFile('index.html');
  app.get('/', { schema: { hide: true } }, sendIndex);
  for (const page of pages) app.get(page, { schema: { hide: true } }, sendIndex);
}
