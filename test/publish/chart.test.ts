import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCanvas, GlobalFonts, loadImage } from '@napi-rs/canvas';
import { formatValue, renderBarChart, renderLineChart, type BarChartSpec } from '../../src/publish/chart.js';
import { CHART_FONT } from '../../src/publish/fonts.js';
import { pngSize } from '../../src/publish/png.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const games: BarChartSpec = {
  title: 'Most watched games yesterday',
  subtitle: 'Hours watched, 21 Nov 2026',
  unit: 'h',
  items: [
    { label: 'Just Chatting', value: 1234567 },
    { label: "Baldur's Gate 3", value: 12345 },
    { label: 'Pokémon Scarlet and Violet', value: 678 },
  ],
};

async function pixels(png: Buffer): Promise<Uint8ClampedArray> {
  const image = await loadImage(png);
  const ctx = createCanvas(image.width, image.height).getContext('2d');
  ctx.drawImage(image, 0, 0);
  return ctx.getImageData(0, 0, image.width, image.height).data;
}

/** How many pixels differ between two same-sized images. */
async function differingPixels(a: Buffer, b: Buffer): Promise<number> {
  const [pa, pb] = await Promise.all([pixels(a), pixels(b)]);
  assert.equal(pa.length, pb.length);
  let n = 0;
  for (let i = 0; i < pa.length; i += 4) if (pa[i] !== pb[i] || pa[i + 1] !== pb[i + 1] || pa[i + 2] !== pb[i + 2]) n++;
  return n;
}

test('a bar chart is a 1200x675 PNG by default, and honours a requested size', () => {
  const png = renderBarChart(games);
  assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE);
  assert.deepEqual(pngSize(png), { width: 1200, height: 675 });
  assert.deepEqual(pngSize(renderBarChart({ ...games, width: 640, height: 360 })), { width: 640, height: 360 });
  assert.deepEqual(pngSize(renderLineChart({ title: 'Series', unit: 'h', points: [{ x: 'Mon', y: 1 }], width: 800, height: 450 })), { width: 800, height: 450 });
});

test('pngSize reads IHDR of a PNG it did not make', () => {
  const png = createCanvas(7, 3).toBuffer('image/png');
  assert.deepEqual(pngSize(png), { width: 7, height: 3 });
  assert.throws(() => pngSize(Buffer.from('GIF89a not a png at all')));
});

test('rendering is deterministic: the same spec gives the same bytes', () => {
  assert.ok(renderBarChart(games).equals(renderBarChart(games)));
  const line = { title: 'Pokémon, 7 days', unit: 'h', points: ['Mon', 'Tue', 'Wed'].map((x, i) => ({ x, y: 100 * (i + 1) })) };
  assert.ok(renderLineChart(line).equals(renderLineChart(line)));
});

test('text is drawn with the bundled font: title, subtitle, labels and values each change pixels', async () => {
  const png = renderBarChart(games);
  assert.ok(
    GlobalFonts.families.some((f) => f.family === CHART_FONT),
    'the bundled family is registered',
  );
  // The background alone is one colour; titles and labels put ink on it.
  assert.ok((await differingPixels(png, renderBarChart({ ...games, title: '' }))) > 500, 'the title drew');
  assert.ok((await differingPixels(png, renderBarChart({ ...games, subtitle: undefined }))) > 200, 'the subtitle drew');
  const renamed = { ...games, items: games.items.map((item, i) => (i === 1 ? { ...item, label: 'Baldurs Gate 3' } : item)) };
  assert.ok((await differingPixels(png, renderBarChart(renamed))) > 0, 'the apostrophe is a glyph of its own');
  const accentless = { ...games, items: games.items.map((item, i) => (i === 2 ? { ...item, label: 'Pokemon Scarlet and Violet' } : item)) };
  assert.ok((await differingPixels(png, renderBarChart(accentless))) > 0, 'the é is drawn, not dropped');
  const otherUnit = renderBarChart({ ...games, unit: 'hours' });
  assert.ok((await differingPixels(png, otherUnit)) > 200, 'value labels drew');
});

test('an empty chart still renders (with a "No data" note) rather than throwing', () => {
  const png = renderBarChart({ title: 'Nothing yesterday', unit: 'h', items: [] });
  assert.deepEqual(pngSize(png), { width: 1200, height: 675 });
});

test('values read like "12,345 h"', () => {
  assert.equal(formatValue(12345, 'h'), '12,345 h');
  assert.equal(formatValue(1234567.4, 'h'), '1,234,567 h');
  assert.equal(formatValue(4.25, 'h'), '4.3 h');
  assert.equal(formatValue(42, ''), '42');
});
