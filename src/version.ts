// Lurk's version, from package.json: a file of its own so the CLI's --version needs nothing else.
import { readFileSync } from 'node:fs';

export const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
