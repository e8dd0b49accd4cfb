// The tree reads as the data flow: these rules are checked on every file's imports, so an arrow
// that runs the wrong way fails the suite instead of growing quietly.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { settings } from '../src/config/settings.js';
import { LURK_DEFAULT_PORT } from '../src/sim/auth.js';

const root = path.resolve(import.meta.dirname, '..');

function files(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) return files(rel);
    return /\.tsx?$/.test(e.name) ? [rel] : [];
  });
}

interface Import {
  from: string;
  /** the imported file, relative to the repository (extension as written: .js for .ts) */
  target: string;
  typeOnly: boolean;
}

function imports(file: string): Import[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  const found: Import[] = [];
  for (const m of text.matchAll(/^(import|export)\s+(type\s+)?[^'";]*?from\s+'(\.[^']+)'/gms)) {
    found.push({ from: file, target: path.posix.normalize(path.posix.join(path.posix.dirname(file), m[3]!)), typeOnly: Boolean(m[2]) });
  }
  for (const m of text.matchAll(/^import\s+'(\.[^']+)'/gm)) found.push({ from: file, target: path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]!)), typeOnly: false });
  return found;
}

const src = files('src');
const all = src.flatMap(imports);
/** the top folder under src/ ('app.ts' for a file at the top) */
const area = (p: string) => p.replace(/^src\//, '').split('/')[0]!;
const within = (imp: Import, areas: string[]) => areas.includes(area(imp.target));
const violations = (list: Import[]) => list.map((i) => `${i.from} → ${i.target}`);

test('the scanner sees the tree (the rules below are not vacuous)', () => {
  assert.ok(src.length > 50);
  assert.ok(all.some((i) => i.from === 'src/app.ts' && i.target === 'src/watchtime/module.js'));
  assert.ok(all.some((i) => i.typeOnly && i.from === 'src/capability.ts'));
});

test('lower layers import nothing above them', () => {
  // each area, bottom up, with what it may import besides itself
  const allowed: Record<string, string[]> = {
    core: [],
    config: ['core'],
    store: ['core', 'config'],
    web: ['core', 'config'],
    publish: ['core', 'config'],
    twitch: ['core', 'config'],
    streams: ['core', 'config', 'store', 'twitch'],
  };
  for (const [name, may] of Object.entries(allowed)) {
    const bad = all.filter((i) => area(i.from) === name && area(i.target) !== name && !within(i, may));
    assert.deepEqual(violations(bad), [], `${name}/ may import only ${may.join(', ') || 'itself'}`);
  }
});

test('the simulator is reached only through its face (src/sim/index.ts, src/sim/summary.ts)', () => {
  const bad = all.filter((i) => area(i.from) !== 'sim' && area(i.target) === 'sim' && !['src/sim/index.js', 'src/sim/summary.js'].includes(i.target));
  assert.deepEqual(violations(bad), []);
  // and the simulator knows nothing of Lurk's capabilities or configuration
  const up = all.filter((i) => area(i.from) === 'sim' && !within(i, ['sim', 'core', 'twitch']));
  assert.deepEqual(violations(up), []);
  assert.equal(LURK_DEFAULT_PORT, settings.port.default, "the simulator's idea of Lurk's default port is the PORT setting's default");
});

test('a capability uses another only through its events or types, never its routes or services', () => {
  const capabilities = ['discover', 'watchtime', 'status', 'mood', 'audience'];
  const bad = all.filter((i) => capabilities.includes(area(i.from)) && capabilities.includes(area(i.target)) && area(i.from) !== area(i.target) && !/\/(events|types)\.js$/.test(i.target));
  assert.deepEqual(violations(bad), []);
  // each capability has one entry, its module, and only the composition root (app.ts) and the CLI import modules
  for (const c of capabilities) assert.ok(src.includes(`src/${c}/module.ts`), `src/${c}/module.ts`);
  const modules = all.filter((i) => /^src\/[a-z]+\/module\.js$/.test(i.target) && !['src/app.ts', 'src/cli/main.ts'].includes(i.from));
  assert.deepEqual(violations(modules), []);
});

test('the UI imports only types from the server side', () => {
  const ui = files('ui/src')
    .flatMap(imports)
    .filter((i) => i.target.startsWith('src/'));
  assert.ok(ui.length > 0, 'the UI shares wire types with the server');
  assert.deepEqual(violations(ui.filter((i) => !i.typeOnly)), []);
});

test('SQL lives only in store files', () => {
  const query = /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\(|\bsql`|\.schema\.(create|alter|drop)/;
  const isStore = (f: string) => f.startsWith('src/store/') || /\/(store|queries)\.ts$/.test(f);
  const holders = src.filter((f) => query.test(readFileSync(path.join(root, f), 'utf8')));
  assert.ok(holders.includes('src/store/outbox.ts') && holders.includes('src/watchtime/store.ts'), 'the pattern finds the stores');
  assert.deepEqual(
    holders.filter((f) => !isStore(f)),
    [],
  );
});

test('no two files import each other, directly or round a circle', () => {
  const graph = new Map<string, string[]>();
  for (const i of all) graph.set(i.from, [...(graph.get(i.from) ?? []), i.target.replace(/\.js$/, '.ts')]);
  const state = new Map<string, 'open' | 'done'>();
  const circles: string[] = [];
  const visit = (file: string, trail: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      circles.push([...trail.slice(trail.indexOf(file)), file].join(' → '));
      return;
    }
    state.set(file, 'open');
    for (const next of graph.get(file) ?? []) if (graph.has(next) || src.includes(next)) visit(next, [...trail, file]);
    state.set(file, 'done');
  };
  for (const file of src) visit(file, []);
  assert.deepEqual(circles, []);
});
