import type { AudienceChannelsResponse } from '../../../../src/audience/types';
import { FLAG_TEXT } from '../../lib/audience';

/** what the figures are made of, in small print under them */
/** "10 minutes", "90 seconds" */
function spell(seconds: number): string {
  if (seconds % 60 === 0) return seconds === 60 ? 'a minute' : `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}

export function Explained({ settings }: { settings?: AudienceChannelsResponse['settings'] }) {
  const linger = settings ? spell(settings.linger_seconds) : 'a while';
  const window = settings ? spell(settings.move_window_seconds) : 'a short window';
  return (
    <aside class="au-explained small muted" aria-label="What the figures are made of" data-field="explained">
      <h2>What these figures are made of</h2>
      <p>
        Twitch no longer lists who watches a stream. Lurk sees a user in a channel when they <strong>chat</strong> there, through the <strong>JOIN/PART</strong> and name lists Twitch still sends for
        rooms under 1,000 users (<em>Membership: yes</em>), through the chatters list where Lurk holds a moderator token, and through <strong>raids</strong>. Lurkers in big rooms are invisible: every
        figure here counts users Lurk could see, not viewers.
      </p>
      <p>
        <strong>Present</strong>: users with a signal in the room and no PART since, for up to {linger} after their last signal. <strong>Active chatters</strong>: distinct users who chatted in the
        last 10 minutes. <strong>Viewers</strong>: Twitch's own count.
      </p>
      <p>
        <strong>A move</strong> A → B: a user left A (a PART, or their last signal there) and showed up in B within {window}; it is a <em>raid</em> move when it followed a raid from A to B, otherwise{' '}
        <em>organic</em>. <strong>Raiders seen</strong>: users Lurk saw make that move (both channels must be watched); <strong>still there</strong>: of those, present in B 10 and 30 minutes later.
      </p>
      <p>
        <strong>Chatters per viewer</strong>: active chatters divided by viewers, beside the median of channels of the same size. A channel is <strong>flagged</strong> when it has {FLAG_TEXT}: under a
        fifth of its peers' ratio, with at least 50 viewers and at least 5 peers.
      </p>
      <p>
        <strong>Similar channels</strong>: users active in both over the period; <em>share</em> of each channel's active users, and <em>probability</em>, of the users this channel shares with any
        other, those it shares with that one. <strong>The community map</strong> links channels by shared active users of a day; communities are found by Louvain modularity.
      </p>
      {settings && <p>Per-user move rows are {settings.per_user_moves ? `served, and kept ${settings.per_user_days} days` : 'not served: only sums leave Lurk (LURK_AUDIENCE_PER_USER)'}.</p>}
    </aside>
  );
}
