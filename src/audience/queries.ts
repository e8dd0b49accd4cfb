// The contract between Audience's service (service.ts) and its routes (routes.ts): what the routes
// may ask. Types only. Times are ms since the epoch; the routes parse and check every parameter
// before calling, so these never see bad input.
import type { AudienceChannel, AudienceChannelsResponse, EndedResponse, FlowsResponse, MapResponse, MovesResponse, OverlapResponse, RaidsResponse } from './types.js';

export interface AudienceQueries {
  channels(): Promise<AudienceChannelsResponse>;
  /** watches channels (source 'api'); unknown logins (Helix users lookup) are returned, nothing is added for them */
  watch(logins: string[]): Promise<{ added: AudienceChannel[]; unknown: string[] }>;
  /** stops watching a channel added by the API; false when it was not watched by the API */
  unwatch(login: string): Promise<boolean>;
  flows(q: { channel: string; direction: 'out' | 'in'; from: number; to: number }): Promise<FlowsResponse>;
  /** per-user rows are included only when the operator turned them on */
  moves(q: { fromChannel?: string; toChannel?: string; from: number; to: number; limit: number }): Promise<MovesResponse>;
  raids(q: { channel?: string; from: number; to: number; limit: number }): Promise<RaidsResponse>;
  overlap(q: { channel: string; days: 1 | 3 | 7 }): Promise<OverlapResponse>;
  ended(q: { channel?: string; limit: number }): Promise<EndedResponse>;
  /** undefined: no map for that day (nor any day when day is absent) */
  map(q: { day?: string }): Promise<MapResponse | undefined>;
  /** whether per-user move rows are served (LURK_AUDIENCE_PER_USER) */
  readonly perUser: boolean;
  /** Lurk's time (the simulator's clock in simulator mode): where the routes' default periods end */
  now(): number;
}
