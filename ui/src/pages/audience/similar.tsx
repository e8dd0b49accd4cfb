import { useMemo, useState } from 'preact/hooks';
import type { OverlapResponse } from '../../../../src/audience/types';
import { ErrorNotice, Loading } from '../../components/notice';
import { useApi } from '../../lib/api';
import { OVERLAP_DAYS, type OverlapDays, formatPercent, overlapUrl } from '../../lib/audience';
import { rankingOption } from '../../lib/audience-charts';
import { formatInt } from '../../lib/format';
import { EChart, palette } from './echart';
import { ChannelLink, CsvLink } from './links';

/** the channels whose active users overlap this one's, over 1, 3 or 7 days, and their daily ranking */
export function Similar({ channel, refresh }: { channel: string; refresh: number }) {
  const [days, setDays] = useState<OverlapDays>(7);
  const overlap = useApi<OverlapResponse>(overlapUrl(channel, days), refresh);
  const data = overlap.current ? overlap.data : undefined;
  const key = JSON.stringify(data?.ranking ?? []);
  const option = useMemo(() => (data && data.ranking.length > 0 ? rankingOption(data.ranking, palette()) : undefined), [key]);
  return (
    <div class="au-similar">
      <div class="au-controls">
        <div role="group" aria-label="Overlap period" class="au-toggle">
          {OVERLAP_DAYS.map((d) => (
            <button key={d} type="button" aria-pressed={d === days} onClick={() => setDays(d)}>
              {d === 1 ? '1 day' : `${d} days`}
            </button>
          ))}
        </div>
        <CsvLink href={overlapUrl(channel, days, 'csv')} file={`audience-overlap-${channel}-${days}d`} />
      </div>
      {overlap.error && !data && <ErrorNotice error={overlap.error} api="Audience" />}
      {!data && !overlap.error && <Loading />}
      {data && (
        <>
          <p class="muted small" data-field="overlap-summary">
            {formatInt(data.audience)} active users in {channel} over the last {days === 1 ? 'day' : `${days} days`}; {formatInt(data.shared_any)} of them also active in another watched channel.
          </p>
          {data.others.length === 0 ? (
            <p class="au-empty muted">No shared users with another watched channel in this period.</p>
          ) : (
            <div class="table-wrap">
              <table class="au-table" aria-label="Similar channels" data-field="similar">
                <thead>
                  <tr>
                    <th scope="col">Channel</th>
                    <th scope="col" class="num">
                      Shared users
                    </th>
                    <th scope="col" class="num" title={`shared users / ${channel}'s active users`}>
                      Share of {channel}
                    </th>
                    <th scope="col" class="num" title="shared users / the other channel's active users">
                      Share of the other
                    </th>
                    <th scope="col" class="num" title={`shared users / the users ${channel} shares with any watched channel`}>
                      Probability
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.others.map((o) => (
                    <tr key={o.channel} data-channel={o.channel}>
                      <td>
                        <ChannelLink login={o.channel} />
                      </td>
                      <td class="num">{formatInt(o.shared)}</td>
                      <td class="num">{formatPercent(o.share_of_channel)}</td>
                      <td class="num">{formatPercent(o.share_of_other)}</td>
                      <td class="num">{formatPercent(o.probability)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {option && <EChart label="Rank among the most similar channels, per day (1 is the most similar)" option={option} height={280} field="ranking" data={{ days: String(data.ranking.length) }} />}
        </>
      )}
    </div>
  );
}
