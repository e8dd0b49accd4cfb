import { useMemo, useState } from 'preact/hooks';
import type { MoodChannelDetail, MoodMomentList, MoodSeries } from '../../../../src/mood/types';
import { navigate } from '../../lib/navigate';
import { BarList } from '../../components/bar-list';
import { Downloads } from '../../components/downloads';
import { ErrorNotice, Loading } from '../../components/notice';
import { ApiError, useApi } from '../../lib/api';
import { channelUrl, chatStateText, formatRate, mergeMoments, momentsUrl, seriesUrl, useMoodLive } from '../../lib/mood';
import { AddChannels } from './add-channels';
import { MoodCharts } from './charts';
import { Gauge } from './gauge';
import { LiveBadge } from './live-badge';
import { MomentList } from './moments';
import { OverlayLink } from './overlay-link';
import { WindowCards } from './windows';

/** how far back the charts reach */
const CHART_MINUTES = 30;

/** one tracked channel, live: gauge, windows, charts, emotes, moments */
export function ChannelView({ login }: { login: string }) {
  const [refresh, setRefresh] = useState(0);
  const fetched = useApi<MoodChannelDetail>(channelUrl(login), refresh);
  const live = useMoodLive(login);
  const detail = live.details.get(login) ?? (fetched.current ? fetched.data : undefined);

  // the charts' range follows the server's clock, moving on a minute at a time (each a new request)
  const serverNow = live.at ?? (detail ? Date.parse(detail.at) : undefined);
  const minute = serverNow === undefined ? undefined : Math.floor(serverNow / 60_000);
  const to = minute === undefined ? 0 : (minute + 1) * 60_000;
  const from = to - CHART_MINUTES * 60_000;
  const series = useApi<MoodSeries>(minute === undefined ? undefined : seriesUrl(login, from, to, '1m'));
  const stored = useMemo(() => (series.data?.points ?? []).filter((p) => serverNow !== undefined && Date.parse(p.t) + 60_000 <= serverNow), [series.data, minute]);

  const listed = useApi<MoodMomentList>(momentsUrl(login), refresh);
  const moments = useMemo(
    () =>
      mergeMoments(
        listed.data?.moments ?? [],
        live.moments.filter((m) => m.login === login),
      ),
    [listed.data, live.moments, login],
  );
  const [selected, setSelected] = useState<string>();

  const back = (
    <a
      href="/mood"
      onClick={(e) => {
        e.preventDefault();
        navigate('/mood', { withQuery: true });
      }}
    >
      ← All channels
    </a>
  );
  if (!detail) {
    return (
      <section class="page mood" aria-label={`Mood of ${login}`}>
        <p>{back}</p>
        <h1>{login}</h1>
        {fetched.error ? <ErrorNotice error={fetched.error} onRetry={() => setRefresh((n) => n + 1)} api="Mood" /> : <Loading />}
        {fetched.error instanceof ApiError && fetched.error.status === 404 && fetched.error.code === 'not_found' && <AddChannels initial={login} onAdded={() => setRefresh((n) => n + 1)} />}
      </section>
    );
  }
  const fiveMinutes = detail.windows['5m'];
  const csv = seriesUrl(login, from, to, '1m', 'csv');
  return (
    <section class="page mood" aria-label={`Mood of ${detail.display_name}`} data-channel={login}>
      <p>{back}</p>
      <div class="page-head">
        <h1>{detail.display_name}</h1>
        <LiveBadge connection={live.connection} />
      </div>
      <div class="md-now">
        <Gauge score={detail.mean_score} mood={detail.mood} label={`Mood of ${login}`} />
        <div>
          <div class="md-activity large" data-field="activity">
            {detail.activity}
          </div>
          <div>
            <span class="num" data-field="rate">
              {formatRate(detail.messages_per_minute)}
            </span>{' '}
            <span class="muted">messages/min over 5 minutes</span>
          </div>
          <div class={`small md-chat ${detail.chat.state}`} data-field="chat-state">
            {chatStateText(detail.chat)} · tracked by {detail.sources.join(', ')}
          </div>
        </div>
      </div>
      <WindowCards windows={detail.windows} />
      <h2>Last {CHART_MINUTES} minutes</h2>
      {series.error && <ErrorNotice error={series.error} api="Mood" />}
      <MoodCharts
        points={stored}
        now={live.at !== undefined ? { at: live.at, window: detail.windows['1m'] } : undefined}
        from={from}
        to={Math.min(to, serverNow ?? to)}
        moments={moments}
        onSelectMoment={setSelected}
      />
      <Downloads items={[{ label: `Per minute, last ${CHART_MINUTES} minutes`, csv, json: seriesUrl(login, from, to, '1m'), file: `mood-${login}` }]} />
      <div class="md-columns">
        <div>
          <h2>Moments</h2>
          {listed.error && <ErrorNotice error={listed.error} api="Mood" />}
          <MomentList moments={moments} selected={selected} onSelect={setSelected} />
        </div>
        <div>
          <h2>Top emotes</h2>
          {fiveMinutes.top_emotes.length === 0 ? (
            <p class="muted">No emotes in the last 5 minutes.</p>
          ) : (
            <BarList title="Last 5 minutes" bars={fiveMinutes.top_emotes.map((e) => ({ key: e.name, label: e.name, value: e.count, text: String(e.count) }))} />
          )}
        </div>
      </div>
      <h2>Overlay</h2>
      <OverlayLink login={login} />
    </section>
  );
}
