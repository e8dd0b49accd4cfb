import type { MoodChannelDetail } from '../../../../src/mood/types';
import { describeError } from '../../components/notice';
import { useApi } from '../../lib/api';
import { channelUrl, formatRate, useMoodLive } from '../../lib/mood';
import { Gauge } from './gauge';

function channelParam(): string | undefined {
  return new URLSearchParams(window.location.search).get('channel')?.trim().toLowerCase() || undefined;
}

/** /overlay/mood?channel=login: an OBS browser source, transparent, large, no navigation */
export function MoodOverlay() {
  const login = channelParam();
  const fetched = useApi<MoodChannelDetail>(login ? channelUrl(login) : undefined);
  const live = useMoodLive(login);
  if (!login) return <div class="md-overlay-message">Add ?channel=login to this address.</div>;
  const detail = live.details.get(login) ?? fetched.data;
  if (!detail) return <div class="md-overlay-message">{fetched.error ? describeError(fetched.error, 'Mood') : ''}</div>;
  return (
    <section class="md-overlay" data-channel={login} data-connection={live.connection} aria-label={`Mood of ${detail.display_name}`}>
      <Gauge score={detail.mean_score} mood={detail.mood} label={`Mood of ${login}`} />
      <div class="md-overlay-activity" data-field="activity">
        {detail.activity}
      </div>
      <div class="md-overlay-rate">
        <span class="num" data-field="rate">
          {formatRate(detail.messages_per_minute)}
        </span>{' '}
        messages/min
      </div>
      {live.connection === 'reconnecting' && <div class="md-overlay-note">reconnecting…</div>}
    </section>
  );
}
