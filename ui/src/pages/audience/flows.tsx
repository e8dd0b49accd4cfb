import { useMemo } from 'preact/hooks';
import type { FlowRow, FlowsResponse } from '../../../../src/audience/types';
import { sankeyData, sankeyOption } from '../../lib/audience-charts';
import { formatInt } from '../../lib/format';
import { EChart, palette } from './echart';
import { ChannelLink } from './links';

/** one side's rows as a table: the Sankey's figures, readable and copyable */
function FlowTable({ rows, direction, total }: { rows: FlowRow[]; direction: 'in' | 'out'; total: number }) {
  const label = direction === 'in' ? 'Came from' : 'Went to';
  if (rows.length === 0) return <p class="muted small">{direction === 'in' ? 'Nobody seen arriving from another watched channel.' : 'Nobody seen leaving for another watched channel.'}</p>;
  return (
    <table class="au-table compact" aria-label={label} data-field={`flows-${direction}`}>
      <thead>
        <tr>
          <th scope="col">{label}</th>
          <th scope="col" class="num">
            Moves
          </th>
          <th scope="col" class="num">
            Organic
          </th>
          <th scope="col" class="num">
            Raid
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.channel} data-channel={r.channel} data-moves={String(r.moves)} data-raid={String(r.raid)}>
            <td>
              <ChannelLink login={r.channel} />
            </td>
            <td class="num">{formatInt(r.moves)}</td>
            <td class="num">{formatInt(r.organic)}</td>
            <td class="num">{formatInt(r.raid)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <td class="muted">All</td>
          <td class="num">{formatInt(total)}</td>
          <td />
          <td />
        </tr>
      </tfoot>
    </table>
  );
}

/** where the channel's audience came from (left) and went (right), organic and raid moves in two colours */
export function FlowsSankey({ channel, inflows, outflows }: { channel: string; inflows: FlowsResponse; outflows: FlowsResponse }) {
  // the figures, not the response objects: a refresh with the same moves does not redraw
  const key = JSON.stringify([inflows.flows, outflows.flows]);
  const sankey = useMemo(() => {
    const p = palette();
    const data = sankeyData(channel, inflows.flows, outflows.flows, p);
    return { data, option: sankeyOption(data, p) };
  }, [channel, key]);
  const any = sankey.data.links.length > 0;
  const height = Math.max(240, 28 * Math.max(inflows.flows.length, outflows.flows.length, 1) + 40);
  const raidLinks = sankey.data.links.filter((l) => l.cause === 'raid');
  return (
    <div class="au-flows">
      {any ? (
        <EChart
          label={`Moves into and out of ${channel}`}
          option={sankey.option}
          height={Math.min(height, 560)}
          field="sankey"
          data={{ links: String(sankey.data.links.length), 'raid-links': raidLinks.map((l) => `${l.source}>${l.target}`).join('|') }}
        >
          <p class="au-legend small">
            <span class="au-swatch organic" aria-hidden="true" /> organic moves <span class="au-swatch raid" aria-hidden="true" /> moves with a raid · sources on the left, {channel} in the middle,
            destinations on the right
          </p>
        </EChart>
      ) : (
        <p class="au-empty muted" data-field="sankey-empty">
          No move into or out of {channel} in this period. Moves are seen between watched channels only: watch the channels its viewers might come from or go to.
        </p>
      )}
      <div class="au-flow-tables">
        <FlowTable rows={inflows.flows} direction="in" total={inflows.total} />
        <FlowTable rows={outflows.flows} direction="out" total={outflows.total} />
      </div>
    </div>
  );
}
