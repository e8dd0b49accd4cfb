import { useMemo, useState } from 'preact/hooks';
import type { MapResponse } from '../../../../src/audience/types';
import { ErrorNotice, Loading } from '../../components/notice';
import { ApiError, useApi } from '../../lib/api';
import { channelHref, mapUrl } from '../../lib/audience';
import { COMMUNITY_COLOURS, mapOption } from '../../lib/audience-charts';
import { formatDay, formatInt, formatTime } from '../../lib/format';
import { navigate } from '../../lib/navigate';
import { EChart, palette } from './echart';
import { ChannelLink, CsvLink } from './links';

const MAP_HEIGHT = 520;

/** the community map of a day: channels as nodes (sized by audience, coloured by community), shared users as edges */
export function CommunityMap({ refresh }: { refresh: number }) {
  const [day, setDay] = useState<string>();
  const map = useApi<MapResponse>(mapUrl(day), refresh);
  const data = map.data;
  // redrawn only when the map itself changed, so a refresh does not undo the reader's zoom
  const option = useMemo(() => (data ? mapOption(data, palette()) : undefined), [data?.day, data?.computed_at, data?.nodes.length]);
  const communities = useMemo(() => {
    const byCommunity = new Map<number, string[]>();
    for (const n of [...(data?.nodes ?? [])].sort((a, b) => b.audience - a.audience)) byCommunity.set(n.community, [...(byCommunity.get(n.community) ?? []), n.channel]);
    return [...byCommunity].sort((a, b) => a[0] - b[0]);
  }, [data]);

  if (map.error instanceof ApiError && map.error.status === 404 && map.error.code === 'not_found' && !data) {
    return (
      <div class="au-empty" data-field="map-empty">
        <p>
          <strong>No community map yet.</strong>
        </p>
        <p class="muted">
          The map is drawn from the users active in more than one watched channel on the same day. Watch a few channels whose audiences might overlap (or let <code>LURK_AUDIENCE_TOP</code> pick the
          biggest live ones) and it appears as their viewers chat.
        </p>
      </div>
    );
  }
  if (map.error && !data) return <ErrorNotice error={map.error} api="Audience" />;
  if (!data || !option) return <Loading />;
  return (
    <div class="au-map" data-day={data.day}>
      <div class="au-controls">
        <label>
          Day{' '}
          <select value={data.day} onChange={(e) => setDay((e.target as HTMLSelectElement).value)} aria-label="Day of the map">
            {data.days.map((d) => (
              <option key={d} value={d}>
                {formatDay(d)}
              </option>
            ))}
          </select>
        </label>
        <span class="muted small" data-field="map-summary">
          {formatInt(data.nodes.length)} channels, {formatInt(data.edges.length)} links, {formatInt(data.communities)} {data.communities === 1 ? 'community' : 'communities'}
          {data.modularity !== null && ` (modularity ${data.modularity.toFixed(2)})`} · computed {formatTime(Date.parse(data.computed_at))}
        </span>
        <span class="small">
          <CsvLink href={mapUrl(data.day, 'nodes')} file={`audience-map-${data.day}-nodes`} label="Channels (CSV)" /> ·{' '}
          <CsvLink href={mapUrl(data.day, 'edges')} file={`audience-map-${data.day}-edges`} label="Links (CSV)" />
        </span>
      </div>
      {data.nodes.length === 0 ? (
        <p class="muted">No channel had active users that day.</p>
      ) : (
        <EChart
          label={`Community map of ${data.day}`}
          option={option}
          height={MAP_HEIGHT}
          field="map"
          data={{ nodes: String(data.nodes.length) }}
          // where each channel landed, in CSS pixels from the canvas's corner (the server placed them)
          describe={(chart) => ({
            'node-at': JSON.stringify(
              data.nodes.flatMap((n) => {
                const at = chart.convertToPixel({ seriesIndex: 0 }, [n.x, n.y]) as number[] | undefined;
                return at && Number.isFinite(at[0]) && Number.isFinite(at[1]) ? [[n.channel, Math.round(at[0]!), Math.round(at[1]!)]] : [];
              }),
            ),
          })}
          onClick={(p) => {
            if (p.dataType === 'node' && typeof p.name === 'string' && p.name) navigate(channelHref(p.name));
          }}
        >
          <p class="muted small">Click a channel to open it. Scroll to zoom, drag to move the map.</p>
        </EChart>
      )}
      <details class="au-communities">
        <summary>The communities as lists</summary>
        <ul>
          {communities.map(([c, members]) => (
            <li key={c}>
              <span class="au-swatch" style={{ background: COMMUNITY_COLOURS[c % COMMUNITY_COLOURS.length] }} aria-hidden="true" /> Community {c + 1}:{' '}
              {members.map((m, i) => (
                <span key={m}>
                  {i > 0 && ', '}
                  <ChannelLink login={m} />
                </span>
              ))}
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}
