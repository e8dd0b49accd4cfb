import { useState } from 'preact/hooks';
import { clearView, EVENT_TYPES, eventsUrl, eventText, readAll, readEvent, replayEvent, TYPE_LABELS, type LiveEvent, type LiveEventType } from '../../lib/live';
import { liveError } from './errors';
import { EventText } from './event';
import type { FeedState } from './use-feed';

interface FeedProps {
  login: string;
  channelName: string;
  csrf: string | null;
  me: string;
  feed: FeedState;
  clearedBefore: number;
  onCleared: (clearedBefore: number) => void;
}

/** the event feed: type filters, pause with "N new", acknowledge one or all, replay, clear the view, older pages, CSV */
export function Feed({ login, channelName, csrf, me, feed, clearedBefore, onCleared }: FeedProps) {
  const [types, setTypes] = useState<ReadonlySet<LiveEventType>>(new Set(EVENT_TYPES));
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [loadingOlder, setLoadingOlder] = useState(false);

  const inView = (e: LiveEvent) => e.id > clearedBefore;
  const visible = feed.events.filter((e) => inView(e) && types.has(e.type));
  const unread = feed.events.filter((e) => inView(e) && e.read_at === null);
  const waiting = feed.pending.filter(inView).length;
  const everything = types.size === EVENT_TYPES.length;
  const oldest = feed.events.at(-1);
  const mayHaveOlder = feed.nextBefore !== null && oldest !== undefined && oldest.id > clearedBefore + 1;

  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    setProblem(undefined);
    try {
      await work();
    } catch (err) {
      setProblem(liveError(err as Error));
    } finally {
      setBusy(false);
    }
  };
  const toggle = (type: LiveEventType, on: boolean) =>
    setTypes((t) => {
      const next = new Set(t);
      if (on) next.add(type);
      else next.delete(type);
      return next;
    });
  const markAll = () =>
    act(async () => {
      const upTo = Math.max(...feed.events.map((e) => e.id), ...feed.pending.map((e) => e.id));
      await readAll(csrf, login, upTo);
      feed.markRead({ type: 'read', channel: login, ids: [], up_to: upTo, read_by: me, read_at: new Date().toISOString() });
    });
  const older = async () => {
    setLoadingOlder(true);
    setProblem(undefined);
    try {
      await feed.loadOlder();
    } catch (err) {
      setProblem(liveError(err as Error));
    } finally {
      setLoadingOlder(false);
    }
  };

  return (
    <section class="live-feed" aria-labelledby="live-feed-title" data-field="feed" data-connection={feed.connection}>
      <div class="live-feed-head">
        <h2 id="live-feed-title">Events</h2>
        <span class={`live ${feed.connection}`} data-field="connection">
          {feed.connection === 'live' ? 'live' : feed.connection === 'connecting' ? 'connecting…' : 'reconnecting…'}
        </span>
        <span class="small muted" data-field="unread-count">
          {unread.length === 0 ? 'all read' : `${unread.length} unread`}
        </span>
      </div>
      <fieldset class="live-filters" aria-label="Show these events">
        <legend class="sr-only">Show these events</legend>
        {EVENT_TYPES.map((t) => (
          <label key={t} class="live-check">
            <input type="checkbox" data-type={t} checked={types.has(t)} onChange={(e) => toggle(t, (e.target as HTMLInputElement).checked)} />
            <span>{TYPE_LABELS[t]}</span>
          </label>
        ))}
      </fieldset>
      <div class="live-toolbar">
        <button type="button" aria-pressed={feed.paused} onClick={() => feed.setPaused(!feed.paused)} data-field="pause">
          {feed.paused ? 'Resume' : 'Pause'}
        </button>
        {feed.paused && (
          <button type="button" class="live-new" onClick={() => feed.setPaused(false)} data-field="new-count" data-count={waiting} aria-live="polite">
            {waiting === 0 ? 'Paused: nothing new' : `${waiting} new`}
          </button>
        )}
        <button type="button" onClick={markAll} disabled={busy || unread.length === 0} data-field="read-all">
          Mark all read
        </button>
        <button type="button" onClick={() => act(async () => onCleared((await clearView(csrf, login)).cleared_before))} disabled={busy} data-field="clear">
          Clear view
        </button>
        <a class="small" href={eventsUrl(login, { format: 'csv', limit: 500, types: everything ? undefined : [...types] })} download={`${login}-events.csv`} data-format="csv">
          Download CSV
        </a>
      </div>
      {problem && (
        <p class="err-text" role="alert" data-field="feed-error">
          {problem}
        </p>
      )}
      {visible.length === 0 ? (
        <p class="live-empty muted" data-field="no-events">
          {feed.events.some(inView) ? 'No events of the chosen types.' : feed.connection === 'live' ? 'No events yet: they appear here as they happen.' : 'Connecting…'}
        </p>
      ) : (
        <ol class="live-events" data-field="events">
          {visible.map((e) => {
            const replays = feed.replays.get(e.id) ?? 0;
            const words = eventText(e, channelName);
            return (
              <li
                // a replay mounts the item anew, so its arrival animation plays again
                key={`${e.id}:${replays}`}
                class={`live-event ${e.type}${e.read_at ? ' read' : ' unread'}${replays ? ' replayed' : ''}`}
                data-event-id={e.id}
                data-type={e.type}
                data-user={e.user_login ?? ''}
                data-read={e.read_at ? 'true' : 'false'}
                data-replays={replays}
              >
                <span class={`live-type ${e.type}`}>{TYPE_LABELS[e.type]}</span>
                <EventText event={e} channelName={channelName} />
                <span class="live-event-actions">
                  {e.read_at ? (
                    <span class="small muted" data-field="read-by" title={e.read_at}>
                      read{e.read_by ? ` by ${e.read_by}` : ''}
                    </span>
                  ) : (
                    <button
                      type="button"
                      data-action="read"
                      aria-label={`Mark read: ${words}`}
                      disabled={busy}
                      onClick={() => act(async () => feed.update((await readEvent(csrf, login, e.id)).event))}
                    >
                      Mark read
                    </button>
                  )}
                  <button type="button" data-action="replay" aria-label={`Replay: ${words}`} onClick={() => act(async () => void (await replayEvent(csrf, login, e.id)))}>
                    Replay
                  </button>
                </span>
              </li>
            );
          })}
        </ol>
      )}
      {mayHaveOlder && (
        <button type="button" class="live-older" onClick={older} disabled={loadingOlder} data-field="older">
          {loadingOlder ? 'Loading…' : 'Older events'}
        </button>
      )}
    </section>
  );
}
