import { createCanvas } from '@napi-rs/canvas';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  SubTitle,
  Title,
  type ChartConfiguration,
  type ChartItem,
  type FontSpec,
  type Plugin,
} from 'chart.js';
import { CHART_FONT, registerChartFonts } from './fonts.js';

// Server-side charts for the digest. Rendering is synchronous: chart.js with animation off draws
// in one pass and @napi-rs/canvas encodes the PNG on the calling thread (tens of milliseconds at 1200x675).

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Filler, Title, SubTitle);

/** Lurk's palette (ui/src/styles.css, light theme): dark text on white reads best once a network shrinks the image. */
const COLORS = { background: '#ffffff', text: '#111827', muted: '#4b5563', grid: '#e5e7eb', accent: '#7c3aed', accentFill: 'rgba(124, 58, 237, 0.15)' };
/** 16:9 is what Bluesky, Mastodon, Discord and X all preview uncropped. */
const DEFAULT_SIZE = { width: 1200, height: 675 };
const MAX_LABEL_CHARS = 28;

export interface BarChartSpec {
  title: string;
  subtitle?: string;
  /** Drawn top to bottom in the order given; meant for about ten items. */
  items: { label: string; value: number }[];
  /** Appended to every value, e.g. 'h' gives "12,345 h". */
  unit: string;
  width?: number;
  height?: number;
}

export interface LineChartSpec {
  title: string;
  subtitle?: string;
  points: { x: string; y: number }[];
  unit: string;
  width?: number;
  height?: number;
}

/** A horizontal bar chart as PNG bytes, each bar labelled with its value. Same spec, same bytes. */
export function renderBarChart(spec: BarChartSpec): Buffer {
  const width = spec.width ?? DEFAULT_SIZE.width;
  const height = spec.height ?? DEFAULT_SIZE.height;
  const valueLabels = spec.items.map((item) => formatValue(item.value, spec.unit));
  const valueFont = font(24, 'bold');
  // The value labels sit right of the bars, so the plot leaves exactly as much room as the widest needs.
  const measure = createCanvas(1, 1).getContext('2d');
  measure.font = cssFont(valueFont);
  const labelRoom = Math.max(0, ...valueLabels.map((label) => measure.measureText(label).width)) + 16;

  return render(width, height, {
    type: 'bar',
    data: {
      labels: spec.items.map((item) => truncate(item.label)),
      datasets: [{ data: spec.items.map((item) => item.value), backgroundColor: COLORS.accent, borderRadius: 4, barPercentage: 0.75, categoryPercentage: 0.9 }],
    },
    options: {
      ...baseOptions(spec),
      indexAxis: 'y',
      layout: { padding: { top: 8, right: 40 + labelRoom, bottom: 32, left: 40 } },
      scales: {
        x: { display: false, beginAtZero: true },
        y: { grid: { display: false }, border: { display: false }, ticks: { color: COLORS.text, font: font(24), padding: 12 } },
      },
    },
    plugins: [valueLabelsPlugin(valueLabels, valueFont), ...(spec.items.length === 0 ? [noDataPlugin] : [])],
  });
}

/** A line chart of a series (e.g. one game's daily hours) as PNG bytes. Same spec, same bytes. */
export function renderLineChart(spec: LineChartSpec): Buffer {
  return render(spec.width ?? DEFAULT_SIZE.width, spec.height ?? DEFAULT_SIZE.height, {
    type: 'line',
    data: {
      labels: spec.points.map((p) => truncate(p.x)),
      datasets: [
        { data: spec.points.map((p) => p.y), borderColor: COLORS.accent, backgroundColor: COLORS.accentFill, fill: 'origin', borderWidth: 4, pointRadius: 5, pointBackgroundColor: COLORS.accent },
      ],
    },
    options: {
      ...baseOptions(spec),
      layout: { padding: { top: 8, right: 48, bottom: 32, left: 40 } },
      scales: {
        x: { grid: { display: false }, ticks: { color: COLORS.text, font: font(20), maxRotation: 0, autoSkipPadding: 16 } },
        y: { beginAtZero: true, grid: { color: COLORS.grid }, border: { display: false }, ticks: { color: COLORS.muted, font: font(20), callback: (v) => formatValue(Number(v), spec.unit) } },
      },
    },
    plugins: spec.points.length === 0 ? [noDataPlugin] : [],
  });
}

/** "12,345 h": grouped thousands, one decimal only for small values where it still says something. */
export function formatValue(value: number, unit: string): string {
  const digits = Math.abs(value) < 10 && !Number.isInteger(value) ? 1 : 0;
  const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }).format(value);
  return unit ? `${number} ${unit}` : number;
}

function render(width: number, height: number, config: ChartConfiguration): Buffer {
  registerChartFonts();
  const canvas = createCanvas(width, height);
  config.plugins = [backgroundPlugin, ...(config.plugins ?? [])];
  // chart.js only needs getContext('2d') and width/height, which the skia canvas provides.
  const chart = new Chart(canvas as unknown as ChartItem, config);
  try {
    chart.draw();
    return canvas.toBuffer('image/png');
  } finally {
    chart.destroy();
  }
}

function baseOptions(spec: { title: string; subtitle?: string }) {
  return {
    animation: false as const,
    responsive: false,
    // Node has no window.devicePixelRatio; pinning it keeps output identical everywhere.
    devicePixelRatio: 1,
    events: [],
    plugins: {
      title: { display: spec.title !== '', text: spec.title, color: COLORS.text, font: font(40, 'bold'), align: 'start' as const, padding: { top: 32, bottom: spec.subtitle ? 4 : 24 } },
      subtitle: { display: !!spec.subtitle, text: spec.subtitle ?? '', color: COLORS.muted, font: font(24), align: 'start' as const, padding: { bottom: 24 } },
    },
  };
}

function font(size: number, weight: 'normal' | 'bold' = 'normal'): Partial<FontSpec> {
  return { family: CHART_FONT, size, weight };
}

function cssFont(f: Partial<FontSpec>): string {
  return `${f.weight ?? 'normal'} ${f.size ?? 12}px "${f.family ?? CHART_FONT}"`;
}

function truncate(label: string): string {
  const chars = [...label];
  return chars.length <= MAX_LABEL_CHARS
    ? label
    : chars
        .slice(0, MAX_LABEL_CHARS - 1)
        .join('')
        .trimEnd() + '…';
}

const backgroundPlugin: Plugin = {
  id: 'lurkBackground',
  beforeDraw(chart) {
    const ctx = chart.ctx;
    ctx.save();
    ctx.fillStyle = COLORS.background;
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

const noDataPlugin: Plugin = {
  id: 'lurkNoData',
  afterDraw(chart) {
    const ctx = chart.ctx;
    const area = chart.chartArea;
    ctx.save();
    ctx.font = cssFont(font(28));
    ctx.fillStyle = COLORS.muted;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText('No data', (area.left + area.right) / 2, (area.top + area.bottom) / 2);
    ctx.restore();
  },
};

function valueLabelsPlugin(labels: string[], valueFont: Partial<FontSpec>): Plugin<'bar'> {
  return {
    id: 'lurkValueLabels',
    afterDatasetsDraw(chart) {
      const ctx = chart.ctx;
      ctx.save();
      ctx.font = cssFont(valueFont);
      ctx.fillStyle = COLORS.text;
      ctx.textBaseline = 'middle';
      chart.getDatasetMeta(0).data.forEach((bar, i) => {
        const { x, y } = bar.getProps(['x', 'y'], true) as { x: number; y: number };
        ctx.fillText(labels[i] ?? '', x + 10, y);
      });
      ctx.restore();
    },
  };
}
