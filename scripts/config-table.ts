// Writes the configuration table of README.md from src/config/settings.ts (npm run docs:config).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configurationTable, findTable } from '../src/config/docs.js';

const readmePath = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'README.md');
const lines = readFileSync(readmePath, 'utf8').split('\n');
const where = findTable(lines);
if (!where) {
  process.stderr.write(`README.md has no configuration table (a line "${configurationTable()[0]}")\n`);
  process.exit(1);
}
lines.splice(where.start, where.end - where.start, ...configurationTable());
writeFileSync(readmePath, lines.join('\n'));
process.stdout.write('README.md: configuration table written from src/config/settings.ts\n');
