import { useRef, useState } from 'preact/hooks';
import { query, useApi } from '../../lib/api';
import { eventText, useLiveSocket, type LiveEvent } from '../../lib/live';
import { liveError } from './errors';

/** how many events stay on screen; older ones have faded out by then anyway (CSS) */
const KEEP = 6;

interface Shown {
  event: LiveEvent;
  /** a replay shows the same event again as a new item */
  key: string;
}

/** /overlay/live?channel=&key=: an OBS browser source: transparent, large type, events animating in and fading out */
export function LiveOverlay() {
  const params = new URLSearchParams(window.location.search);
  const key = params.get('key')?.trim() || undefined;
  const channel = params.get('channel')?.trim().toLowerCase() || undefined;
  const check = useApi<{ channel: unknown; events: LiveEvent[] }>(key && channel ? `/api/live/overlay?${query({ channel, key })}` : undefined);
  const [items, setItems] = useState<Shown[]>([]);
  const counter = useRef(0);
  const add = (events: readonly LiveEvent[], replay = false) =>
    setItems((list) => {
      const known = new Set(list.map((s) => s.key));
      const fresh = events.map((event) => ({ event, key: replay ? `${event.id}:${++counter.current}` : String(event.id) })).filter((s) => !known.has(s.key));
      // events come newest first: on top
      return [...fresh, ...list].slice(0, KEEP);
    });
  const connection = useLiveSocket(key && channel && check.data ? { channel, overlay: key } : undefined, (push) => {
    if (push.type === 'hello') add(push.events.slice(0, 3));
    else if (push.type === 'event') add([push.event]);
    else if (push.type === 'replay') add([push.event], true);
  });
  if (!key || !channel) return <div class="live-overlay-message">This address lacks its channel or key: copy the overlay URL from the stream page on Lurk.</div>;
  if (check.error)
    return (
      <div class="live-overlay-message" data-field="error">
        {liveError(check.error)}
      </div>
    );
  return (
    <section class="live-overlay" data-connection={connection} aria-label="Live events">
      <ol>
        {items.map((s) => (
          <li key={s.key} class={`live-ov-item ${s.event.type}`} data-event-id={s.event.id} data-type={s.event.type} data-user={s.event.user_login ?? ''}>
            <span class="live-ov-what">{eventText(s.event)}</span>
            {s.event.message && <span class="live-ov-message">{s.event.message}</span>}
          </li>
        ))}
      </ol>
      {connection === 'reconnecting' && <div class="live-overlay-message small">reconnecting…</div>}
    </section>
  );
}
