import type { AudienceChannelsResponse, EndedResponse, RaidsResponse } from '../../../../src/audience/types';
import { ErrorNotice, Loading } from '../../components/notice';
import { useApi } from '../../lib/api';
import { CHANNELS_URL, REFRESH_MS, endedUrl, raidsUrl, useLurkNow, useRefresh } from '../../lib/audience';
import { AddChannels } from './add-channels';
import { ChannelsTable } from './channels';
import { EndedList } from './ended';
import { Explained } from './explained';
import { CsvLink } from './links';
import { CommunityMap } from './map';
import { RaidsTable } from './raids';

function EmptyState() {
  return (
    <div class="au-empty" data-field="empty">
      <p>
        <strong>No channels watched yet.</strong>
      </p>
      <p class="muted">
        Add one or more Twitch logins in <em>Watch channels</em> above, or start Lurk with <code>LURK_AUDIENCE_CHANNELS=login1,login2</code>, or set <code>LURK_AUDIENCE_TOP=N</code> to watch the N
        biggest live channels. Audience then follows who is in each room and where they go when they leave.
      </p>
    </div>
  );
}

/** /audience: the watched channels, where the audiences of ended streams went, recent raids, the community map */
export function Overview() {
  const [tick, reload] = useRefresh();
  const now = useLurkNow(tick);
  const list = useApi<AudienceChannelsResponse>(CHANNELS_URL, tick);
  const ended = useApi<EndedResponse>(endedUrl(), tick);
  const raids = useApi<RaidsResponse>(raidsUrl(), tick);
  const channels = list.data?.channels;
  return (
    <section class="page audience" aria-label="Audience">
      <div class="page-head">
        <h1>Audience</h1>
        <span class="muted small">where viewers go when they leave a stream · refreshed every {REFRESH_MS / 1000} s</span>
      </div>
      <AddChannels onAdded={reload} />

      <h2>Watched channels</h2>
      {list.error && !channels && <ErrorNotice error={list.error} onRetry={reload} api="Audience" />}
      {!channels && !list.error && <Loading />}
      {channels && channels.length === 0 && <EmptyState />}
      {channels && channels.length > 0 && <ChannelsTable channels={channels} onRemoved={reload} />}

      <div class="au-block-head">
        <h2>Where did they go</h2>
        <CsvLink href={endedUrl(undefined, 'csv')} file="audience-ended" />
      </div>
      <p class="muted small">Streams of watched channels that ended lately: who was there at the end, and where they turned up within 30 minutes.</p>
      {ended.error && !ended.data && <ErrorNotice error={ended.error} api="Audience" />}
      {!ended.data && !ended.error && <Loading />}
      {ended.data && ended.data.ended.length === 0 && <p class="au-empty muted">No watched stream has ended since Lurk started watching. When one does, its audience's next stops show here.</p>}
      {ended.data && ended.data.ended.length > 0 && <EndedList ended={ended.data.ended} now={now} />}

      <div class="au-block-head">
        <h2>Recent raids</h2>
        <CsvLink href={raidsUrl(undefined, 'csv')} file="audience-raids" />
      </div>
      {raids.error && !raids.data && <ErrorNotice error={raids.error} api="Audience" />}
      {!raids.data && !raids.error && <Loading />}
      {raids.data && raids.data.raids.length === 0 && <p class="au-empty muted">No raid from or into a watched channel yet.</p>}
      {raids.data && raids.data.raids.length > 0 && <RaidsTable raids={raids.data.raids} now={now} label="Recent raids" />}

      <h2>Community map</h2>
      <CommunityMap refresh={tick} />

      <Explained settings={list.data?.settings} />
    </section>
  );
}
