import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ErrorNotice, Loading } from '../components/notice';
import { useApi } from '../lib/api';
import { useStatus } from '../lib/status';
import { defaultRange, go, includesToday, overviewUrl, pageHref, readPageUrl, type DayFrame, type Overview, type Range, type View } from '../lib/watchtime';
import { DetailView } from './watchtime/detail';
import { OverviewView } from './watchtime/overview';
import { API_NAME, FrameLine } from './watchtime/parts';
import { RangePicker } from './watchtime/range';
import { SearchBox } from './watchtime/search';

/** how often to ask whether new watch time was written (a sweep writes about once a minute) */
const POLL_MS = 15_000;

function usePageUrl() {
  const [url, setUrl] = useState(readPageUrl);
  useEffect(() => {
    const onPop = () => setUrl(readPageUrl());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  return url;
}

/** Watch time: who and what was watched, for how long, over a range of Lurk days. */
export function WatchTimePage() {
  const { status } = useStatus();
  const { view, range: urlRange } = usePageUrl();
  const [poll, setPoll] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') setPoll((n) => n + 1);
    }, POLL_MS);
    return () => clearInterval(timer);
  }, []);
  const overview = useApi<Overview>(overviewUrl(), poll);
  const o = overview.data;
  // an explicit range in the address wins; otherwise the most recent range with figures, saying why
  const fallback = useMemo(() => (o ? defaultRange(o) : undefined), [o?.today, o?.yesterday, o?.first_day, o?.last_day, o?.first_hour, o?.time_zone]);
  const range: Range | undefined = urlRange ?? fallback?.range;
  const note = urlRange ? undefined : fallback?.note;

  // new watch time written: views whose range reaches today fetch again
  const [refresh, setRefresh] = useState(0);
  const lastUpdate = useRef<number | null | undefined>(undefined);
  useEffect(() => {
    if (!o) return;
    const previous = lastUpdate.current;
    lastUpdate.current = o.updated_at;
    if (previous !== undefined && o.updated_at !== previous && range && includesToday(range, o.today)) setRefresh((n) => n + 1);
  }, [o?.updated_at]);

  const now = useMemo(
    () => ({ today: o?.today ?? '', lastWrite: o?.updated_at ?? null, firstDay: o?.first_day ?? null, firstHour: o?.first_hour ?? null }),
    [o?.today, o?.updated_at, o?.first_day, o?.first_hour],
  );

  const [frame, setFrame] = useState<DayFrame>();
  const onFrame = useCallback((f: DayFrame | undefined) => f && setFrame({ time_zone: f.time_zone, day_start: f.day_start }), []);
  const shown = frame ?? o;

  const setRange = (next: Range) => go(pageHref(view, next));
  const open = (next: View) => {
    go(pageHref(next, range));
    window.scrollTo({ top: 0 });
  };

  return (
    <section class="page watchtime" data-page="watchtime">
      <div class="wt-head">
        <div>
          <h1>Watch time</h1>
          <p class="muted wt-tagline">Hours watched per game and streamer, from every stream Lurk sees on each sweep.</p>
          <FrameLine frame={shown} updatedAt={o?.updated_at} />
        </div>
        <SearchBox onOpen={open} />
      </div>

      {o && range && <RangePicker range={range} days={o} onChange={setRange} />}
      {o && note && (
        <p class="wt-range-note small muted" data-field="range-note">
          {note}
        </p>
      )}

      {overview.error && !o ? (
        <ErrorNotice error={overview.error} api={API_NAME} onRetry={() => setPoll((n) => n + 1)} />
      ) : !o || !range ? (
        <Loading>Reading Lurk’s calendar…</Loading>
      ) : view.kind === 'overview' ? (
        <OverviewView range={range} firstDay={o.first_day} now={now} refresh={refresh} onFrame={onFrame} />
      ) : (
        <DetailView
          key={view.kind === 'game' ? `g:${view.id}` : `s:${view.login}`}
          subject={view}
          range={range}
          firstDay={o.first_day}
          now={now}
          refresh={refresh}
          onFrame={onFrame}
          twitchLinks={status?.mode === 'twitch'}
        />
      )}
    </section>
  );
}
