import { formatRate } from '../../lib/mood';

const WIDTH = 120;
const HEIGHT = 28;

/** messages per minute, one a minute, oldest first: a small line with its range in words */
export function Sparkline({ values }: { values: number[] }) {
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? WIDTH / (values.length - 1) : 0;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(HEIGHT - 2 - (v / max) * (HEIGHT - 4)).toFixed(1)}`).join(' ');
  const peak = Math.max(0, ...values);
  return (
    <svg
      class="md-spark"
      width={WIDTH}
      height={HEIGHT}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={values.length ? `messages per minute over the last ${values.length} minutes, peak ${formatRate(peak)}` : 'no messages per minute yet'}
      data-field="sparkline"
      data-points={String(values.length)}
    >
      {values.length > 1 && <polyline points={points} fill="none" />}
    </svg>
  );
}
