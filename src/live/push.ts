// The event socket hub (GET /api/live/socket): sockets grouped by channel; each push is
// serialised once and sent to every socket watching that channel.
// PLACEHOLDER until the hub lands: accepts no sockets.
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import type { LiveSocketSource } from './parts.js';
import type { LivePush } from './types.js';

export const LIVE_SOCKET_PATH = '/api/live/socket';

export interface LiveHubOptions {
  maxClients: number;
  log: Logger;
  metrics: Metrics;
}

export class LiveHub {
  constructor(readonly options: LiveHubOptions) {}

  /** registers the socket route; sockets are authorised and greeted through `source` */
  async register(_web: FastifyInstance, _source: LiveSocketSource): Promise<void> {}

  /** sends `push` to every socket watching `channel` (a login) */
  publish(_channel: string, _push: LivePush): void {}

  get size(): number {
    return 0;
  }

  /** closes every socket */
  async close(): Promise<void> {}
}
