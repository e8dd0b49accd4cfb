import type { RaidRow } from '../../../../src/audience/types';
import { formatInt, formatRelative, formatTime } from '../../lib/format';
import { formatPercent } from '../../lib/audience';
import { ChannelLink } from './links';

function Retained({ kept, seen }: { kept: number | null; seen: number }) {
  if (kept === null) return <span class="muted small">not yet</span>;
  return (
    <span class="num">
      {formatInt(kept)}
      {seen > 0 && <span class="muted small"> ({formatPercent(kept / seen)})</span>}
    </span>
  );
}

/** raids, newest first: who raided whom, with how many viewers, how many Lurk saw arrive and stay */
export function RaidsTable({ raids, now, label }: { raids: RaidRow[]; now: number; label: string }) {
  return (
    <div class="table-wrap">
      <table class="au-table" aria-label={label} data-field="raids">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">From → to</th>
            <th scope="col" class="num">
              Viewers
            </th>
            <th scope="col" class="num" title="users Lurk saw move from the raider to the raided channel with the raid">
              Raiders seen
            </th>
            <th scope="col" class="num" title="of those, still present in the raided channel 10 minutes after">
              Still there at 10 min
            </th>
            <th scope="col" class="num" title="of those, still present in the raided channel 30 minutes after">
              At 30 min
            </th>
          </tr>
        </thead>
        <tbody>
          {raids.map((r) => (
            <tr key={r.id} data-raid={r.id} data-from={r.from_channel} data-to={r.to_channel}>
              <td class="nowrap" title={formatTime(Date.parse(r.at))}>
                {formatRelative(Date.parse(r.at), now)}
              </td>
              <td>
                <ChannelLink login={r.from_channel} /> → <ChannelLink login={r.to_channel} />
              </td>
              <td class="num" data-field="raid-viewers">
                {formatInt(r.viewers)}
              </td>
              <td class="num" data-field="raiders-seen">
                {formatInt(r.raiders_seen)}
              </td>
              <td class="num">
                <Retained kept={r.retained_10m} seen={r.raiders_seen} />
              </td>
              <td class="num">
                <Retained kept={r.retained_30m} seen={r.raiders_seen} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
