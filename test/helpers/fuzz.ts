// The hostile-request generator of the API fuzz test (test/web/fuzz.test.ts), shared with the
// hardening bench (bench/hardening.bench.ts) so both send the same walk. Seeded: the same seed
// gives the same requests, in the same order, on every machine (mulberry32, the benches' generator).
import { mulberry32 } from '../../bench/support/streams.js';

/** the seed the fuzz test and the bench use unless LURK_FUZZ_SEED says otherwise */
export const FUZZ_SEED = 20261201;
/** random combinations per operation, on top of every value in every parameter */
const COMBINATIONS = 12;

/** a hostile value, already percent-encoded for a URL (so lone surrogates and %00 get through) */
type Raw = string;
const enc = encodeURIComponent;
const NUMBERS: Raw[] = [
  '1e309',
  '-1e309',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e300',
  '-1e300',
  '-1',
  '-0',
  '0',
  String(2 ** 53 + 1),
  '0x10',
  enc(' 5 '),
  '1.5',
  '1e1',
  '',
  '%2B1',
  '0b11',
  '00001',
  '1%2C2',
  '4294967296',
];
const STRINGS: Raw[] = [
  'x'.repeat(10_000),
  '%00',
  'a%00b',
  '%ED%A0%80',
  '%ED%B0%80x',
  '%FF%FE',
  enc('\u202Eevil\u200F'),
  enc('😀'.repeat(40)),
  enc('１２３'),
  enc('\uFEFF1'),
  '%',
  '%zz',
  '..%2F..%2Fetc%2Fpasswd',
  '..',
  enc("' OR 1=1 --"),
  enc('<script>alert(1)</script>'),
  'null',
  'true',
  '%5B%5D',
  '%7B%7D',
  '__proto__',
  'constructor',
  enc('\r\nX-Injected: 1'),
];
const DATES: Raw[] = [
  '9999-12-31',
  '0000-01-01',
  '2026-02-30',
  '2026-13-01',
  '1999-12-31',
  '2200-01-01',
  '2026-1-1',
  '20260101',
  '2026-02-29',
  '2024-02-29',
  '%2B002026-01-01',
  '2026-01-01T00%3A00%3A00Z',
  '-001-01-01',
  '2000-01-01',
  '2199-12-31',
];
const ALL: Raw[] = [...NUMBERS, ...STRINGS, ...DATES];
/** path parameters: the same, plus what a router might resolve */
const PATH_VALUES: Raw[] = [...ALL.filter((v) => v !== ''), '%2F', '..%2F..%2F..%2Fetc%2Fpasswd', 'a%2Fb', 'x'.repeat(101), '%2E%2E'];
const BODIES: string[] = [
  '',
  '{}',
  '[]',
  'null',
  '"x"',
  '1e309',
  '-0',
  '{"__proto__":{"x":1}}',
  '{"constructor":{"prototype":{"x":1}}}',
  '{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}',
  '{',
  '{"limit":1e309}',
  JSON.stringify({ s: 'x'.repeat(1500) }),
  '"\\ud800"',
];

export interface Param {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: { type?: string | string[]; enum?: unknown[]; default?: unknown; minimum?: number; pattern?: string };
}
export interface Operation {
  method: string;
  path: string;
  params: Param[];
}

/** one request of the walk: `target` is the path and query, `body` a raw JSON text or absent */
export interface FuzzRequest {
  op: Operation;
  target: string;
  body?: string;
}

/** the part of /api/openapi.json the walk reads */
export interface OpenApiDoc {
  paths: Record<string, Record<string, { parameters?: Partial<Param>[] }>>;
}

/** The operations of an OpenAPI document, in the document's order. */
export function operations(doc: OpenApiDoc): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      ops.push({ method: method.toUpperCase(), path, params: (op.parameters ?? []).map((p) => ({ ...p, required: p.required ?? p.in === 'path', schema: p.schema ?? {} }) as Param) });
    }
  }
  return ops;
}

/** a value the parameter accepts, so the other parameters' hostile values reach the handler */
function baseline(p: Param): string {
  const s = p.schema;
  if (s.enum) return String(s.enum[0]);
  if (s.default !== undefined) return String(s.default);
  if (s.type === 'integer' || s.type === 'number') return String(s.minimum ?? 1);
  const candidates = ['status.sample', '1', 'abc'];
  if (s.pattern) return candidates.find((c) => new RegExp(s.pattern!).test(c)) ?? 'abc';
  return 'abc';
}

function url(op: Operation, values: Map<Param, Raw[]>): string {
  let path = op.path;
  const query: string[] = [];
  for (const p of op.params) {
    const list = values.get(p) ?? (p.required || p.in === 'path' ? [enc(baseline(p))] : []);
    if (p.in === 'path') path = path.replace(`{${p.name}}`, list[0] ?? '');
    else for (const v of list) query.push(`${p.name}=${v}`);
  }
  return query.length ? `${path}?${query.join('&')}` : path;
}

/**
 * The walk, lazily: for every operation, every hostile value in every parameter (the others at
 * an accepted baseline), repeated query parameters, random combinations of all parameters at
 * once, an unknown parameter, and for a state-changing method every hostile JSON body.
 */
export function* fuzzRequests(ops: readonly Operation[], seed: number): Generator<FuzzRequest> {
  const random = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  for (const op of ops) {
    // every value in every parameter, the others at an accepted baseline
    for (const p of op.params) {
      const values = p.in === 'path' ? PATH_VALUES : ALL;
      for (const v of values) yield { op, target: url(op, new Map([[p, [v]]])) };
      // repeated parameters
      if (p.in === 'query') yield { op, target: url(op, new Map([[p, [pick(ALL), pick(ALL)]]])) };
    }
    // random combinations of every parameter at once
    for (let i = 0; i < COMBINATIONS && op.params.length > 0; i++) {
      const values = new Map(op.params.filter(() => random() < 0.7).map((p) => [p, [pick(p.in === 'path' ? PATH_VALUES : ALL)]] as [Param, Raw[]]));
      yield { op, target: url(op, values) };
    }
    // an unknown parameter, and an empty one
    yield { op, target: `${url(op, new Map())}${op.params.some((p) => p.in === 'query' && p.required) ? '&' : '?'}${pick(STRINGS)}=${pick(ALL)}` };
    if (op.method !== 'GET') for (const body of BODIES) yield { op, target: url(op, new Map()), body };
  }
}
