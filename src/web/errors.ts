import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../core/errors.js';

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  409: 'conflict',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  431: 'headers_too_large',
  503: 'unavailable',
};

/** The one error body every Lurk endpoint answers with, as a shared OpenAPI schema. */
export const errorSchema = {
  $id: 'Error',
  type: 'object',
  description: 'Every error: HTTP 4xx/5xx with a stable machine code and a message for people.',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', examples: ['bad_request'] },
        message: { type: 'string', examples: ['querystring/limit must be <= 100'] },
      },
    },
  },
} as const;

export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

/** Maps every failure to `{"error":{"code","message"}}`; 5xx details go to the log, not the client. */
export function installErrorHandling(app: FastifyInstance): void {
  app.addSchema(errorSchema);

  app.setErrorHandler((err: FastifyError | HttpError, request, reply) => {
    if (err instanceof HttpError) {
      return reply.status(err.statusCode).send(errorBody(err.code, err.message));
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      const where = fe.validationContext ?? 'request';
      const details = fe.validation
        .map((v) => {
          const field = (v.instancePath || '').replace(/^\//, '').replace(/\//g, '.') || (v.params as { missingProperty?: string })?.missingProperty || '';
          // an enum's message does not say what is allowed: the values are added (direction=up → "out, in")
          const allowed = v.keyword === 'enum' ? (v.params as { allowedValues?: unknown[] }).allowedValues : undefined;
          const values = allowed && allowed.length <= 20 ? `: ${allowed.map((a) => String(a)).join(', ')}` : '';
          return `${where}${field ? `.${field}` : ''} ${v.message ?? 'is invalid'}${values}`;
        })
        .join('; ');
      return reply.status(400).send(errorBody('bad_request', details || fe.message));
    }
    const status = typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 600 ? fe.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err }, 'request failed');
      return reply.status(status).send(errorBody(CODE_BY_STATUS[status] ?? 'internal_error', status === 503 ? fe.message : 'Something went wrong on the server; the details are in its log.'));
    }
    let message = fe.message;
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') message = `Request body is larger than the limit of ${app.initialConfig.bodyLimit} bytes.`;
    if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') message = `Unsupported Content-Type ${JSON.stringify(request.headers['content-type'] ?? '')}; send application/json.`;
    return reply.status(status).send(errorBody(CODE_BY_STATUS[status] ?? 'bad_request', message));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(errorBody('not_found', `No route ${request.method} ${request.url.split('?')[0]}`));
  });
}

/**
 * Fastify's `frameworkErrors`: what the router refuses before any route or error handler runs
 * (a path parameter over maxParamLength, a %-escape that does not decode). The message does not
 * echo the path, which can be many kilobytes.
 */
export function frameworkErrors(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    reply.status(414).send(errorBody('uri_too_long', `A part of the URL path is longer than ${reply.server.initialConfig.maxParamLength ?? 100} characters.`));
  } else if (err.code === 'FST_ERR_BAD_URL') {
    reply.status(400).send(errorBody('bad_request', 'The URL path has a %-escape that is not valid UTF-8.'));
  } else {
    reply.status(400).send(errorBody('bad_request', err.message));
  }
}

/**
 * Fastify's `clientErrorHandler`: Node's HTTP parser refused the request before Fastify saw it
 * (request line and headers over --max-http-header-size, malformed HTTP, a request timeout).
 * Answers in the one error format (unless a response is already under way), then closes the
 * connection as Node's own handler does.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let status = 400;
  let message = 'The request is not valid HTTP.';
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    status = 431;
    message = `The request line and headers are larger than ${maxHeaderSize} bytes.`;
  } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    message = 'The request did not arrive in time.';
  }
  const body = JSON.stringify(errorBody(CODE_BY_STATUS[status]!, message));
  // a pipelined request behind a response already under way: an answer now would land inside that
  // response's body, so the connection is only closed (Node's own handler does the same)
  const underWay = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage?.headersSent === true;
  if (socket.writable && !underWay) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}
