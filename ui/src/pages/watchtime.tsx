import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useStatus } from '../lib/status';
import { DEFAULT_PRESET, go, includesToday, overviewUrl, pageHref, presetRange, readPageUrl, useApi, type DayFrame, type Overview, type Range, type View } from '../lib/watchtime';
import { DetailView } from './watchtime/detail';
import { OverviewView } from './watchtime/overview';
import { ErrorNotice, FrameLine, Loading } from './watchtime/parts';
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
  const range: Range | undefined = urlRange ?? (o ? presetRange(DEFAULT_PRESET, o) : undefined);

  // new watch time written: views whose range reaches today fetch again
  const [refresh, setRefresh] = useState(0);
  const lastUpdate = useRef<number | null | undefined>(undefined);
  useEffect(() => {
    if (!o) return;
    const previous = lastUpdate.current;
    lastUpdate.current = o.updated_at;
    if (previous !== undefined && o.updated_at !== previous && range && includesToday(range, o.today)) setRefresh((n) => n + 1);
  }, [o?.updated_at]);

  const now = useMemo(() => ({ today: o?.today ?? '', lastWrite: o?.updated_at ?? null }), [o?.today, o?.updated_at]);

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

      {overview.error && !o ? (
        <ErrorNotice error={overview.error} onRetry={() => setPoll((n) => n + 1)} />
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
