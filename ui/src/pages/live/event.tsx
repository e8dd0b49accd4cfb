import { formatTime } from '../../lib/format';
import { eventText, sourcesText, type LiveEvent } from '../../lib/live';

/** one event in words: what happened, the user's own message, when, and where Lurk read it (text only, never markup) */
export function EventText({ event, channelName }: { event: LiveEvent; channelName?: string }) {
  return (
    <div class="live-event-text">
      <span class="live-event-what" data-field="what">
        {eventText(event, channelName)}
      </span>
      {event.message && (
        <q class="live-event-message" data-field="message">
          {event.message}
        </q>
      )}
      <span class="live-event-meta small muted">
        <time dateTime={event.at}>{formatTime(Date.parse(event.at))}</time>
        {event.sources.length > 0 && <span data-field="sources"> · {sourcesText(event.sources)}</span>}
      </span>
    </div>
  );
}
