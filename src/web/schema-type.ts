// Route response schemas checked against the wire types they serialize, at compile time. Fastify
// serializes a response through its schema and drops every property the schema does not list, so
// a field added to a wire type but not to the schema would silently vanish from the answer.
// (Types only: nothing here exists at run time except the identity function `wireSchema`.)

type Primitive<T> = T extends 'string'
  ? string
  : T extends 'number' | 'integer'
    ? number
    : T extends 'boolean'
      ? boolean
      : T extends 'null'
        ? null
        : T extends 'object'
          ? Record<string, unknown>
          : T extends 'array'
            ? unknown[]
            : never;

/** `type: ['object', 'null']` (or `['string', 'null']`) also allows null */
type Nullable<S> = S extends { type: readonly unknown[] } ? ('null' extends S['type'][number] ? null : never) : never;

/**
 * The value a JSON schema describes, for the subset Lurk's route schemas use: type (or a list of
 * types), enum, properties, items. `$ref` and anything else reads as unknown. Optionality is
 * not modelled (Lurk's response schemas list no `required`); see WireShape.
 */
export type SchemaShape<S> = S extends { enum: readonly (infer E)[] }
  ? E | Nullable<S>
  : S extends { items: infer I }
    ? SchemaShape<I>[] | Nullable<S>
    : S extends { properties: infer P }
      ? { -readonly [K in keyof P]: SchemaShape<P[K]> } | Nullable<S>
      : S extends { type: infer T }
        ? T extends readonly (infer U)[]
          ? Primitive<U>
          : Primitive<T>
        : unknown;

/** A wire type as its schema can describe it: every property present (optional ones too), nothing readonly. */
export type WireShape<T> = T extends readonly (infer E)[] ? WireShape<E>[] : T extends object ? { -readonly [K in keyof T]-?: WireShape<Exclude<T[K], undefined>> } : T;

/** true when A and B are the same type (not merely assignable either way) */
export type Same<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;

/**
 * Returns `schema` unchanged, and fails to compile unless it describes exactly the wire type T:
 * the same properties, each of the same type (enums as unions of their values, integers as numbers).
 * `wireSchema<Overview>()({ type: 'object', properties: { … } })`
 */
export function wireSchema<T>() {
  return <const S>(
    schema: S & (Same<WireShape<T>, WireShape<SchemaShape<S>>> extends true ? unknown : { 'the schema does not describe the wire type': [WireShape<T>, WireShape<SchemaShape<S>>] }),
  ): S => schema;
}
