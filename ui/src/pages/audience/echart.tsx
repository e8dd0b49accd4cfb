import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Palette } from '../../lib/audience-charts';

type ECharts = typeof import('./echarts-setup')['echarts'];
export type Instance = ReturnType<ECharts['init']>;

// one load for every chart on the page
let loading: Promise<ECharts> | undefined;
function loadECharts(): Promise<ECharts> {
  loading ??= import('./echarts-setup').then((m) => m.echarts);
  return loading;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/** the theme's colours for a canvas */
export function palette(): Palette {
  return { text: cssVar('--text'), muted: cssVar('--muted'), grid: cssVar('--grid'), organic: cssVar('--accent-2'), raid: cssVar('--accent-3'), channel: cssVar('--accent') };
}

export interface ChartClick {
  dataType?: string;
  name?: string;
  data?: unknown;
}

interface Props {
  /** what the chart shows, for screen readers (the figures are also in a table beside it) */
  label: string;
  /** built from palette(); a new object redraws the chart */
  option: Record<string, unknown>;
  height: number;
  onClick?: (p: ChartClick) => void;
  field?: string;
  /** data- attributes describing what is drawn, for readers and tests */
  data?: Record<string, string>;
  /** more data- attributes read from the chart once it is drawn (where things landed on the canvas, say) */
  describe?: (chart: Instance) => Record<string, string>;
  children?: ComponentChildren;
}

/** an ECharts chart on a canvas, resized with its box and disposed with it */
export function EChart({ label, option, height, onClick, field, data, describe, children }: Props) {
  const figure = useRef<HTMLElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<Instance>();
  const click = useRef(onClick);
  click.current = onClick;
  const drawn = useRef(false);
  const described = useRef(describe);
  described.current = describe;
  /** sets the data- attributes `describe` reads from the chart as it is drawn now */
  const describeNow = (instance: Instance) => {
    // not before the first option, nor as the chart is being disposed
    if (instance.isDisposed() || !drawn.current || !described.current) return;
    for (const [k, v] of Object.entries(described.current(instance))) figure.current?.setAttribute(`data-${k}`, v);
  };
  const [failed, setFailed] = useState<string>();
  const [ready, setReady] = useState(false);

  useEffect(() => {
    let disposed = false;
    let resize: ResizeObserver | undefined;
    loadECharts().then(
      (echarts) => {
        if (disposed || !box.current) return;
        const el = box.current;
        const instance = echarts.init(el, undefined, { renderer: 'canvas', height });
        chart.current = instance;
        // after ECharts is done with the event: a click that navigates away disposes the chart
        instance.on('click', (p) => {
          setTimeout(() => click.current?.(p as ChartClick));
        });
        instance.on('finished', () => describeNow(instance));
        resize = new ResizeObserver(() => {
          instance.resize();
          describeNow(instance);
        });
        resize.observe(el);
        setReady(true);
      },
      (err: Error) => setFailed(`The chart could not be loaded: ${err.message}`),
    );
    return () => {
      disposed = true;
      resize?.disconnect();
      chart.current?.dispose();
      chart.current = undefined;
      drawn.current = false;
    };
  }, [height]);

  useEffect(() => {
    if (!ready || !chart.current) return;
    chart.current.setOption(option, { notMerge: true });
    drawn.current = true;
    describeNow(chart.current);
  }, [option, ready]);

  const attrs = Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [`data-${k}`, v]));
  return (
    <figure ref={figure} class="chart au-chart" data-field={field} data-ready={ready ? 'true' : 'false'} {...attrs}>
      <figcaption>{label}</figcaption>
      {failed ? <p class="err-text small">{failed}</p> : <div ref={box} class="au-canvas" style={{ height: `${height}px` }} role="img" aria-label={label} />}
      {children}
    </figure>
  );
}
