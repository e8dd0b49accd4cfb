// The README's configuration table, rendered from the declarations in settings.ts.
// `npm run docs:config` writes it into README.md; test/readme.test.ts checks that the README has it.

import { CONFIG_FILE, settings, type Setting } from './settings.js';

export const TABLE_HEADER = ['| variable | `lurk.config.json` key | default | meaning |', '|---|---|---|---|'];

/** the default column: the declared value, or what stands in for it when it is absent or computed */
export function shownDefault(setting: Setting<unknown>): string {
  if (setting.shownDefault !== undefined) return setting.shownDefault;
  const d = setting.default;
  if (d === undefined || (Array.isArray(d) && d.length === 0)) return '(none)';
  return `\`${Array.isArray(d) ? d.join(',') : String(d)}\``;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** One row per setting in declaration order, then LURK_CONFIG; header included. */
export function configurationTable(): string[] {
  const rows = (Object.values(settings) as Setting<unknown>[]).map((s) => `| \`${s.env}\` | \`${s.key}\` | ${cell(shownDefault(s))} | ${cell(s.help)} |`);
  rows.push(`| \`${CONFIG_FILE.env}\` | | \`./${CONFIG_FILE.defaultName}\` | ${cell(CONFIG_FILE.help)} |`);
  return [...TABLE_HEADER, ...rows];
}

/** Where the table sits in a README's lines: from its header to the last row (end exclusive); undefined if absent. */
export function findTable(lines: readonly string[]): { start: number; end: number } | undefined {
  const start = lines.indexOf(TABLE_HEADER[0]!);
  if (start < 0) return undefined;
  let end = start;
  while (end < lines.length && lines[end]!.startsWith('|')) end++;
  return { start, end };
}
