import { useRef, useState } from 'preact/hooks';
import { getJson } from '../../lib/api';
import { applyRead, chatTail, eventsUrl, mergeEvents, useLiveSocket, type Connection, type LiveAvailability, type LiveChatLine, type LiveEvent } from '../../lib/live';
import type { LivePush } from '../../../../src/live/types';

const PAGE = 50;

export interface FeedState {
  connection: Connection;
  /** what is on screen (before filters and the cleared mark), newest first */
  events: LiveEvent[];
  /** arrived while paused, shown on resume */
  pending: LiveEvent[];
  paused: boolean;
  chat: LiveChatLine[];
  /** per event id, how many times it was replayed (the item re-animates on each) */
  replays: ReadonlyMap<number, number>;
  /** null: nothing older; undefined: not asked yet */
  nextBefore: number | null | undefined;
  availability?: { availability: LiveAvailability[]; live: boolean | null };
  setPaused(paused: boolean): void;
  /** an event changed by an answer of the API (read) */
  update(event: LiveEvent): void;
  /** marks read locally what a read-all just did, before (or without) the socket's frame */
  markRead(read: Extract<LivePush, { type: 'read' }>): void;
  loadOlder(): Promise<void>;
}

/** a channel's feed: the socket's hello and pushes, pause with the arrivals kept aside, replays, read marks, older pages */
export function useFeed(login: string, withChat: boolean): FeedState {
  const [events, setEvents] = useState<LiveEvent[]>([]);
  const [pending, setPending] = useState<LiveEvent[]>([]);
  const [paused, setPausedState] = useState(false);
  const [chat, setChat] = useState<LiveChatLine[]>([]);
  const [replays, setReplays] = useState<ReadonlyMap<number, number>>(new Map());
  const [nextBefore, setNextBefore] = useState<number | null | undefined>(undefined);
  const [availability, setAvailability] = useState<FeedState['availability']>();
  // the socket's handler reads these between renders
  const pausedRef = useRef(false);
  const shown = useRef(new Set<number>());
  const pendingRef = useRef<LiveEvent[]>([]);
  const changePending = (change: (l: LiveEvent[]) => LiveEvent[]) => {
    pendingRef.current = change(pendingRef.current);
    setPending(pendingRef.current);
  };

  const show = (list: LiveEvent[]) => {
    for (const e of list) shown.current.add(e.id);
    setEvents((l) => mergeEvents(l, list));
  };
  /** new events: on screen, or aside while paused (an event already on screen is updated in place: a second source) */
  const arrive = (list: readonly LiveEvent[]) => {
    if (!pausedRef.current) return show([...list]);
    const known = list.filter((e) => shown.current.has(e.id));
    const fresh = list.filter((e) => !shown.current.has(e.id));
    if (known.length) setEvents((l) => mergeEvents(l, known));
    if (fresh.length) changePending((l) => mergeEvents(l, fresh));
  };

  const connection = useLiveSocket({ channel: login, chat: withChat }, (push) => {
    switch (push.type) {
      case 'hello':
        arrive(push.events);
        setChat((l) => chatTail(l, push.chat));
        break;
      case 'event':
        arrive([push.event]);
        break;
      case 'read':
        setEvents((l) => applyRead(l, push));
        changePending((l) => applyRead(l, push));
        break;
      case 'replay':
        setReplays((m) => new Map(m).set(push.event.id, (m.get(push.event.id) ?? 0) + 1));
        break;
      case 'chat':
        setChat((l) => chatTail(l, push.lines));
        break;
      case 'availability':
        setAvailability({ availability: push.availability, live: push.live });
        break;
      default:
        break;
    }
  });

  return {
    connection,
    events,
    pending,
    paused,
    chat,
    replays,
    nextBefore,
    availability,
    setPaused(next) {
      pausedRef.current = next;
      setPausedState(next);
      if (!next && pendingRef.current.length) {
        show(pendingRef.current);
        changePending(() => []);
      }
    },
    update(event) {
      setEvents((l) => (l.some((e) => e.id === event.id) ? mergeEvents(l, [event]) : l));
      changePending((l) => (l.some((e) => e.id === event.id) ? mergeEvents(l, [event]) : l));
    },
    markRead(read) {
      setEvents((l) => applyRead(l, read));
      changePending((l) => applyRead(l, read));
    },
    async loadOlder() {
      const oldest = events.at(-1)?.id;
      const answer = await getJson<{ events: LiveEvent[]; next_before: number | null }>(eventsUrl(login, { before: oldest, limit: PAGE }));
      show(answer.events);
      setNextBefore(answer.next_before);
    },
  };
}
