import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
  /** formats axis ticks and the legend value */
  format?: (v: number) => string;
  /** formats axis ticks when they want to be shorter than the legend value */
  tick?: (v: number) => string;
  /** which y scale: 'left' (default) or 'right' */
  scale?: 'left' | 'right';
  /** a dashed line, as uPlot's dash pattern */
  dash?: number[];
}

interface Props {
  title: string;
  /** epoch milliseconds */
  times: number[];
  series: Series[];
  height?: number;
  /** IANA zone the time axis is read in (default: the browser's) */
  timeZone?: string;
  /** formats the cursor's time in the legend (epoch ms) */
  formatTime?: (t: number) => string;
  /** the times are calendar dates (UTC midnight): ticks fall on whole days and are labelled by date */
  days?: boolean;
}

const DAY_S = 86_400;
const DAY_INCRS = [1, 2, 3, 7, 14, 28, 56, 91, 182, 364].map((n) => n * DAY_S);
const dayTick = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', month: 'short', day: 'numeric' });

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/** Canvas strokes don't understand `var(--x)`; resolve it against the current theme. */
function resolveColor(color: string): string {
  const m = /^var\((--[\w-]+)\)$/.exec(color);
  return m ? cssVar(m[1]!) : color;
}

/** A time-series line chart on uPlot, resized with its container and themed by CSS variables. */
export function TimeChart({ title, times, series, height = 200, timeZone, formatTime, days = false }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot>();
  const shape = series.map((s) => `${s.label}:${s.scale ?? 'left'}`).join('|');

  useEffect(() => {
    const el = box.current!;
    const axisColor = cssVar('--muted');
    const gridColor = cssVar('--grid');
    const left = series.find((s) => (s.scale ?? 'left') === 'left');
    const right = series.find((s) => s.scale === 'right');
    const leftFormat = left?.tick ?? left?.format;
    const rightFormat = right?.tick ?? right?.format;
    const zone = days ? 'UTC' : timeZone;
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height,
      ...(zone ? { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1e3), zone) } : {}),
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true },
        left: { auto: true, range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] },
        right: { auto: true, range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] },
      },
      axes: [
        days
          ? { stroke: axisColor, grid: { stroke: gridColor }, incrs: DAY_INCRS, values: (_u: uPlot, ticks: number[]) => ticks.map((t) => dayTick.format(t * 1000)) }
          : { stroke: axisColor, grid: { stroke: gridColor } },
        { scale: 'left', stroke: axisColor, grid: { stroke: gridColor }, size: 70, values: (_u, ticks) => ticks.map((t) => (leftFormat ? leftFormat(t) : String(t))) },
        ...(rightFormat ? [{ scale: 'right', side: 1 as const, stroke: axisColor, grid: { show: false }, size: 60, values: (_u: uPlot, ticks: number[]) => ticks.map((t) => rightFormat(t)) }] : []),
      ],
      series: [
        {
          ...(days ? { label: 'Day' } : {}),
          ...(formatTime ? { value: (_u: uPlot, v: number | null) => (v == null ? '–' : formatTime(v * 1000)) } : {}),
        },
        ...series.map((s) => ({
          label: s.label,
          stroke: resolveColor(s.color),
          width: s.dash ? 1.5 : 2,
          ...(s.dash ? { dash: s.dash } : {}),
          scale: s.scale ?? 'left',
          value: (_u: uPlot, v: number | null) => (v == null ? '–' : s.format ? s.format(v) : String(v)),
        })),
      ],
    };
    plot.current = new uPlot(opts, [times.map((t) => t / 1000), ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: el.clientWidth, height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = undefined;
    };
    // rebuilt only when the set of series changes; data updates go through setData below
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape, height, timeZone, formatTime, days]);

  useEffect(() => {
    plot.current?.setData([times.map((t) => t / 1000), ...series.map((s) => s.values)] as uPlot.AlignedData);
  }, [times, series]);

  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} role="img" aria-label={title} />
    </figure>
  );
}
