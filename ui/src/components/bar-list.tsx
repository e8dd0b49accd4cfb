import type { ComponentChildren } from 'preact';

export interface Bar {
  key: string;
  /** the row's name (a link, say) */
  label: ComponentChildren;
  value: number;
  /** the value as shown at the bar's end */
  text: string;
}

interface Props {
  title: string;
  bars: Bar[];
  color?: string;
}

/**
 * A horizontal bar chart as an ordered list: readable text for screen readers and copy-paste,
 * bars drawn by CSS widths (uPlot stays for time series).
 */
export function BarList({ title, bars, color = 'var(--accent)' }: Props) {
  const max = Math.max(0, ...bars.map((b) => b.value));
  return (
    <figure class="bar-list">
      <figcaption>{title}</figcaption>
      <ol>
        {bars.map((b) => (
          <li key={b.key} data-bar={b.key}>
            <span class="bar-label">{b.label}</span>
            <span class="bar-track" aria-hidden="true">
              <span class="bar-fill" style={{ width: `${max > 0 ? Math.max(0.5, (b.value / max) * 100) : 0}%`, background: color }} />
            </span>
            <span class="bar-value num">{b.text}</span>
          </li>
        ))}
      </ol>
    </figure>
  );
}
