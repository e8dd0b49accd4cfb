// EventSub writes timestamps with nanoseconds (`2022-10-19T14:56:51.634234626Z`, §3.2, §4).

/**
 * RFC 3339 with nine fractional digits. The clocks have millisecond resolution, so the six digits
 * below it count up within a millisecond: stamps taken in order from one clock stay in order.
 */
function nanoStamper(): (ms: number) => string {
  let lastMs = -1;
  let subMs = 0;
  return (ms) => {
    const whole = Math.floor(ms);
    if (whole === lastMs) subMs = Math.min(subMs + 1, 999_999);
    else {
      lastMs = whole;
      subMs = 0;
    }
    return new Date(whole).toISOString().replace(/Z$/, `${String(subMs).padStart(6, '0')}Z`);
  };
}

/** a time in the simulated world: an event's `followed_at`, a subscription's `created_at` */
export const rfc3339Nano = nanoStamper();

const wallStamp = nanoStamper();

/**
 * When a message leaves: the webhook's Twitch-Eventsub-Message-Timestamp (signed with the body)
 * and the WebSocket's metadata.message_timestamp. These are on wall-clock time, as Twitch's are,
 * whatever the world's clock says: receivers drop messages older than 10 minutes by their own
 * clock (§3.5), so world time would make every message stale at speed 300 or in a past world.
 */
export function messageTimestamp(): string {
  return wallStamp(Date.now());
}
