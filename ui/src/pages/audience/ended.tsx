import type { EndedStream } from '../../../../src/audience/types';
import { BarList } from '../../components/bar-list';
import { formatPercent } from '../../lib/audience';
import { formatInt, formatRelative, formatTime } from '../../lib/format';
import { ChannelLink } from './links';

/** how many destinations a stream's card shows */
const TOP = 5;

/** "Where did they go": each recently ended stream, its audience then, and where they went next */
export function EndedList({ ended, now }: { ended: EndedStream[]; now: number }) {
  return (
    <ul class="au-ended" aria-label="Recently ended streams" data-field="ended">
      {ended.map((s) => (
        <li key={`${s.channel}@${s.ended_at}`} class="card" data-channel={s.channel} data-final={s.final ? 'true' : 'false'}>
          <div class="au-ended-head">
            <h3>
              <ChannelLink login={s.channel} />
            </h3>
            <span class="muted small" title={formatTime(Date.parse(s.ended_at))}>
              ended {formatRelative(Date.parse(s.ended_at), now)}
              {!s.final && ' · still counting'}
            </span>
          </div>
          <dl class="au-facts small">
            <dt>Audience at the end</dt>
            <dd class="num" data-field="ended-audience">
              {formatInt(s.audience)}
            </dd>
            <dt>Followed into a watched channel</dt>
            <dd class="num" data-field="followed">
              {formatInt(s.followed)}
              {s.audience > 0 && <span class="muted"> ({formatPercent(s.followed / s.audience)})</span>}
            </dd>
            <dt>Of the moves, with a raid</dt>
            <dd class="num" data-field="raid-share">
              {formatPercent(s.raid_share)}
            </dd>
          </dl>
          {s.destinations.length === 0 ? (
            <p class="muted small">Nobody seen arriving in a watched channel{s.final ? '' : ' yet'}.</p>
          ) : (
            <BarList
              title="Top destinations"
              bars={s.destinations.slice(0, TOP).map((d) => ({
                key: d.channel,
                label: <ChannelLink login={d.channel} />,
                value: d.count,
                text: d.raid > 0 ? `${formatInt(d.count)} (${formatInt(d.raid)} raid)` : formatInt(d.count),
              }))}
            />
          )}
        </li>
      ))}
    </ul>
  );
}
