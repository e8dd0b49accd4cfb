import { useMemo } from 'preact/hooks';
import type { MoodMoment, MoodSeriesPoint, MoodWindow } from '../../../../src/mood/types';
import { TimeChart, type Series } from '../../components/time-chart';
import { formatRate } from '../../lib/mood';
import { MomentMarks } from './moments';

const percent = (v: number) => `${Math.round(v * 100)} %`;

interface Props {
  /** the stored minutes, complete ones only */
  points: MoodSeriesPoint[];
  /** the live trailing minute, drawn as the newest point */
  now?: { at: number; window: MoodWindow };
  from: number;
  to: number;
  moments: MoodMoment[];
  onSelectMoment: (id: string) => void;
}

/** message rate and mood shares per minute, with the live minute at the end and the moments marked */
export function MoodCharts({ points, now, from, to, moments, onSelectMoment }: Props) {
  const data = useMemo(() => {
    // stored minutes carry counts, the live window shares: both become shares here (null: no messages)
    const share = (part: number, total: number) => (total > 0 ? part / total : null);
    const rows = points.map((p) => ({ t: Date.parse(p.t), rate: p.messages, positive: share(p.positive, p.messages), neutral: share(p.neutral, p.messages), negative: share(p.negative, p.messages) }));
    if (now) {
      const w = now.window;
      const any = w.messages > 0;
      rows.push({ t: now.at, rate: w.messages_per_minute, positive: any ? w.positive : null, neutral: any ? w.neutral : null, negative: any ? w.negative : null });
    }
    const times = rows.map((r) => r.t);
    const rate: Series[] = [{ label: 'Messages/min', values: rows.map((r) => r.rate), color: 'var(--accent)', format: formatRate }];
    const shares: Series[] = [
      { label: 'Positive', values: rows.map((r) => r.positive), color: 'var(--ok)', format: percent },
      { label: 'Neutral', values: rows.map((r) => r.neutral), color: 'var(--accent-2)', format: percent },
      { label: 'Negative', values: rows.map((r) => r.negative), color: 'var(--err)', format: percent },
    ];
    return { times, rate, shares };
  }, [points, now]);
  return (
    <div class="md-charts" data-field="charts" data-points={String(data.times.length)}>
      <div class="md-chart">
        <TimeChart title="Messages per minute" times={data.times} series={data.rate} height={180} />
        {/* the chart's axis spans its points, so the marks do too */}
        <MomentMarks moments={moments} from={data.times[0] ?? from} to={data.times.at(-1) ?? to} onSelect={onSelectMoment} />
      </div>
      <div class="md-chart">
        <TimeChart title="Mood shares (positive, neutral, negative)" times={data.times} series={data.shares} height={180} />
      </div>
    </div>
  );
}
