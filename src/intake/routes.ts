// EventSub's HTTP face: the webhook Twitch delivers to, and what the intake wants and holds.
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../core/metrics.js';
import type { EventSubIntake } from '../twitch/eventsub/intake.js';
import type { EventSubManager } from '../twitch/eventsub/manager.js';
import { EVENTSUB_WEBHOOK_PATH, receiveWebhook } from '../twitch/eventsub/webhook.js';
import { errorBody } from '../web/errors.js';

export interface IntakeRouteOptions {
  intake: EventSubIntake;
  manager: EventSubManager;
  masterKey: Buffer;
  metrics: Metrics;
}

const conditionSchema = { type: 'object', additionalProperties: { type: 'string' } } as const;

const subscriptionStateSchema = {
  type: 'object',
  properties: {
    type: { type: 'string', examples: ['stream.online'] },
    version: { type: 'string' },
    condition: conditionSchema,
    transport: { type: 'string', enum: ['webhook', 'websocket'] },
    user_id: { type: ['string', 'null'], description: 'the user whose token a WebSocket subscription uses' },
    owners: { type: 'array', items: { type: 'string' }, description: 'the capabilities that want it' },
    state: { type: 'string', enum: ['pending', 'verifying', 'enabled', 'revoked', 'failed', 'unavailable'] },
    reason: { type: ['string', 'null'], description: 'why it is revoked, failed or unavailable' },
    subscription_id: { type: ['string', 'null'] },
    helix_status: { type: ['string', 'null'], description: "Twitch's status at the last reconcile" },
    cost: { type: ['integer', 'null'] },
  },
} as const;

const overviewSchema = {
  type: 'object',
  properties: {
    callback_url: { type: ['string', 'null'], description: 'where webhooks arrive; null: real Twitch without LURK_PUBLIC_URL, WebSocket only' },
    webhooks: { type: 'boolean' },
    wanted: { type: 'integer' },
    by_state: { type: 'object', additionalProperties: { type: 'integer' } },
    webhook_cost: { type: ['object', 'null'], properties: { total: { type: 'integer' }, max: { type: 'integer' } } },
    sockets: { type: 'integer' },
    last_reconcile_at: { type: ['number', 'null'] },
    last_reconcile_error: { type: ['string', 'null'] },
    handed_on: { type: 'integer', description: 'notifications handed to the bus since start' },
    unknown_types: { type: 'integer' },
    duplicates: { type: 'integer' },
    queued: { type: 'integer', description: 'recorded, not yet handed to the bus' },
    rejected: { type: 'object', additionalProperties: { type: 'integer' }, description: 'webhook deliveries refused since start, by reason (signature, stale, headers, body, message_type)' },
    subscriptions: { type: 'array', items: subscriptionStateSchema },
  },
} as const;

export async function intakeRoutes(app: FastifyInstance, o: IntakeRouteOptions): Promise<void> {
  app.get(
    '/api/eventsub/subscriptions',
    {
      schema: {
        tags: ['eventsub'],
        summary: 'The EventSub subscriptions Lurk wants, beside what Twitch holds for each',
        response: { 200: overviewSchema },
      },
    },
    async () => ({ ...o.manager.stats(), ...o.intake.stats(), subscriptions: o.manager.subscriptions() }),
  );

  // Twitch signs the raw bytes, so this route reads its body unparsed (an encapsulated parser)
  await app.register(async (hook) => {
    hook.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    hook.post(
      EVENTSUB_WEBHOOK_PATH,
      {
        schema: {
          tags: ['eventsub'],
          summary: "Twitch's EventSub webhook deliveries (signed; not for people)",
          description: 'Answers the verification challenge as text/plain, queues notifications and revocations durably and answers 204; a bad signature gets 403.',
          response: {
            200: { type: 'string', description: 'the challenge, as text/plain' },
            204: { type: 'null', description: 'recorded (or recorded before)' },
            400: { $ref: 'Error#' },
            403: { $ref: 'Error#' },
          },
        },
      },
      async (request, reply) => {
        const answer = await receiveWebhook(request.headers, request.body as Buffer, { masterKey: o.masterKey, accept: (m) => o.intake.accept(m), now: Date.now });
        if (answer.status === 200) return reply.status(200).type('text/plain; charset=utf-8').send(answer.text);
        if (answer.status === 204) return reply.status(204).send();
        o.metrics.eventsubRejected.inc({ reason: answer.reason });
        o.intake.rejected(answer.reason);
        request.log.debug({ reason: answer.reason }, 'eventsub webhook delivery refused');
        return reply.status(answer.status).send(errorBody(answer.status === 403 ? 'forbidden' : 'bad_request', answer.message));
      },
    );
  });
}
