import { BarList } from '../../components/bar-list';
import { formatHours, formatInt } from '../../lib/format';
import { followLink, pageHref, type Kind, type Range, type TopItem, type View } from '../../lib/watchtime';

const BARS = 10;

export function viewOf(kind: Kind, item: TopItem): View {
  return kind === 'games' ? { kind: 'game', id: item.id } : { kind: 'streamer', login: item.login ?? item.name.toLowerCase() };
}

function ItemLink({ kind, item, range }: { kind: Kind; item: TopItem; range: Range }) {
  const href = pageHref(viewOf(kind, item), range);
  const showLogin = kind === 'streamers' && item.login && item.login !== item.name.toLowerCase();
  return (
    <a href={href} onClick={followLink} data-item={item.id}>
      {item.name}
      {showLogin && <span class="muted small"> ({item.login})</span>}
    </a>
  );
}

interface Props {
  kind: Kind;
  items: TopItem[];
  range: Range;
  /** the table's caption and the chart's title */
  title: string;
  /** a column word for the name: "Game", "Streamer" */
  noun: string;
}

/** A ranked list: the top ten as horizontal bars of hours watched, then every row as a table. */
export function Leaderboard({ kind, items, range, title, noun }: Props) {
  return (
    <div class="wt-board" data-board={kind}>
      <BarList
        title={`${title}: hours watched`}
        color={kind === 'games' ? 'var(--accent)' : 'var(--accent-2)'}
        bars={items.slice(0, BARS).map((item) => ({
          key: item.id,
          label: <ItemLink kind={kind} item={item} range={range} />,
          value: item.hours_watched,
          text: formatHours(item.hours_watched),
        }))}
      />
      <div class="table-wrap">
        <table class="wt-table" data-table={kind}>
          <caption class="sr-only">{title}</caption>
          <thead>
            <tr>
              <th scope="col" class="num">
                #
              </th>
              <th scope="col">{noun}</th>
              <th scope="col" class="num" title="Sum over every sample of viewers × time between samples">
                Hours watched
              </th>
              <th scope="col" class="num" title="Hours watched ÷ hours streamed">
                Average viewers
              </th>
              <th scope="col" class="num">
                Peak viewers
              </th>
              <th scope="col" class="num" title="Hours live (summed over channels for a game)">
                Hours streamed
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.id} data-row={item.id}>
                <td class="num muted">{item.rank}</td>
                <td class="wt-name">
                  <ItemLink kind={kind} item={item} range={range} />
                </td>
                <td class="num" data-field="hours-watched">
                  {formatHours(item.hours_watched)}
                </td>
                <td class="num">{formatInt(item.average_viewers)}</td>
                <td class="num">{formatInt(item.peak_viewers)}</td>
                <td class="num">{formatHours(item.hours_streamed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
