// Reads a POST /eventsub/subscriptions body the way Twitch checks it (twitch-protocol.md §2.8,
// §3.1 and the 400/401 lists in the OpenAPI file): shape, transport and token kind, type and
// version, condition fields and users, callback and secret.
import type { SimToken } from '../../auth.js';
import type { World } from '../../world/world.js';
import { conditionFields, specFor, type SubscriptionTypeSpec } from './catalog.js';
import type { EventSubCondition } from '../../../twitch/eventsub.external.js';

export interface Rejection {
  status: number;
  message: string;
}

export type RequestedTransport = { method: 'webhook'; callback: string; secret: string } | { method: 'websocket'; sessionId: string };

export interface CreateRequest {
  spec: SubscriptionTypeSpec;
  condition: EventSubCondition;
  transport: RequestedTransport;
}

export const SECRET_MIN = 10;
export const SECRET_MAX = 100;

const reject = (status: number, message: string): Rejection => ({ status, message });

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isRejection(v: unknown): v is Rejection {
  return isObject(v) && typeof v.status === 'number' && typeof v.message === 'string';
}

export function parseCreate(body: unknown, token: SimToken, world: World): CreateRequest | Rejection {
  if (!isObject(body)) return reject(400, 'The request body must be a JSON object');
  const { type, version, condition, transport } = body;
  if (typeof type !== 'string' || !type) return reject(400, 'The type field is required');
  if (typeof version !== 'string' || !version) return reject(400, 'The version field is required');
  if (!isObject(condition)) return reject(400, 'The condition field is required');
  if (!isObject(transport)) return reject(400, 'The transport field is required');

  const method = transport.method;
  if (method !== 'webhook' && method !== 'websocket' && method !== 'conduit') return reject(400, 'The value specified in the method field is not valid');
  const kindError = tokenKindError(method, token);
  if (kindError) return kindError;
  if (method === 'conduit') return reject(400, 'The simulator does not provide conduits; use the webhook or websocket transport');

  const spec = specFor(type, version);
  if (!spec) return reject(400, 'The combination of values in the type and version fields is not valid');
  const parsedCondition = parseCondition(spec, condition, world);
  if (isRejection(parsedCondition)) return parsedCondition;
  const parsedTransport = method === 'webhook' ? parseWebhook(transport) : parseWebSocket(transport);
  if (isRejection(parsedTransport)) return parsedTransport;
  return { spec, condition: parsedCondition, transport: parsedTransport };
}

/** webhook and conduit subscriptions belong to the app, WebSocket ones to a user */
function tokenKindError(method: 'webhook' | 'websocket' | 'conduit', token: SimToken): Rejection | undefined {
  if (method === 'websocket' && token.kind !== 'user') return reject(401, 'The websocket transport requires a user access token');
  if (method !== 'websocket' && token.kind !== 'app') return reject(401, `The ${method} transport requires an app access token`);
  return undefined;
}

function parseCondition(spec: SubscriptionTypeSpec, raw: Record<string, unknown>, world: World): EventSubCondition | Rejection {
  const known = new Set(conditionFields(spec));
  const condition: EventSubCondition = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!known.has(k)) return reject(400, `The condition field ${k} is not valid for ${spec.type} version ${spec.version}`);
    if (typeof v !== 'string') return reject(400, `The condition field ${k} must be a string`);
    if (v !== '') condition[k] = v;
  }
  for (const k of spec.required) if (!condition[k]) return reject(400, `The condition object is missing the required field ${k}`);
  if (spec.exactlyOne) {
    const given = spec.exactlyOne.filter((k) => condition[k]);
    if (given.length !== 1) return reject(400, `The condition must name exactly one of ${spec.exactlyOne.join(', ')}`);
  }
  for (const [k, id] of Object.entries(condition)) {
    if (world.userIndex(id) === undefined) return reject(400, `The user specified in the condition object does not exist (${k}=${id})`);
  }
  return condition;
}

/** Twitch demands HTTPS on 443; the simulator also takes plain http:// so tests can listen locally */
function parseWebhook(transport: Record<string, unknown>): RequestedTransport | Rejection {
  const { callback, secret } = transport;
  if (typeof callback !== 'string' || !callback) return reject(400, 'The callback field is required if you specify the webhook transport method');
  let url: URL;
  try {
    url = new URL(callback);
  } catch {
    return reject(400, "The URL in the transport's callback field is not valid");
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return reject(400, "The URL in the transport's callback field is not valid");
  if (typeof secret !== 'string' || secret.length < SECRET_MIN || secret.length > SECRET_MAX) {
    return reject(400, `The length of the string in the secret field is not valid (${SECRET_MIN} to ${SECRET_MAX} characters)`);
  }
  return { method: 'webhook', callback, secret };
}

function parseWebSocket(transport: Record<string, unknown>): RequestedTransport | Rejection {
  const sessionId = transport.session_id;
  if (typeof sessionId !== 'string' || !sessionId) return reject(400, 'The session_id field is required if you specify the WebSocket transport method');
  return { method: 'websocket', sessionId };
}
