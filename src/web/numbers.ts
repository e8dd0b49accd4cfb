// Finite numbers for every route, in the validator. Ajv's type coercion turns the query string
// "1e309" into Infinity and then skips every number keyword (minimum, maximum) for a value that
// is not finite, so `maximum: 64` let Infinity through to the handlers. This plugin gives each
// number and integer schema Ajv compiles a `finiteNumber` check that runs after coercion.
import type { Ajv, AnySchema, SchemaValidateFunction } from 'ajv';

const KEYWORD = 'finiteNumber';
/** values inside these are data, not schemas */
const DATA_KEYWORDS = new Set(['enum', 'const', 'default', 'examples', 'example']);
/** these map names (a property may be called "default") to schemas */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas', 'dependencies']);

/**
 * A copy of the schema with the check on every number and integer node. A copy, so the
 * route's own schema (the one OpenAPI shows) stays as written.
 */
export function withFiniteNumbers<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map(withFiniteNumbers) as T;
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DATA_KEYWORDS.has(key)) out[key] = value;
    else if (SCHEMA_MAPS.has(key) && typeof value === 'object' && value !== null) out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, withFiniteNumbers(sub)]));
    else out[key] = withFiniteNumbers(value);
  }
  const types = ([] as unknown[]).concat(out.type);
  // a number is the wider of the two: ['integer', 'number'] takes 1.5, and unsafe integers
  if (types.includes('number')) out[KEYWORD] = 'number';
  else if (types.includes('integer')) out[KEYWORD] = 'integer';
  return out as T;
}

/** Fastify `ajv.plugins` entry: every schema this Ajv compiles or stores gets the check. */
export function finiteNumbers(ajv: Ajv): Ajv {
  ajv.addKeyword({
    keyword: KEYWORD,
    schemaType: 'string',
    // no `type`: Ajv guards number keywords with isFinite, so a typed keyword would be skipped too
    validate: checkNumber,
    errors: true,
  });
  const compile = ajv.compile.bind(ajv);
  const addSchema = ajv.addSchema.bind(ajv);
  ajv.compile = ((schema: AnySchema, meta?: boolean) => compile(withFiniteNumbers(schema), meta)) as typeof ajv.compile;
  ajv.addSchema = ((schema: AnySchema | AnySchema[], key?: string, meta?: boolean, validate?: boolean) => addSchema(withFiniteNumbers(schema), key, meta, validate)) as typeof ajv.addSchema;
  return ajv;
}

const checkNumber: SchemaValidateFunction = (kind: 'integer' | 'number', data: unknown): boolean => {
  if (typeof data !== 'number') return true;
  if (!Number.isFinite(data)) checkNumber.errors = [{ keyword: KEYWORD, params: { kind }, message: 'must be a finite number' }];
  else if (kind === 'integer' && !Number.isSafeInteger(data))
    checkNumber.errors = [{ keyword: KEYWORD, params: { kind }, message: `must be an integer from ${-Number.MAX_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER}` }];
  else return true;
  return false;
};
