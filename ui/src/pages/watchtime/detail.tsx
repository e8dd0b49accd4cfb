import { useEffect } from 'preact/hooks';
import { Cards } from '../../components/cards';
import { Downloads } from '../../components/downloads';
import { ErrorNotice, Loading } from '../../components/notice';
import { ApiError, useApi } from '../../lib/api';
import { formatDay, formatHours, formatInt } from '../../lib/format';
import { addDays, detailUrl, downloadName, followLink, formatRange, pageHref, seriesUrl, type DayFrame, type GameDetail, type Range, type Series, type StreamerDetail } from '../../lib/watchtime';
import { Leaderboard } from './leaderboard';
import { API_NAME, EmptyState, HoursChart, type Now } from './parts';

const TOP_LIMIT = 25;

type Subject = { kind: 'game'; id: string } | { kind: 'streamer'; login: string };

interface Props {
  subject: Subject;
  range: Range;
  firstDay: string | null | undefined;
  now: Now;
  /** re-fetch when this changes (new data recorded) */
  refresh: number;
  /** tells the page which frame (zone, day start) this view's figures use */
  onFrame: (frame: DayFrame | undefined) => void;
  twitchLinks: boolean;
}

/** One game (its top streamers) or one streamer (their top games): totals, the series, the list. */
export function DetailView({ subject, range, firstDay, now, refresh, onFrame, twitchLinks }: Props) {
  const single = range.from === range.to;
  const detail = useApi<GameDetail | StreamerDetail>(detailUrl(subject, range, TOP_LIMIT), refresh);
  // one day: a game is drawn per hour; a streamer has daily figures only, so their week up to that day
  const context: Range = { from: addDays(range.to, -6), to: range.to };
  const oneDay = useApi<Series>(single ? (subject.kind === 'game' ? seriesUrl(subject, range, 'hour') : seriesUrl(subject, context, 'day')) : undefined, refresh);
  const data = detail.current ? detail.data : undefined;
  useEffect(() => onFrame(data), [data]);

  const isGame = subject.kind === 'game';
  const back = (
    <a class="wt-back small" href={pageHref({ kind: 'overview' }, range)} onClick={followLink} data-action="back">
      ← All of watch time
    </a>
  );

  if (detail.error && !data) {
    const notFound = detail.error instanceof ApiError && detail.error.code === 'not_found';
    return (
      <section class="wt-detail" data-view={subject.kind}>
        {back}
        {notFound ? (
          <div class="wt-empty" data-field="not-found">
            <p>{isGame ? `Lurk has no watch time for a game with id ${subject.id}.` : `Lurk has no watch time for a streamer called ${subject.login}.`}</p>
            <p class="muted small">It may not have been live since Lurk started watching, or the link is mistyped. Try the search above.</p>
          </div>
        ) : (
          <ErrorNotice error={detail.error} api={API_NAME} />
        )}
      </section>
    );
  }
  if (!data) {
    return (
      <section class="wt-detail" data-view={subject.kind}>
        {back}
        <Loading>Loading {isGame ? 'the game' : 'the streamer'}…</Loading>
      </section>
    );
  }

  const game = 'game' in data ? data : undefined;
  const streamer = 'streamer' in data ? data : undefined;
  const name = game ? game.game.name : streamer!.streamer.name;
  const top = game ? game.top_streamers : streamer!.top_games;
  const t = data.totals;
  const empty = t.hours_watched === 0 && t.hours_streamed === 0 && top.length === 0;
  const json = detailUrl(subject, range, TOP_LIMIT);
  const oneDayData = oneDay.current ? oneDay.data : undefined;

  return (
    <section class="wt-detail" data-view={subject.kind} data-id={game ? game.game.id : streamer!.streamer.login} aria-busy={detail.loading}>
      {back}
      <div class="wt-detail-head">
        <h2 class="wt-title" data-field="detail-name">
          <span class={`wt-kind ${subject.kind}`}>{isGame ? 'Game' : 'Streamer'}</span>
          {name}
          {streamer && streamer.streamer.login !== streamer.streamer.name.toLowerCase() && <span class="muted small"> ({streamer.streamer.login})</span>}
        </h2>
        {streamer && twitchLinks && (
          <a class="small" href={`https://www.twitch.tv/${encodeURIComponent(streamer.streamer.login)}`} target="_blank" rel="noreferrer">
            twitch.tv/{streamer.streamer.login}
          </a>
        )}
        <p class="muted small wt-range-text">{formatRange(range)}</p>
      </div>
      <Downloads
        items={[
          { label: 'Series', file: downloadName(`${name}-series`, range), json, csv: detailUrl(subject, range, TOP_LIMIT, 'csv') },
          { label: isGame ? 'Top streamers' : 'Top games', file: downloadName(`${name}-top`, range), json, csv: detailUrl(subject, range, TOP_LIMIT, 'csv', 'top') },
        ]}
      />
      {detail.error && <ErrorNotice error={detail.error} api={API_NAME} />}
      {empty ? (
        <EmptyState range={range} firstDay={firstDay} today={now.today} />
      ) : (
        <>
          <Cards
            class="wt-totals"
            field="totals"
            cards={[
              { label: 'Hours watched', value: formatHours(t.hours_watched), field: 'total-hours-watched' },
              { label: 'Average viewers', value: formatInt(t.average_viewers), field: 'total-average-viewers' },
              { label: 'Peak viewers', value: formatInt(t.peak_viewers), field: 'total-peak-viewers' },
              { label: 'Hours streamed', value: formatHours(t.hours_streamed), note: `${formatInt(t.streams)} ${t.streams === 1 ? 'stream' : 'streams'}`, field: 'total-hours-streamed' },
              ...('streamers' in t ? [{ label: 'Streamers', value: formatInt(t.streamers), note: 'channels that played it', field: 'total-streamers' }] : []),
            ]}
          />
          {single ? (
            oneDayData ? (
              oneDayData.granularity === 'hour' ? (
                <HoursChart title={`${name}: hours watched per hour`} points={oneDayData.points} granularity="hour" timeZone={oneDayData.time_zone} now={now} />
              ) : (
                <HoursChart
                  title={`${name}: hours watched per day, the week to ${formatDay(range.to, false)}`}
                  points={oneDayData.points}
                  granularity="day"
                  timeZone={oneDayData.time_zone}
                  now={now}
                />
              )
            ) : oneDay.error ? (
              <ErrorNotice error={oneDay.error} api={API_NAME} />
            ) : (
              <Loading>Loading the series…</Loading>
            )
          ) : (
            <HoursChart title={`${name}: hours watched per day`} points={data.series} granularity="day" timeZone={data.time_zone} now={now} />
          )}
          <h3>{isGame ? `Top streamers playing ${name}` : `What ${name} streamed`}</h3>
          {top.length ? (
            <Leaderboard kind={isGame ? 'streamers' : 'games'} items={top} range={range} title={isGame ? 'Top streamers' : 'Top games'} noun={isGame ? 'Streamer' : 'Game'} />
          ) : (
            <p class="muted">Nothing in this range.</p>
          )}
        </>
      )}
    </section>
  );
}
