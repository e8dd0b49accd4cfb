import { useEffect, useMemo, useState } from 'preact/hooks';
import { Cards } from '../../components/cards';
import { Downloads } from '../../components/downloads';
import { ErrorNotice, Loading } from '../../components/notice';
import { useApi } from '../../lib/api';
import { formatHours, formatInt } from '../../lib/format';
import { downloadName, seriesUrl, topUrl, type DayFrame, type Kind, type Range, type Series, type TopList } from '../../lib/watchtime';
import { Leaderboard } from './leaderboard';
import { API_NAME, EmptyState, HoursChart, type Now } from './parts';

const LIMITS = [10, 50] as const;

function useWide(query = '(min-width: 900px)'): boolean {
  const [wide, setWide] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const media = window.matchMedia(query);
    const onChange = () => setWide(media.matches);
    media.addEventListener('change', onChange);
    return () => media.removeEventListener('change', onChange);
  }, [query]);
  return wide;
}

const BOARDS: { kind: Kind; title: string; noun: string }[] = [
  { kind: 'games', title: 'Top games', noun: 'Game' },
  { kind: 'streamers', title: 'Top streamers', noun: 'Streamer' },
];

interface Props {
  range: Range;
  firstDay: string | null | undefined;
  now: Now;
  refresh: number;
  onFrame: (frame: DayFrame | undefined) => void;
}

/** Everything in the range: totals, hours watched over time, and the two leaderboards. */
export function OverviewView({ range, firstDay, now, refresh, onFrame }: Props) {
  const [limit, setLimit] = useState<(typeof LIMITS)[number]>(10);
  const [tab, setTab] = useState<Kind>('games');
  const wide = useWide();
  const [retries, setRetries] = useState(0);
  const version = refresh + retries;
  const granularity = range.from === range.to ? 'hour' : 'day';
  const games = useApi<TopList>(topUrl('games', range, limit), version);
  const streamers = useApi<TopList>(topUrl('streamers', range, limit), version);
  const series = useApi<Series>(seriesUrl({ kind: 'total' }, range, granularity), version);
  const boards = { games, streamers };
  const seriesData = series.current ? series.data : undefined;
  useEffect(() => onFrame(seriesData ?? games.data), [seriesData, games.data]);

  const totals = useMemo(() => {
    if (!seriesData) return undefined;
    const watched = seriesData.points.reduce((sum, p) => sum + p.hours_watched, 0);
    const streamed = seriesData.points.reduce((sum, p) => sum + p.hours_streamed, 0);
    const peak = seriesData.points.reduce((max, p) => Math.max(max, p.peak_viewers), 0);
    // each point's average is its hours watched per hour sampled; weigh them by those hours
    const sampled = seriesData.points.reduce((sum, p) => sum + (p.average_viewers > 0 ? p.hours_watched / p.average_viewers : 0), 0);
    return { watched, streamed, peak, average: sampled > 0 ? watched / sampled : 0 };
  }, [seriesData]);

  const loaded = games.current && streamers.current && series.current;
  const empty = loaded && !games.error && !streamers.error && games.data?.items.length === 0 && streamers.data?.items.length === 0;
  const firstLoad = !games.data && !streamers.data && !series.data && !games.error && !streamers.error && !series.error;
  const busy = games.loading || streamers.loading || series.loading;
  const failed = !busy && games.error && streamers.error && series.error && !games.data && !streamers.data && !series.data;

  return (
    <section class="wt-overview" data-view="overview" aria-busy={busy} data-loading={busy ? 'true' : undefined}>
      {failed ? (
        <ErrorNotice error={games.error!} api={API_NAME} onRetry={() => setRetries((n) => n + 1)} />
      ) : firstLoad ? (
        <Loading>Loading watch time…</Loading>
      ) : empty ? (
        <EmptyState range={range} firstDay={firstDay} today={now.today} />
      ) : (
        <div class={busy ? 'wt-stale' : undefined}>
          {totals && (
            <Cards
              class="wt-totals"
              field="totals"
              cards={[
                { label: 'Hours watched', value: formatHours(totals.watched), field: 'total-hours-watched' },
                { label: 'Average viewers', value: formatInt(totals.average), note: 'watching at once, on average', field: 'total-average-viewers' },
                { label: 'Peak viewers', value: formatInt(totals.peak), note: granularity === 'hour' ? 'highest hour' : 'highest day', field: 'total-peak-viewers' },
                { label: 'Hours streamed', value: formatHours(totals.streamed), field: 'total-hours-streamed' },
              ]}
            />
          )}
          <div class="wt-block-head">
            <h2>Over time</h2>
            <Downloads
              items={[{ label: 'Series', file: downloadName('series', range), json: seriesUrl({ kind: 'total' }, range, granularity), csv: seriesUrl({ kind: 'total' }, range, granularity, 'csv') }]}
            />
          </div>
          {series.error && !seriesData ? (
            <ErrorNotice error={series.error} api={API_NAME} />
          ) : seriesData ? (
            <HoursChart
              title={granularity === 'hour' ? 'Hours watched per hour' : 'Hours watched per day'}
              points={seriesData.points}
              granularity={granularity}
              timeZone={seriesData.time_zone}
              now={now}
            />
          ) : (
            <Loading />
          )}

          <div class="wt-block-head">
            <h2>Leaderboards</h2>
            <button type="button" data-action="limit" onClick={() => setLimit(limit === 10 ? 50 : 10)}>
              {limit === 10 ? 'Show top 50' : 'Show top 10'}
            </button>
          </div>
          {!wide && (
            <div class="wt-tabs" role="tablist" aria-label="Leaderboards">
              {BOARDS.map((b) => (
                <button
                  key={b.kind}
                  type="button"
                  role="tab"
                  id={`wt-tab-${b.kind}`}
                  aria-controls={`wt-panel-${b.kind}`}
                  aria-selected={tab === b.kind}
                  data-tab={b.kind}
                  onClick={() => setTab(b.kind)}
                >
                  {b.title}
                </button>
              ))}
            </div>
          )}
          <div class="wt-boards">
            {BOARDS.filter((b) => wide || b.kind === tab).map((b) => {
              const board = boards[b.kind];
              return (
                <section
                  key={b.kind}
                  class="wt-panel"
                  id={`wt-panel-${b.kind}`}
                  data-panel={b.kind}
                  {...(wide ? { 'aria-labelledby': `wt-h-${b.kind}` } : { role: 'tabpanel', 'aria-labelledby': `wt-tab-${b.kind}` })}
                >
                  <div class="wt-block-head">
                    <h3 id={`wt-h-${b.kind}`} class={wide ? undefined : 'sr-only'}>
                      {b.title}
                    </h3>
                    <Downloads items={[{ label: '', file: downloadName(`top-${b.kind}`, range), json: topUrl(b.kind, range, limit), csv: topUrl(b.kind, range, limit, 'csv') }]} />
                  </div>
                  {board.error && !board.data ? (
                    <ErrorNotice error={board.error} api={API_NAME} />
                  ) : !board.data ? (
                    <Loading />
                  ) : board.data.items.length === 0 ? (
                    <p class="muted">Nothing in this range.</p>
                  ) : (
                    <Leaderboard kind={b.kind} items={board.data.items} range={range} title={b.title} noun={b.noun} />
                  )}
                </section>
              );
            })}
          </div>
        </div>
      )}
    </section>
  );
}
