/**
 * The typed update API: `{ set, remove, add, delete, append, prepend, setIfNotExists }`
 * keyed by the model's own attributes, so an unknown attribute or a value of the wrong type
 * does not compile; at run time every value is validated by its attribute before sending.
 */
import type { Attribute } from '../schema/attribute.js';
import { TemplateAttribute } from '../schema/template.js';
import { add, append, deleteFromSet, prepend, remove, set, setIfNotExists, type UpdateAction } from '../expressions/update.js';
import { parsePath, type Path } from '../expressions/path.js';
import { ExpressionError, ValidationError } from '../errors.js';
import { attributeAt } from '../operations/expression-hooks.js';
import type { ModelSchema } from '../schema/model-schema.js';
import type { ProjectionPath } from './projection-types.js';

// Nested paths below writable attributes, typed (map keys, up to 3 levels) by the value they hold:
// an unknown root, an unknown map key or a wrong value type does not compile. List elements
// (`tags[0]`) are checked by their root only.
type MapPaths<T, W extends keyof T & string> = { [K in W]: NonNullable<T[K]> extends ReadonlySet<any> | Date | Uint8Array | readonly any[] ? never
  : NonNullable<T[K]> extends object ? `${K}.${ProjectionPath<NonNullable<T[K]>, 2>}` : never }[W];
type PathValue<T, P extends string> = P extends `${infer H}.${infer R}` ? (H extends keyof T ? PathValue<NonNullable<T[H]>, R> : unknown) : P extends keyof T ? T[P] : unknown;
type Nested<T, W extends keyof T & string> = { [P in MapPaths<T, W>]?: PathValue<T, P> } & { [P in `${W}[${string}`]?: unknown };
type NestedPath<T, W extends keyof T & string> = MapPaths<T, W> | `${W}[${string}`;
type ElementOf<V> = V extends ReadonlySet<infer E> ? E : never;
type KeysWhere<T, W extends keyof T, C> = { [K in W]-?: NonNullable<T[K]> extends C ? K : never }[W];
type Removable<T, W extends keyof T> = { [K in W]-?: undefined extends T[K] ? K : NonNullable<T[K]> extends ReadonlySet<any> | readonly any[] ? K : never }[W];
type SetValue<V> = NonNullable<V> | readonly ElementOf<NonNullable<V>>[];

/**
 * Update actions for items with values `T`, over the writable attributes `W` (not keys,
 * templates or the version). Several kinds may be combined; one attribute appears once.
 *
 * - `set`: new values (`undefined` or an empty set/string removes the attribute); nested
 *   paths (`'address.city'`, `'visits[0]'`) are allowed and checked at run time.
 * - `setIfNotExists`: writes only where the attribute is missing.
 * - `remove`: optional attributes, sets and lists (and nested paths).
 * - `add`: atomic counter (`{ coins: -10 }`; a missing number counts as 0) or set elements.
 * - `delete`: set elements to remove.
 * - `append` / `prepend`: list elements (a missing list counts as empty).
 */
export interface UpdateSpec<T, W extends keyof T & string = keyof T & string> {
  set?: ({ [K in W]?: T[K] } & Nested<T, W>) | undefined;
  setIfNotExists?: ({ [K in W]?: NonNullable<T[K]> } & Nested<T, W>) | undefined;
  remove?: readonly (Removable<T, W> | NestedPath<T, W>)[] | undefined;
  add?: ({ [K in KeysWhere<T, W, number>]?: number } & { [K in KeysWhere<T, W, ReadonlySet<any>>]?: SetValue<T[K]> }) | undefined;
  delete?: ({ [K in KeysWhere<T, W, ReadonlySet<any>>]?: SetValue<T[K]> }) | undefined;
  append?: ({ [K in KeysWhere<T, W, readonly any[]>]?: NonNullable<T[K]> }) | undefined;
  prepend?: ({ [K in KeysWhere<T, W, readonly any[]>]?: NonNullable<T[K]> }) | undefined;
}

/** An update spec of no particular model (checked at run time only). */
export interface AnyUpdateSpec {
  set?: Record<string, unknown> | undefined;
  setIfNotExists?: Record<string, unknown> | undefined;
  remove?: readonly string[] | undefined;
  add?: Record<string, unknown> | undefined;
  delete?: Record<string, unknown> | undefined;
  append?: Record<string, readonly unknown[]> | undefined;
  prepend?: Record<string, readonly unknown[]> | undefined;
}

const KINDS = ['set', 'setIfNotExists', 'remove', 'add', 'delete', 'append', 'prepend'] as const;

function isEmptyStored(attr: Attribute | undefined, value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (value instanceof Set) return value.size === 0;
  return value === '' && attr?.kind === 'string';
}

/**
 * Turns an update spec into update actions, validating before anything is sent: unknown
 * kinds or attributes, keys, templates and the version attribute are refused by name.
 */
export function specActions(schema: ModelSchema, spec: AnyUpdateSpec): UpdateAction[] {
  if (spec === null || typeof spec !== 'object') throw new ExpressionError(`${schema.name}: an update needs an object of actions`);
  const out: UpdateAction[] = [];
  const resolve = (input: string): Path => {
    const p = Object.hasOwn(schema.attributes, input) ? [input] : parsePath(input);
    const top = String(p[0]);
    if (!Object.hasOwn(schema.attributes, top)) throw new ExpressionError(`${schema.name}: "${top}" is not an attribute of the model`);
    const why = schema.keyNames.includes(top) ? 'is a key attribute; DynamoDB cannot update keys'
      : schema.attributes[top] instanceof TemplateAttribute ? 'is computed from its template'
        : top === schema.version ? 'is the version attribute, managed by dynagraph' : undefined;
    if (why) throw new ValidationError(schema.name, [{ path: input, message: `${why} and cannot be updated` }]);
    return p;
  };
  for (const kind of Object.keys(spec)) {
    if (!(KINDS as readonly string[]).includes(kind)) throw new ExpressionError(`${schema.name}: unknown update kind "${kind}" (use ${KINDS.join(', ')})`);
  }
  for (const [name, value] of Object.entries(spec.set ?? {})) {
    const p = resolve(name);
    // DynamoDB stores no empty sets and the model stores '' as absent: setting one removes it.
    out.push(isEmptyStored(attributeAt(schema, p), value) ? checkRemovable(schema, p, name) : set(p, value));
  }
  for (const [name, value] of Object.entries(spec.setIfNotExists ?? {})) out.push(setIfNotExists(resolve(name), value));
  for (const name of spec.remove ?? []) out.push(checkRemovable(schema, resolve(name), name));
  for (const [name, value] of Object.entries(spec.add ?? {})) out.push(add(resolve(name), asSet(value) as number | ReadonlySet<unknown>));
  for (const [name, value] of Object.entries(spec.delete ?? {})) out.push(deleteFromSet(resolve(name), asSet(value) as ReadonlySet<unknown>));
  // if_not_exists lets the first append create the list, as the typed API promises.
  for (const [name, value] of Object.entries(spec.append ?? {})) out.push(append(resolve(name), value as unknown[], { ifNotExists: true }));
  for (const [name, value] of Object.entries(spec.prepend ?? {})) out.push(prepend(resolve(name), value as unknown[], { ifNotExists: true }));
  if (out.length === 0) throw new ExpressionError(`${schema.name}: the update has no actions`);
  return out;
}

function asSet(value: unknown): unknown {
  return Array.isArray(value) ? new Set(value) : value;
}

function checkRemovable(schema: ModelSchema, p: Path, input: string): UpdateAction {
  const attr = attributeAt(schema, p);
  if (p.length === 1 && attr && !attr.isOptional && !['stringSet', 'numberSet', 'binarySet', 'list', 'string'].includes(attr.kind)) {
    throw new ValidationError(schema.name, [{ path: input, message: 'is required and cannot be removed' }]);
  }
  return remove(p);
}

/**
 * Applies update actions to an instance's values in memory, as DynamoDB will apply them to
 * the stored item (used after a transaction, which returns no values). Paths are the ones
 * {@link specActions} resolved.
 */
export function applyActions(schema: ModelSchema, values: Record<string, unknown>, actions: readonly UpdateAction[]): void {
  for (const a of actions) {
    const p = a.path as Path;
    const parent = walk(values, p);
    if (!parent) continue;
    const last = p[p.length - 1] as string & number;
    const current = parent[last];
    switch (a.kind) {
      case 'set': parent[last] = a.value; break;
      case 'setIfNotExists': if (isEmptyStored(undefined, current)) parent[last] = a.value; break;
      case 'remove':
        if (p.length === 1) parent[last] = schema.attributes[p[0] as string].decode(undefined);
        else if (Array.isArray(parent)) parent.splice(last, 1);
        else delete parent[last];
        if (parent[last] === undefined && !Array.isArray(parent)) delete parent[last];
        break;
      case 'add':
        if (a.value instanceof Set) parent[last] = new Set([...((current as Set<unknown>) ?? []), ...a.value]);
        else parent[last] = Number(current ?? 0) + Number(a.value);
        break;
      case 'delete': {
        const gone = a.value as Set<unknown>;
        parent[last] = new Set([...((current as Set<unknown>) ?? [])].filter((e) => !gone.has(e)));
        break;
      }
      case 'append': parent[last] = [...((current as unknown[]) ?? []), ...a.value]; break;
      case 'prepend': parent[last] = [...a.value, ...((current as unknown[]) ?? [])]; break;
      case 'increment': parent[last] = Number(current ?? a.initial ?? 0) + a.by; break;
    }
  }
}

function walk(values: Record<string, unknown>, p: Path): Record<string | number, unknown> | undefined {
  let node: unknown = values;
  for (const seg of p.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[seg];
  }
  return node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>) : undefined;
}
