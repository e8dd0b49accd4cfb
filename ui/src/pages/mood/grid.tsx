import { useState } from 'preact/hooks';
import type { MoodChannelList, MoodChannelSummary } from '../../../../src/mood/types';
import { navigate } from '../../lib/navigate';
import { ErrorNotice, Loading, describeError } from '../../components/notice';
import { useApi } from '../../lib/api';
import { channelHref, chatStateText, formatRate, untrackChannel, useMoodLive } from '../../lib/mood';
import { AddChannels } from './add-channels';
import { Gauge } from './gauge';
import { LiveBadge } from './live-badge';
import { Sparkline } from './sparkline';

function ChannelCard({ channel, onRemoved }: { channel: MoodChannelSummary; onRemoved: () => void }) {
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const href = channelHref(channel.login);
  const remove = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      await untrackChannel(channel.login);
      onRemoved();
    } catch (err) {
      setProblem(describeError(err as Error, 'Mood'));
    } finally {
      setBusy(false);
    }
  };
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: a click anywhere on the card is a mouse shortcut; the name's link is the keyboard's way in
    <li
      class="md-card"
      data-channel={channel.login}
      onClick={(e) => {
        // the card opens the channel; its own button and link do their own thing
        if ((e.target as Element).closest('button, a')) return;
        navigate(href, { withQuery: true });
      }}
    >
      <div class="md-card-head">
        <h3>
          <a
            href={href}
            onClick={(e) => {
              if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
              e.preventDefault();
              navigate(href, { withQuery: true });
            }}
          >
            {channel.display_name}
          </a>
        </h3>
        <button
          type="button"
          class="md-remove"
          aria-label={`Stop tracking ${channel.login}`}
          disabled={busy || !channel.sources.includes('api')}
          title={channel.sources.includes('api') ? undefined : `tracked by ${channel.sources.join(' and ')}`}
          onClick={remove}
        >
          Remove
        </button>
      </div>
      <Gauge score={channel.mean_score} mood={channel.mood} label={`Mood of ${channel.login}`} />
      <div class="md-activity" data-field="activity">
        {channel.activity}
      </div>
      <div class="md-card-rate">
        <span class="num" data-field="rate">
          {formatRate(channel.messages_per_minute)}
        </span>{' '}
        <span class="muted small">messages/min</span>
        <Sparkline values={channel.sparkline} />
      </div>
      <div class={`small md-chat ${channel.chat.state}`} data-field="chat-state">
        {chatStateText(channel.chat)}
      </div>
      {problem && (
        <p class="small err-text" role="alert">
          {problem}
        </p>
      )}
    </li>
  );
}

function EmptyState() {
  return (
    <div class="md-empty" data-field="empty">
      <p>
        <strong>No channels tracked yet.</strong>
      </p>
      <p class="muted">
        Type one or more Twitch logins into <em>Track channels</em> above, or start Lurk with <code>LURK_MOOD_CHANNELS=login1,login2</code> (and <code>LURK_MOOD_TOP=N</code> to follow the N biggest
        live channels). Mood reads their chat and shows how it feels, minute by minute.
      </p>
    </div>
  );
}

/** the tracked channels as cards, live */
export function MoodGrid() {
  const [refresh, setRefresh] = useState(0);
  const list = useApi<MoodChannelList>('/api/mood/channels', refresh);
  const live = useMoodLive();
  // whichever is newer: the list fetched after a change, or the socket's
  const fetched = list.data;
  const useLive = live.channels !== undefined && (!fetched || (live.channelsAt ?? 0) >= Date.parse(fetched.at));
  const channels = useLive ? live.channels : fetched?.channels;
  const reload = () => setRefresh((n) => n + 1);
  return (
    <section class="page mood" aria-label="Mood">
      <div class="page-head">
        <h1>Mood</h1>
        <LiveBadge connection={live.connection} />
      </div>
      <AddChannels onAdded={reload} />
      {list.error && !channels && <ErrorNotice error={list.error} onRetry={reload} api="Mood" />}
      {!channels && !list.error && <Loading />}
      {channels && channels.length === 0 && <EmptyState />}
      {channels && channels.length > 0 && (
        <ul class="md-grid" aria-label="Tracked channels">
          {channels.map((c) => (
            <ChannelCard key={c.login} channel={live.summaries.get(c.login) ?? c} onRemoved={reload} />
          ))}
        </ul>
      )}
    </section>
  );
}
