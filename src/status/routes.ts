import type { FastifyInstance } from 'fastify';
import type { Bus } from '../core/bus.js';
import { conflict, notFound } from '../core/errors.js';
import { JobAlreadyRunningError, JobNotFoundError, type Scheduler } from '../core/scheduler.js';
import type { StatusService } from './service.js';
import type { JobHistory } from './store.js';

const jobRunSchema = {
  $id: 'JobRun',
  type: 'object',
  required: ['startedAt', 'finishedAt', 'durationMs', 'outcome', 'trigger'],
  properties: {
    startedAt: { type: 'number', description: 'epoch ms' },
    finishedAt: { type: 'number', description: 'epoch ms' },
    durationMs: { type: 'number' },
    outcome: { type: 'string', enum: ['ok', 'error'] },
    error: { type: 'string' },
    trigger: { type: 'string', enum: ['schedule', 'manual'] },
  },
} as const;

const jobStatusSchema = {
  $id: 'JobStatus',
  type: 'object',
  required: ['name', 'description', 'schedule', 'running', 'runs', 'failures', 'skipped', 'recent'],
  properties: {
    name: { type: 'string' },
    description: { type: 'string' },
    schedule: { type: 'string', examples: ['every 10 s', '0 8 * * *'] },
    running: { type: 'boolean' },
    runs: { type: 'integer', description: 'runs since this process started' },
    failures: { type: 'integer' },
    skipped: { type: 'integer', description: 'scheduled runs skipped because the job was still running' },
    lastRun: { $ref: 'JobRun#' },
    nextRunAt: { type: 'number' },
    recent: { type: 'array', items: { $ref: 'JobRun#' } },
  },
} as const;

const statusSchema = {
  $id: 'Status',
  type: 'object',
  properties: {
    version: { type: 'string' },
    mode: { type: 'string', enum: ['simulator', 'twitch'] },
    twitch: { type: 'string', examples: ['Simulated Twitch'] },
    endpoints: {
      type: 'object',
      description: "where Lurk's Twitch clients connect",
      properties: { oauth: { type: 'string' }, helix: { type: 'string' }, eventSubWs: { type: 'string' }, irc: { type: 'string' } },
    },
    startedAt: { type: 'number' },
    now: { type: 'number' },
    uptimeSeconds: { type: 'integer' },
    clock: { type: 'object', properties: { kind: { type: 'string' }, speed: { type: 'number' } } },
    database: { type: 'object', properties: { kind: { type: 'string' }, label: { type: 'string' }, sizeBytes: { type: 'number' } } },
    node: { type: 'string' },
    pid: { type: 'integer' },
    jobs: { type: 'array', items: { $ref: 'JobStatus#' } },
    simulator: {
      type: 'object',
      description: 'the built-in simulated Twitch, in simulator mode',
      properties: {
        seed: { type: 'integer' },
        time: { type: 'string' },
        time_ms: { type: 'number' },
        clock: { type: 'object', properties: { speed: { type: 'number' }, mode: { type: 'string' }, lagging: { type: 'boolean' } } },
        channels: { type: 'integer' },
        live_channels: { type: 'integer' },
        viewers: { type: 'integer' },
        chatters: { type: 'integer' },
        messages_per_second: { type: 'number' },
        games: { type: 'integer' },
        rate_limit_per_minute: { type: 'integer' },
        ports: { type: 'object', properties: { http: { type: 'integer' }, irc: { type: ['integer', 'null'] }, irc_ws: { type: ['integer', 'null'] } } },
      },
    },
    chat: {
      type: 'object',
      description: 'the chat pool: connections, channels by state, lines read, reconnects and drops',
      properties: {
        connections: { type: 'object', properties: { reader: { type: 'integer' }, bot: { type: 'integer' } } },
        channels: { type: 'object', properties: { pending: { type: 'integer' }, joined: { type: 'integer' }, failed: { type: 'integer' } } },
        linesPerSecond: { type: 'number' },
        lines: { type: 'integer' },
        reconnects: { type: 'integer' },
        drops: { type: 'integer' },
        malformed: { type: 'integer' },
        joinRateLimited: { type: 'integer' },
      },
    },
    eventsub: {
      type: 'object',
      description: 'the EventSub intake: transport, subscriptions by type and state, notifications and refused deliveries',
      properties: {
        webhooks: { type: 'boolean' },
        callbackUrl: { type: ['string', 'null'] },
        subscriptions: { type: 'array', items: { type: 'object', properties: { type: { type: 'string' }, state: { type: 'string' }, count: { type: 'integer' } } } },
        sockets: { type: 'integer' },
        handedOn: { type: 'integer' },
        duplicates: { type: 'integer' },
        rejected: { type: 'object', additionalProperties: { type: 'integer' } },
        queued: { type: 'integer' },
        lastReconcileAt: { type: ['number', 'null'] },
        lastReconcileError: { type: ['string', 'null'] },
      },
    },
    resources: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          at: { type: 'number' },
          rssBytes: { type: 'number' },
          heapUsedBytes: { type: 'number' },
          dbSizeBytes: { type: 'number' },
          eventLoopP99Ms: { type: 'number' },
          chatLinesPerSecond: { type: 'number' },
          eventsubPerMinute: { type: 'number' },
        },
      },
    },
  },
} as const;

const jobName = { type: 'string', pattern: '^[a-z0-9._-]{1,64}$' } as const;
const errors = { 400: { $ref: 'Error#' }, 404: { $ref: 'Error#' }, 409: { $ref: 'Error#' } } as const;

/** How often the live socket pushes a snapshot even when no job changed (uptime, resources). */
const PUSH_EVERY_MS = 5000;

export async function statusRoutes(app: FastifyInstance, deps: { status: StatusService; scheduler: Scheduler; history: JobHistory; bus: Bus }) {
  const { status, scheduler, history, bus } = deps;
  app.addSchema(jobRunSchema);
  app.addSchema(jobStatusSchema);
  app.addSchema(statusSchema);

  app.get('/api/status', { schema: { tags: ['status'], summary: 'Uptime, mode, database, jobs and resource samples', response: { 200: { $ref: 'Status#' } } } }, async () => status.snapshot());

  app.get('/api/jobs', { schema: { tags: ['status'], summary: 'Scheduled jobs', response: { 200: { type: 'array', items: { $ref: 'JobStatus#' } } } } }, async () => scheduler.list());

  app.get<{ Params: { name: string }; Querystring: { limit: number } }>(
    '/api/jobs/:name/runs',
    {
      schema: {
        tags: ['status'],
        summary: 'Stored run history of one job, oldest first',
        params: { type: 'object', required: ['name'], properties: { name: jobName } },
        querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } },
        response: { 200: { type: 'array', items: { $ref: 'JobRun#' } }, ...errors },
      },
    },
    async (request) => {
      if (!scheduler.get(request.params.name)) throw notFound(`No job named ${request.params.name}`);
      return history.recent(request.params.name, request.query.limit);
    },
  );

  app.post<{ Params: { name: string } }>(
    '/api/jobs/:name/run',
    {
      schema: {
        tags: ['status'],
        summary: 'Run a job now, outside its schedule; answers when the run has finished',
        params: { type: 'object', required: ['name'], properties: { name: jobName } },
        response: { 200: { $ref: 'JobRun#' }, ...errors },
      },
    },
    async (request) => {
      try {
        return await scheduler.runNow(request.params.name);
      } catch (err) {
        if (err instanceof JobNotFoundError) throw notFound(`No job named ${request.params.name}`);
        if (err instanceof JobAlreadyRunningError) throw conflict(`Job ${request.params.name} is already running`);
        throw err;
      }
    },
  );

  // Live status: a snapshot at connect, then one whenever a job starts or finishes and
  // every few seconds. Pushes are coalesced so a burst of job events sends one message.
  app.get('/api/status/live', { websocket: true, schema: { tags: ['status'], summary: 'WebSocket: Status snapshots pushed as they change' } }, (socket) => {
    let queued: NodeJS.Timeout | undefined;
    const push = () => {
      queued = undefined;
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: 'status', data: status.snapshot() }));
    };
    const schedulePush = () => {
      queued ??= setTimeout(push, 50);
    };
    push();
    const interval = setInterval(push, PUSH_EVERY_MS);
    const offs = [bus.subscribe('job.started', schedulePush), bus.subscribe('job.finished', schedulePush)];
    socket.on('message', (raw: Buffer) => {
      // The only message a client sends is a ping to check the connection.
      if (raw.toString() === 'ping' && socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: 'pong' }));
    });
    socket.on('close', () => {
      clearInterval(interval);
      if (queued) clearTimeout(queued);
      for (const off of offs) off();
    });
  });
}
