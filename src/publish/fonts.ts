import { GlobalFonts } from '@napi-rs/canvas';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The family every chart asks for. Vendored DejaVu, so images look the same on any host, with or without system fonts. */
export const CHART_FONT = 'Lurk Sans';

const FONT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../assets/fonts');

let registered = false;

/** Registers the bundled fonts once per process; the regular and bold files share one family so `weight` picks between them. */
export function registerChartFonts(): void {
  if (registered) return;
  for (const file of ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf']) {
    if (!GlobalFonts.registerFromPath(path.join(FONT_DIR, file), CHART_FONT)) throw new Error(`could not load the chart font ${file} from ${FONT_DIR}`);
  }
  registered = true;
}
