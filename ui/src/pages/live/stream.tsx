import { useEffect, useState } from 'preact/hooks';
import { ErrorNotice, Loading } from '../../components/notice';
import { ApiError, useApi } from '../../lib/api';
import { availabilityText, channelUrl, ME_URL, playerUrl, TYPE_LABELS, type LiveAvailability, type LiveChannelView, type LiveMe } from '../../lib/live';
import { navigate } from '../../lib/navigate';
import { Chat } from './chat';
import { AddFavourite } from './favourites';
import { Feed } from './feed';
import { LoggedOut } from './login';
import { OverlayLink } from './overlay-link';
import { useFeed } from './use-feed';

type Me = LiveMe & { user: NonNullable<LiveMe['user']> };

/** /live/<login>: a favourite's stream, chat, what its feed can show, and the feed */
export function StreamPage({ login }: { login: string }) {
  const [refresh, setRefresh] = useState(0);
  const me = useApi<LiveMe>(ME_URL);
  const view = useApi<LiveChannelView>(me.data?.user ? channelUrl(login) : undefined, refresh);
  const back = (
    <a
      class="live-back"
      href="/live"
      onClick={(e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate('/live');
      }}
    >
      ← Favourites
    </a>
  );
  if (me.error) return <ErrorNotice error={me.error} api="Live" />;
  if (!me.data) return <Loading />;
  if (!me.data.user) {
    return (
      <>
        {back}
        <h1>{login}</h1>
        <LoggedOut mode={me.data.mode} returnTo={`/live/${login}`} />
      </>
    );
  }
  if (view.error && !view.data) {
    const notFavourite = view.error instanceof ApiError && view.error.status === 404;
    return (
      <>
        {back}
        <h1>{login}</h1>
        {notFavourite ? (
          <div class="live-not-favourite" data-field="not-favourite">
            <p>{login} is not one of your favourites yet. Add it to see its stream and events here.</p>
            <AddFavourite csrf={me.data.csrf} initial={login} onAdded={() => setRefresh((n) => n + 1)} />
          </div>
        ) : (
          <ErrorNotice error={view.error} api="Live" onRetry={() => setRefresh((n) => n + 1)} />
        )}
      </>
    );
  }
  if (!view.data) return <Loading />;
  return (
    <>
      {back}
      <Stream login={login} me={me.data as Me} view={view.data} />
    </>
  );
}

function Stream({ login, me, view }: { login: string; me: Me; view: LiveChannelView }) {
  // chat comes over the socket only in simulator mode: on Twitch the chat embed shows it
  const feed = useFeed(login, me.mode === 'simulator');
  const [clearedBefore, setClearedBefore] = useState(view.cleared_before);
  const [overlayUrl, setOverlayUrl] = useState(view.overlay_url);
  useEffect(() => setClearedBefore(view.cleared_before), [view.cleared_before]);
  const channel = view.channel;
  const live = feed.availability ? feed.availability.live : channel.live;
  const availability = feed.availability?.availability ?? view.availability;
  return (
    <section class="live-stream" data-channel={login} aria-labelledby="live-stream-name">
      <div class="live-stream-head">
        <h1 id="live-stream-name">{channel.display_name}</h1>
        <span class={`live-state ${live ? 'on' : 'off'}`} data-field="live-state">
          {live === null ? 'not seen yet' : live ? 'live' : 'offline'}
        </span>
        {channel.title && <span class="live-stream-title">{channel.title}</span>}
        {channel.category && <span class="muted small">{channel.category}</span>}
      </div>
      <div class="live-stage">
        <div class="live-screen">
          {me.mode === 'twitch' ? (
            <iframe src={playerUrl(login, location.hostname)} title={`${channel.display_name} on Twitch`} allow="autoplay; fullscreen; picture-in-picture" allowFullScreen />
          ) : (
            <div class="live-sim" data-field="simulated">
              <div class="live-sim-top">
                <span class="live-badge sim">Simulated Twitch</span>
                {live && <span class="live-badge on">LIVE</span>}
              </div>
              <div class="live-sim-bottom">
                <span class="live-sim-name">{channel.display_name}</span>
                <span class="live-sim-note">{channel.category ? `${channel.category} · ` : ''}No video: this stream lives in the built-in simulator</span>
              </div>
            </div>
          )}
        </div>
        <Chat login={login} mode={me.mode} lines={feed.chat} />
      </div>
      <Availability list={availability} />
      <Feed login={login} channelName={channel.display_name} csrf={me.csrf} me={me.user.login} feed={feed} clearedBefore={clearedBefore} onCleared={setClearedBefore} />
      <OverlayLink login={login} csrf={me.csrf} url={overlayUrl} onRotated={setOverlayUrl} />
    </section>
  );
}

function Availability({ list }: { list: readonly LiveAvailability[] }) {
  return (
    <section class="live-availability" aria-labelledby="live-availability-title">
      <h2 id="live-availability-title">What this feed can show</h2>
      <ul data-field="availability">
        {list.map((a) => (
          <li key={a.type} data-type={a.type} data-available={a.available ? 'true' : 'false'}>
            <span class={`live-mark ${a.available ? 'yes' : 'no'}`} aria-hidden="true">
              {a.available ? '✓' : '✗'}
            </span>
            <b>{TYPE_LABELS[a.type]}</b> <span class="small">{availabilityText(a)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
