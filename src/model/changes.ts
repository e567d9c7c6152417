/**
 * Dirty tracking. An instance's snapshot is the stored item as last read or written
 * (`STATE.stored`); its changes are found by comparing that snapshot, deeply, with the
 * item the instance would write now. Comparing stored forms means in-place edits of sets,
 * lists and maps are seen (DynamORM compared references and missed them) and a decimal read
 * back as `12.5` equals the `12.50` it was written as.
 */
import { NumberValue } from '@aws-sdk/lib-dynamodb';
import { add, append, deleteFromSet, remove, set, type UpdateAction } from '../expressions/update.js';
import { formatPath, type Path } from '../expressions/path.js';
import { isWriteMark, LINEAGE, type ModelSchema } from '../schema/model-schema.js';
import { TemplateAttribute } from '../schema/template.js';

/** One change of an instance against its snapshot, as `changes()` reports it. */
export interface Change {
  /** The attribute, or the nested path inside it: `tags`, `address.city`, `visits[2]`. */
  path: string;
  /** How a partial save writes it: `SET`, `REMOVE`, `ADD` / `DELETE` (set elements), or `APPEND` (list tail). */
  action: 'SET' | 'REMOVE' | 'ADD' | 'DELETE' | 'APPEND';
}

const NUMBER = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Canonical text of a number (`12.50`, `1.25e1` and `12.5` agree), so stored forms compare by value. */
export function canonicalNumber(text: string): string {
  const m = NUMBER.exec(text);
  if (!m) return text;
  const intPart = m[2] ?? '';
  const all = intPart + (m[3] ?? '');
  const lead = all.length - all.replace(/^0+/, '').length;
  const digits = all.slice(lead).replace(/0+$/, '');
  if (!digits) return '0';
  const exponent = intPart.length - lead + Number(m[4] ?? 0);
  return `${m[1]}${digits}e${exponent}`;
}

function isNumberLike(v: unknown): v is number | bigint | NumberValue {
  return typeof v === 'number' || typeof v === 'bigint' || v instanceof NumberValue;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A key identifying a set element by value (numbers canonical, binary by bytes). */
function elementKey(v: unknown): string {
  if (isNumberLike(v)) return `n:${canonicalNumber(String(v))}`;
  if (v instanceof Uint8Array) return `b:${Buffer.from(v).toString('base64')}`;
  return `s:${String(v)}`;
}

/** Deep equality of two stored (document-form) values. */
export function sameStored(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || a === null || b === undefined || b === null) return (a ?? null) === (b ?? null);
  if (isNumberLike(a) && isNumberLike(b)) return canonicalNumber(String(a)) === canonicalNumber(String(b));
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.from(a).equals(Buffer.from(b));
  if (a instanceof Set && b instanceof Set) {
    if (a.size !== b.size) return false;
    const keys = new Set([...a].map(elementKey));
    return [...b].every((e) => keys.has(elementKey(e)));
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameStored(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!sameStored(a[k], b[k])) return false;
    return true;
  }
  return false;
}

function diffValue(path: Path, before: unknown, after: unknown, out: UpdateAction[]): void {
  if (sameStored(before, after)) return;
  if (after === undefined) return void out.push(remove(path));
  if (before === undefined || before === null || after === null) return void out.push(set(path, after));
  if (before instanceof Set && after instanceof Set) {
    const had = new Set([...before].map(elementKey));
    const has = new Set([...after].map(elementKey));
    const added = [...after].filter((e) => !had.has(elementKey(e)));
    const removed = [...before].filter((e) => !has.has(elementKey(e)));
    // DynamoDB allows one action per path, so a set that both gained and lost elements is rewritten.
    if (added.length && removed.length) out.push(set(path, after));
    else if (added.length) out.push(add(path, new Set(added)));
    else out.push(deleteFromSet(path, new Set(removed)));
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    if (after.length > before.length && before.every((x, i) => sameStored(x, after[i]))) {
      out.push(append(path, after.slice(before.length)));
    } else if (after.length === before.length) {
      after.forEach((x, i) => diffValue([...path, i], before[i], x, out));
    } else {
      // A shrunk or reshuffled list: element removals by index would shift the rest; rewrite it.
      out.push(set(path, after));
    }
    return;
  }
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const k of keys) diffValue([...path, k], before[k], after[k], out);
    return;
  }
  out.push(set(path, after));
}

/**
 * The update actions that turn stored item `before` into `after`: only what changed, as
 * deep as it changed. Key attributes and the names in `skip` are left out. Values are in
 * stored form, so compile them without the schema's value mapping.
 */
export function diffItems(schema: ModelSchema, before: Record<string, unknown>, after: Record<string, unknown>, skip: readonly string[] = []): UpdateAction[] {
  const out: UpdateAction[] = [];
  const keys = new Set(schema.keyNames);
  for (const name of schema.names) {
    if (keys.has(name) || skip.includes(name)) continue;
    diffValue([name], before[name], after[name], out);
  }
  return out;
}

/** The changes of `actions` as `changes()` reports them. */
export function describeChanges(actions: readonly UpdateAction[]): Change[] {
  const names: Record<UpdateAction['kind'], Change['action']> = {
    set: 'SET', setIfNotExists: 'SET', increment: 'SET', prepend: 'SET', remove: 'REMOVE', add: 'ADD', delete: 'DELETE', append: 'APPEND',
  };
  return actions.map((a) => ({ path: formatPath(a.path as Path), action: names[a.kind] }));
}

/** Top-level attribute names an action list touches. */
export function touchedAttributes(actions: readonly UpdateAction[]): string[] {
  return [...new Set(actions.map((a) => String((a.path as Path)[0])))];
}

/**
 * Brings an instance up to a stored item it was just written as (or read back as): every
 * attribute whose stored value differs from `basis` takes the new value, the others keep
 * theirs — so unsaved edits of untouched attributes survive, and values the caller holds
 * references to are not swapped for equal copies.
 */
export function refreshInstance(schema: ModelSchema, values: Record<string, unknown>, item: Record<string, unknown>, basis: Record<string, unknown> | undefined): void {
  for (const name of schema.names) {
    if (basis && sameStored(item[name], basis[name])) continue;
    const v = schema.attributes[name].decode(item[name]);
    if (v === undefined) delete values[name];
    else values[name] = v;
  }
}

/**
 * Top-level attributes whose value on an instance differs from its snapshot `stored` (the
 * unsaved edits). A value that cannot be stored counts as edited.
 */
export function editedAttributes(schema: ModelSchema, values: Record<string, unknown>, stored: Record<string, unknown>): string[] {
  let item: Record<string, unknown> | undefined;
  try {
    item = schema.encode(values);
  } catch {
    // Some value cannot be stored: compare attribute by attribute below.
  }
  if (item) return schema.names.filter((name) => !sameStored(item[name], stored[name]));
  const out: string[] = [];
  for (const name of schema.names) {
    const attr = schema.attributes[name];
    const issues: { path: string; message: string }[] = [];
    const value = attr instanceof TemplateAttribute ? attr.compute(values, name, issues) : values[name];
    const encoded = attr.encode(value, name, issues, name === schema.hash || name === schema.range);
    if (issues.length || !sameStored(encoded, stored[name])) out.push(name);
  }
  return out;
}

/** How an instance took a stored item that arrived for it (see {@link absorbItem}). */
export interface Absorbed {
  /**
   * `same`: nothing new. `older`: an item of a lower version than the snapshot's (an
   * eventually consistent read); ignored. `refreshed`: no unsaved changes, values and snapshot
   * are the item now. `merged`: unsaved changes kept, everything else refreshed. `stale`:
   * merged, but the item also changed an attribute the instance has unsaved changes of (or,
   * for a versioned model, it is another version): those edits were made over an older item.
   */
  outcome: 'same' | 'older' | 'refreshed' | 'merged' | 'stale';
  /** The instance's snapshot from now on. */
  snapshot: Record<string, unknown> | undefined;
}

function versionOf(schema: ModelSchema, item: Record<string, unknown> | undefined): number | undefined {
  const v = schema.version === undefined ? undefined : item?.[schema.version];
  return v === undefined || v === null ? undefined : Number(String(v));
}

/**
 * Brings an instance (its `values` and snapshot `stored`) up to a stored item that arrived
 * for its key. Without unsaved changes, both become the item. With unsaved changes, the
 * edited attributes keep the user's values and their snapshot values (so a partial save still
 * sends just those edits and `expectUnchanged` still guards them against what was loaded),
 * the version (if any) stays as loaded (so a save is still checked against it), and every
 * other attribute takes the stored value, in the values and in the snapshot. `values` is
 * changed in place; template attributes are left for the caller to recompute.
 */
export function absorbItem(schema: ModelSchema, values: Record<string, unknown>, stored: Record<string, unknown> | undefined, item: Record<string, unknown>): Absorbed {
  if (item === stored) return { outcome: 'same', snapshot: stored };
  const had = versionOf(schema, stored);
  const has = versionOf(schema, item);
  // Another lineage is another item (deleted and created again), never an older read of this one.
  const sameItem = stored?.[LINEAGE] === item[LINEAGE];
  if (sameItem && had !== undefined && has !== undefined && has < had) return { outcome: 'older', snapshot: stored };
  const base = stored ?? {};
  const edited = stored ? editedAttributes(schema, values, stored) : [...schema.names];
  if (edited.length === 0) {
    refreshInstance(schema, values, item, stored);
    return { outcome: 'refreshed', snapshot: item };
  }
  const changed = Object.keys({ ...base, ...item }).some((k) => !sameStored(base[k], item[k]));
  if (!changed) return { outcome: 'same', snapshot: stored };
  const kept = new Set(edited);
  if (schema.version !== undefined) kept.add(schema.version);
  // A versioned instance stays based on the item it was loaded from: its version, write marks and lineage.
  if (schema.version !== undefined) for (const k of new Set([...Object.keys(base), ...Object.keys(item)])) if (isWriteMark(k)) kept.add(k);
  const snapshot: Record<string, unknown> = { ...item };
  for (const name of kept) {
    if (base[name] === undefined) delete snapshot[name];
    else snapshot[name] = base[name];
  }
  for (const name of schema.names) {
    if (kept.has(name)) continue;
    const v = schema.attributes[name].decode(item[name]);
    if (v === undefined) delete values[name];
    else values[name] = v;
  }
  const conflict = !sameItem || [...kept].some((name) => !isWriteMark(name) && !sameStored(base[name], item[name]));
  return { outcome: conflict ? 'stale' : 'merged', snapshot };
}
