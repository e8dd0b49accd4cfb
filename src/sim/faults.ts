// Faults the simulator can inject on demand (POST /_sim/faults), so Lurk's clients are tested
// against the failures real Twitch produces.

export interface Faults {
  /** share of Helix requests answered 429 regardless of budget (a "429 storm") */
  rate429: number;
  /** share of Helix requests answered 500/502/503 */
  rate5xx: number;
  /** added latency per HTTP request, milliseconds */
  latencyMs: number;
  /** share of IRC connections dropped per second */
  ircDropRate: number;
  /** send RECONNECT to every IRC connection once, now */
  ircReconnect: boolean;
  /** share of IRC lines replaced by malformed ones */
  ircMalformedRate: number;
  /** share of webhook deliveries sent with a wrong signature */
  webhookBadSignatureRate: number;
  /** share of webhook notifications delivered twice (same message id) */
  webhookDuplicateRate: number;
}

export const NO_FAULTS: Faults = {
  rate429: 0,
  rate5xx: 0,
  latencyMs: 0,
  ircDropRate: 0,
  ircReconnect: false,
  ircMalformedRate: 0,
  webhookBadSignatureRate: 0,
  webhookDuplicateRate: 0,
};

export const FAULT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    rate429: { type: 'number', minimum: 0, maximum: 1 },
    rate5xx: { type: 'number', minimum: 0, maximum: 1 },
    latencyMs: { type: 'integer', minimum: 0, maximum: 60_000 },
    ircDropRate: { type: 'number', minimum: 0, maximum: 1 },
    ircReconnect: { type: 'boolean' },
    ircMalformedRate: { type: 'number', minimum: 0, maximum: 1 },
    webhookBadSignatureRate: { type: 'number', minimum: 0, maximum: 1 },
    webhookDuplicateRate: { type: 'number', minimum: 0, maximum: 1 },
  },
} as const;
