import type { ComponentChildren } from 'preact';
import { formatTime } from '../../lib/format';
import { formatLiveFor, languageName, playerUrl, twitchUrl, viewerText, type Stream } from '../../lib/discover';
import { Thumb } from './thumb';

/** started_at on Lurk's clock → seconds live */
function liveSeconds(stream: Stream, now: number): number {
  const started = Date.parse(stream.started_at);
  return Number.isFinite(started) ? (now - started) / 1000 : 0;
}

/** The stream being shown: the Twitch player (real Twitch) or a stand-in panel (simulated Twitch), and what we know about it. */
export function Stage({ stream, mode, twitchLabel, now, busy }: { stream: Stream; mode: 'simulator' | 'twitch' | undefined; twitchLabel: string; now: number; busy: boolean }) {
  const real = mode === 'twitch';
  const online = formatLiveFor(liveSeconds(stream, now));
  const channel = twitchUrl(stream.user_login);
  const tags = stream.tags ?? [];
  return (
    <article class={`dsc-stage${busy ? ' busy' : ''}`} data-stream-id={stream.id} data-login={stream.user_login} aria-labelledby="dsc-now-name" aria-busy={busy}>
      <div class="dsc-screen">
        {real ? (
          <iframe
            key={stream.user_login}
            src={playerUrl(stream.user_login, location.hostname)}
            title={`${stream.user_name} live on Twitch`}
            allow="autoplay; fullscreen; picture-in-picture"
            allowFullScreen
          />
        ) : (
          <div class="dsc-sim" data-field="simulated">
            <Thumb stream={stream} real={false} large />
            <div class="dsc-sim-top">
              <span class="dsc-badge sim">{mode === 'simulator' ? twitchLabel : 'Connecting…'}</span>
              <span class="dsc-badge live">
                <b>LIVE</b> {online}
              </span>
            </div>
            <div class="dsc-sim-bottom">
              <span class="dsc-sim-name">{stream.user_name}</span>
              {mode === 'simulator' && <span class="dsc-sim-note">No video: this stream lives in the built-in simulator</span>}
            </div>
          </div>
        )}
      </div>
      <div class="dsc-info">
        <div class="dsc-who">
          <h2 id="dsc-now-name">
            <a href={channel} target="_blank" rel="noreferrer" data-field="name">
              {stream.user_name}
            </a>
          </h2>
          {mode === 'simulator' && <span class="dsc-badge sim small">{twitchLabel}</span>}
        </div>
        <p class="dsc-title" data-field="title">
          {stream.title.trim() || <span class="muted">(no title)</span>}
        </p>
        <dl class="dsc-facts">
          <div>
            <dt>Category</dt>
            <dd data-field="game">{stream.game_name || <span class="muted">none</span>}</dd>
          </div>
          <div>
            <dt>Language</dt>
            <dd data-field="language" data-language={stream.language}>
              {languageName(stream.language)}
            </dd>
          </div>
          <div>
            <dt>Online for</dt>
            <dd data-field="online" title={`since ${formatTime(Date.parse(stream.started_at))}`}>
              {online}
            </dd>
          </div>
          <div>
            <dt>Viewers</dt>
            <dd data-field="viewers">{viewerText(stream.viewer_count)}</dd>
          </div>
        </dl>
        {tags.length > 0 && (
          <ul class="dsc-tags" aria-label="Tags">
            {tags.map((t) => (
              <li key={t}>{t}</li>
            ))}
          </ul>
        )}
        <div class="dsc-go">
          <p class="small muted">{stream.viewer_count === 0 ? 'You would be their first viewer. Say hi in chat!' : 'Hardly anyone is here yet. Say hi in chat!'}</p>
          <a class="dsc-open" href={channel} target="_blank" rel="noreferrer" title={channel}>
            Open on Twitch <span aria-hidden="true">↗</span>
          </a>
        </div>
      </div>
    </article>
  );
}

/** What the stage shows before the first stream arrives (or when none could be found). */
export function EmptyStage({ busy, children }: { busy: boolean; children?: ComponentChildren }) {
  return (
    <article class="dsc-stage empty" aria-busy={busy}>
      <div class="dsc-screen">
        <div class="dsc-empty">
          {busy && <span class="dsc-spinner" aria-hidden="true" />}
          <p>{busy ? 'Looking for someone nobody is watching…' : children}</p>
        </div>
      </div>
    </article>
  );
}
