// EventSub writes timestamps with nanoseconds (`2022-10-19T14:56:51.634234626Z`, §3.2, §4).

let lastMs = -1;
let subMs = 0;

/**
 * RFC 3339 with nine fractional digits. The simulated clock has millisecond resolution, so the
 * six digits below it count up within a millisecond: stamps taken in order stay in order.
 */
export function rfc3339Nano(ms: number): string {
  const whole = Math.floor(ms);
  if (whole === lastMs) subMs = Math.min(subMs + 1, 999_999);
  else {
    lastMs = whole;
    subMs = 0;
  }
  return new Date(whole).toISOString().replace(/Z$/, `${String(subMs).padStart(6, '0')}Z`);
}
