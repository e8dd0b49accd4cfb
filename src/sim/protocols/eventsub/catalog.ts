// The subscription types the simulated world can produce: their versions, conditions and the
// authorisation each needs (twitch-protocol.md §1.6, §3.6). Twitch has many more types; the
// simulator refuses those it would never deliver rather than accept them silently.
import type { WorldEventType } from '../../world/types.js';
import type { EventSubCondition } from '../../../twitch/eventsub.external.js';

export interface SubscriptionTypeSpec {
  type: WorldEventType;
  version: string;
  /** condition fields that must all be present */
  required: string[];
  /** exactly one of these must be present (channel.raid) */
  exactlyOne?: string[];
  /** the scope the authorising user must have granted */
  scope?: string;
  /** the condition field naming the user whose authorisation the type needs */
  authorisedBy?: string;
}

const SPECS: SubscriptionTypeSpec[] = [
  { type: 'stream.online', version: '1', required: ['broadcaster_user_id'] },
  { type: 'stream.offline', version: '1', required: ['broadcaster_user_id'] },
  { type: 'channel.update', version: '2', required: ['broadcaster_user_id'] },
  // v1 was removed on 2023-09-12; v2 needs a moderator (the broadcaster counts as one)
  { type: 'channel.follow', version: '2', required: ['broadcaster_user_id', 'moderator_user_id'], scope: 'moderator:read:followers', authorisedBy: 'moderator_user_id' },
  { type: 'channel.subscribe', version: '1', required: ['broadcaster_user_id'], scope: 'channel:read:subscriptions', authorisedBy: 'broadcaster_user_id' },
  { type: 'channel.subscription.gift', version: '1', required: ['broadcaster_user_id'], scope: 'channel:read:subscriptions', authorisedBy: 'broadcaster_user_id' },
  { type: 'channel.subscription.message', version: '1', required: ['broadcaster_user_id'], scope: 'channel:read:subscriptions', authorisedBy: 'broadcaster_user_id' },
  { type: 'channel.cheer', version: '1', required: ['broadcaster_user_id'], scope: 'bits:read', authorisedBy: 'broadcaster_user_id' },
  { type: 'channel.raid', version: '1', required: [], exactlyOne: ['from_broadcaster_user_id', 'to_broadcaster_user_id'] },
];

const BY_KEY = new Map(SPECS.map((s) => [`${s.type}@${s.version}`, s]));

export const SUPPORTED_TYPES: ReadonlySet<string> = new Set(SPECS.map((s) => s.type));

export function specFor(type: string, version: string): SubscriptionTypeSpec | undefined {
  return BY_KEY.get(`${type}@${version}`);
}

/** every condition field a spec knows, required or alternative */
export function conditionFields(spec: SubscriptionTypeSpec): string[] {
  return [...spec.required, ...(spec.exactlyOne ?? [])];
}

/**
 * Keys under which a subscription waits for events. A raid subscription listens to one side;
 * everything else to its broadcaster.
 */
export function routingKey(type: string, condition: EventSubCondition): string {
  if (type === 'channel.raid') {
    return condition.from_broadcaster_user_id ? `from:${condition.from_broadcaster_user_id}` : `to:${condition.to_broadcaster_user_id ?? ''}`;
  }
  return condition.broadcaster_user_id ?? '';
}

/** user ids a condition names, for GET's `user_id` filter and for cost */
export function conditionUserIds(condition: EventSubCondition): string[] {
  return Object.values(condition).filter((v) => v !== '');
}
