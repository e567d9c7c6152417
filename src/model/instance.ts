/**
 * The base class of every model instance: construction (given > default > empty
 * container), the stored form, `toJSON()`, and the per-instance hidden state
 * (the database it came from and the item as last stored, for key-change checks).
 */
import { NumberValue } from '@aws-sdk/lib-dynamodb';
import type { Database } from '../operations/context.js';
import type { ModelSchema } from '../schema/model-schema.js';
import { absorbItem, type Absorbed } from './changes.js';

/** Key of an instance's hidden state. */
export const STATE: unique symbol = Symbol('dynagraph.state');

/** Hidden per-instance state; never shared between instances. */
export interface InstanceState {
  /** The database the instance was read from or last written to. */
  db?: Database | undefined;
  /** The stored item as last read or written; `undefined` for a new instance. */
  stored?: Record<string, unknown> | undefined;
  /**
   * Set when a newer stored item arrived while the instance had unsaved changes it conflicts
   * with (see `Session.isStale`); it holds for as long as the snapshot is `basis`, so the next
   * write (or refresh) of the instance ends it.
   */
  stale?: { basis: Record<string, unknown> | undefined };
}

/** A stored item handed to the constructor (and its database), so reads skip defaults and checks. */
let decoded: Record<string, unknown> | undefined;
let decodedDb: Database | undefined;
/** The instance whose subclass field initializers are running (relation fields read it). */
let lastConstructed: ModelBase | undefined;

/** The instance most recently constructed; relation builders bind to it. */
export function constructingInstance(): ModelBase | undefined {
  return lastConstructed;
}

/** A class produced by `Model()`; the runtime view used inside the library. */
export interface ModelClassRuntime<I extends ModelBase = ModelBase> {
  new (init?: any): I;
  readonly schema: ModelSchema;
  readonly name: string;
}

/** Builds an instance of `cls` from a stored item, running subclass field initializers. */
export function instanceFromItem<I extends ModelBase>(cls: ModelClassRuntime<I>, item: Record<string, unknown>, db?: Database): I {
  decoded = item;
  decodedDb = db;
  try {
    return new cls();
  } finally {
    decoded = undefined;
    decodedDb = undefined;
  }
}

/** The base class of every model; see `Model()`. */
export class ModelBase {
  /** @internal */
  declare [STATE]: InstanceState;

  constructor(init?: Record<string, unknown>) {
    const schema = (this.constructor as ModelClassRuntime).schema;
    const self = this as unknown as Record<string, unknown>;
    if (decoded) {
      const item = decoded;
      const db = decodedDb;
      decoded = undefined;
      decodedDb = undefined;
      schema.decodeInto(self, item);
      this[STATE] = { db, stored: item };
    } else {
      if (init) schema.checkUnknown(init);
      const { valueNames, valueAttributes } = schema;
      for (let i = 0; i < valueNames.length; i++) {
        const name = valueNames[i];
        const given = init?.[name];
        const v = given !== undefined ? given : valueAttributes[i].initial();
        if (v !== undefined) self[name] = v;
      }
      this[STATE] = {};
      fillComputed(schema, self);
    }
    lastConstructed = this;
  }

  /** The attribute values, JSON-ready: sets as arrays, dates as ISO strings, bigints and decimals as strings, binary as base64. */
  toJSON(): Record<string, unknown> {
    const schema = (this.constructor as ModelClassRuntime).schema;
    const self = this as unknown as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const name of schema.names) if (self[name] !== undefined) out[name] = jsonValue(self[name]);
    return out;
  }
}

/**
 * A stored item arrived for an instance a session holds (a read, or a write by key): the
 * instance takes it as {@link absorbItem} says — refreshed in place without unsaved changes,
 * else merged around them, and marked stale when they conflict.
 */
export function absorb(instance: ModelBase, item: Record<string, unknown>): Absorbed['outcome'] {
  const schema = (instance.constructor as ModelClassRuntime).schema;
  const state = instance[STATE];
  const { outcome, snapshot } = absorbItem(schema, instance as unknown as Record<string, unknown>, state.stored, item);
  if (outcome === 'same' || outcome === 'older') return outcome;
  fillComputed(schema, instance as unknown as Record<string, unknown>);
  state.stored = snapshot;
  if (outcome === 'stale') state.stale = { basis: snapshot };
  return outcome;
}

/** `true` while an instance's unsaved changes were made over an older item than one since seen stored. */
export function isStale(instance: ModelBase): boolean {
  const state = instance[STATE];
  return state.stale !== undefined && state.stale.basis === state.stored;
}

/**
 * Makes an instance exactly the stored item `item` (unsaved changes dropped, stale mark
 * ended); `undefined`: no item is stored any more.
 */
export function resetTo(instance: ModelBase, item: Record<string, unknown> | undefined): void {
  const schema = (instance.constructor as ModelClassRuntime).schema;
  const self = instance as unknown as Record<string, unknown>;
  const state = instance[STATE];
  state.stale = undefined;
  if (!item) {
    state.stored = undefined;
    return;
  }
  for (const name of schema.names) {
    const v = schema.attributes[name].decode(item[name]);
    if (v === undefined) delete self[name];
    else self[name] = v;
  }
  fillComputed(schema, self);
  state.stored = item;
}

/** Sets template attributes whose fields are all present (silently skips the others). */
export function fillComputed(schema: ModelSchema, values: Record<string, unknown>): void {
  for (const [name, t] of schema.computed) {
    const v = t.compute(values, name, []);
    if (v !== undefined) values[name] = v;
  }
}

function jsonValue(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'bigint' || v instanceof NumberValue) return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (v instanceof Set) return [...v].map(jsonValue);
  if (Array.isArray(v)) return v.map(jsonValue);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = jsonValue(x);
    return out;
  }
  return v;
}
