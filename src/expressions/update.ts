/**
 * UpdateExpression: an action list compiled to `SET ... REMOVE ... ADD ...
 * DELETE ...`. Partial saves and atomic counters are built from these.
 */
import { ExpressionError } from '../errors.js';
import { ExpressionContext, type ExpressionOptions } from './context.js';
import { formatPath, pathsOverlap, type Path, type PathInput } from './path.js';
import type { ExpressionAttributes } from './placeholders.js';

/** One update action. Build them with {@link set}, {@link remove}, {@link add}, ... */
export type UpdateAction =
  | { readonly kind: 'set'; readonly path: PathInput; readonly value: unknown }
  | { readonly kind: 'setIfNotExists'; readonly path: PathInput; readonly value: unknown }
  | { readonly kind: 'remove'; readonly path: PathInput }
  | { readonly kind: 'add'; readonly path: PathInput; readonly value: unknown }
  | { readonly kind: 'delete'; readonly path: PathInput; readonly value: unknown }
  | { readonly kind: 'append' | 'prepend'; readonly path: PathInput; readonly value: readonly unknown[]; readonly ifNotExists: boolean }
  | { readonly kind: 'increment'; readonly path: PathInput; readonly by: number; readonly initial?: number };

/** Hooks for {@link compileUpdate}; see {@link ExpressionOptions}. */
export type UpdateOptions = ExpressionOptions;

/** `SET path = value` */
export function set(path: PathInput, value: unknown): UpdateAction {
  return Object.freeze({ kind: 'set', path, value });
}

/** `SET path = if_not_exists(path, value)`: writes only when the attribute is missing. */
export function setIfNotExists(path: PathInput, value: unknown): UpdateAction {
  return Object.freeze({ kind: 'setIfNotExists', path, value });
}

/** `REMOVE path`: deletes an attribute, map key or list element. */
export function remove(path: PathInput): UpdateAction {
  return Object.freeze({ kind: 'remove', path });
}

/** `ADD path value`: atomically adds to a number (missing counts as 0) or adds elements to a set. */
export function add(path: PathInput, numberOrSet: number | bigint | ReadonlySet<unknown>): UpdateAction {
  return Object.freeze({ kind: 'add', path, value: numberOrSet });
}

/** `DELETE path set`: removes elements from a set attribute. */
export function deleteFromSet(path: PathInput, elements: ReadonlySet<unknown>): UpdateAction {
  return Object.freeze({ kind: 'delete', path, value: elements });
}

/**
 * `SET path = list_append(path, list)`. With `ifNotExists`, a missing list is
 * treated as empty instead of failing the update.
 */
export function append(path: PathInput, list: readonly unknown[], options: { ifNotExists?: boolean } = {}): UpdateAction {
  return Object.freeze({ kind: 'append', path, value: list, ifNotExists: options.ifNotExists ?? false });
}

/** `SET path = list_append(list, path)`; `ifNotExists` as for {@link append}. */
export function prepend(path: PathInput, list: readonly unknown[], options: { ifNotExists?: boolean } = {}): UpdateAction {
  return Object.freeze({ kind: 'prepend', path, value: list, ifNotExists: options.ifNotExists ?? false });
}

/**
 * `SET path = path + by`; negative `by` decrements. Without `initial` a
 * missing attribute fails the update (DynamoDB cannot add to nothing in SET);
 * with it, `SET path = if_not_exists(path, initial) + by`.
 */
export function increment(path: PathInput, by = 1, options: { initial?: number } = {}): UpdateAction {
  const action: UpdateAction = options.initial === undefined
    ? { kind: 'increment', path, by }
    : { kind: 'increment', path, by, initial: options.initial };
  return Object.freeze(action);
}

type Clause = 'SET' | 'REMOVE' | 'ADD' | 'DELETE';
const CLAUSES: readonly Clause[] = ['SET', 'REMOVE', 'ADD', 'DELETE'];
const CLAUSE_OF: Record<UpdateAction['kind'], Clause> = {
  set: 'SET', setIfNotExists: 'SET', append: 'SET', prepend: 'SET', increment: 'SET',
  remove: 'REMOVE', add: 'ADD', delete: 'DELETE',
};

/**
 * Compiles actions to an UpdateExpression, clauses in the order SET, REMOVE,
 * ADD, DELETE, actions within a clause in the order given.
 *
 * @throws ExpressionError for no actions, two actions on overlapping paths
 *   (DynamoDB rejects them; the message names both), or an operand of the
 *   wrong kind (ADD of a list, DELETE of a non-set, ...), more than 4 KB or 300
 *   operators and functions; whatever `resolveName` throws for an unknown attribute.
 */
export function compileUpdate(
  actions: readonly UpdateAction[],
  attrs: ExpressionAttributes,
  options: UpdateOptions = {},
): string {
  if (!Array.isArray(actions) || actions.length === 0) {
    throw new ExpressionError('Update needs at least one action');
  }
  const ctx = new ExpressionContext(attrs, options);
  const resolved = actions.map((a): { action: UpdateAction; path: Path } => {
    if (typeof a !== 'object' || a === null || !Object.hasOwn(CLAUSE_OF, a.kind)) {
      throw new ExpressionError(`Unknown update action ${String((a as { kind?: unknown } | null)?.kind ?? a)}`);
    }
    return { action: a, path: ctx.resolve(a.path) };
  });
  checkOverlaps(resolved);
  const clauses: string[] = [];
  for (const clause of CLAUSES) {
    const parts = resolved
      .filter((r) => CLAUSE_OF[r.action.kind] === clause)
      .map((r) => compileAction(r.action, r.path, ctx));
    if (parts.length > 0) clauses.push(`${clause} ${parts.join(', ')}`);
  }
  return attrs.expression('UpdateExpression', clauses.join(' '));
}

function checkOverlaps(resolved: { action: UpdateAction; path: Path }[]): void {
  for (let i = 0; i < resolved.length; i++) {
    for (let j = i + 1; j < resolved.length; j++) {
      const a = resolved[i]!;
      const b = resolved[j]!;
      if (pathsOverlap(a.path, b.path)) {
        const what = a.path.length === b.path.length ? 'the same path' : 'overlapping paths';
        throw new ExpressionError(
          `Update touches ${what} ${formatPath(a.path)} (${a.action.kind}) and ${formatPath(b.path)} (${b.action.kind}); ` +
            'DynamoDB rejects that, so merge them into one action',
        );
      }
    }
  }
}

function compileAction(a: UpdateAction, p: Path, ctx: ExpressionContext): string {
  const name = ctx.pathText(p);
  const where = `${formatPath(p)} (${a.kind})`;
  switch (a.kind) {
    case 'set':
      return `${name} = ${ctx.value(p, a.value, 'set')}`;
    case 'setIfNotExists':
      return `${name} = if_not_exists(${name}, ${ctx.value(p, a.value, 'setIfNotExists')})`;
    case 'remove':
      return name;
    case 'add':
      if (!isAddable(a.value)) {
        throw new ExpressionError(`${where}: ADD takes a number or a set${Array.isArray(a.value) ? ' (for lists use append)' : ''}`);
      }
      return `${name} ${ctx.value(p, a.value, 'add')}`;
    case 'delete':
      if (!(a.value instanceof Set)) throw new ExpressionError(`${where}: DELETE takes a set of elements to remove`);
      return `${name} ${ctx.value(p, a.value, 'delete')}`;
    case 'append':
    case 'prepend': {
      if (!Array.isArray(a.value)) throw new ExpressionError(`${where}: expected a list (array)`);
      // if_not_exists lets the first append create the list instead of failing on a missing attribute.
      // Placeholders are allocated in reading order, so the expression reads :v0 before :v1.
      const current = (): string => (a.ifNotExists ? `if_not_exists(${name}, ${ctx.value(p, [], a.kind)})` : name);
      const list = (): string => ctx.value(p, a.value, a.kind);
      if (a.kind === 'append') {
        const c = current();
        return `${name} = list_append(${c}, ${list()})`;
      }
      const l = list();
      return `${name} = list_append(${l}, ${current()})`;
    }
    case 'increment': {
      checkNumber(where, 'by', a.by);
      let current = name;
      if (a.initial !== undefined) {
        checkNumber(where, 'initial', a.initial);
        current = `if_not_exists(${name}, ${ctx.value(p, a.initial, 'increment')})`;
      }
      return `${name} = ${current} + ${ctx.value(p, a.by, 'increment')}`;
    }
  }
}

function isAddable(v: unknown): boolean {
  if (typeof v === 'number' || typeof v === 'bigint' || v instanceof Set) return true;
  // Non-plain objects may be the SDK's NumberValue (numbers beyond double precision).
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto !== Object.prototype && proto !== null;
}

function checkNumber(where: string, what: string, n: unknown): void {
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new ExpressionError(`${where}: ${what} must be a finite number, got ${String(n)}`);
  }
}
