/**
 * Maintained timestamps (the `timestamps` model option): `updatedAt` is the time of every
 * write, `createdAt` the time the item was created. A put replaces the whole item, so a
 * full save carries the loaded `createdAt`; an update never touches it unless it may create
 * the item, and then only where it is absent (`if_not_exists`).
 */
import { path as literalPath } from '../expressions/path.js';
import { set, setIfNotExists, type UpdateAction } from '../expressions/update.js';
import type { ModelSchema } from '../schema/model-schema.js';
import type { AnyUpdateSpec } from './update-spec.js';

/** Whether a model maintains any timestamp. */
export function hasTimestamps(schema: ModelSchema): boolean {
  return schema.timestamps.createdAt !== undefined || schema.timestamps.updatedAt !== undefined;
}

/**
 * The values a write of the whole instance stores: `updatedAt` = `now`; `createdAt` as the
 * instance holds it (loaded, or given), else as last stored, else `now` — unless `created`
 * is `false` (a partial save, which writes `updatedAt` only).
 */
export function stampedValues(schema: ModelSchema, values: Record<string, unknown>, stored: Record<string, unknown> | undefined, now: Date, options: { created?: boolean } = {}): Record<string, unknown> {
  if (!hasTimestamps(schema)) return values;
  const { createdAt, updatedAt } = schema.timestamps;
  const out = { ...values };
  if (updatedAt !== undefined) out[updatedAt] = now;
  if (createdAt !== undefined && options.created !== false && out[createdAt] === undefined) {
    out[createdAt] = schema.attributes[createdAt].decode(stored?.[createdAt]) ?? now;
  }
  return out;
}

/** The top-level attributes an update spec writes. */
function touched(spec: AnyUpdateSpec | undefined): Set<string> {
  const out = new Set<string>();
  if (!spec || typeof spec !== 'object') return out;
  for (const part of Object.values(spec)) {
    const names = Array.isArray(part) ? part : Object.keys((part ?? {}) as object);
    for (const n of names) out.add(String(n).split(/[.[]/)[0]);
  }
  return out;
}

/**
 * The timestamp actions of an update (values as JS Dates, compiled through the schema):
 * SET `updatedAt`, and with `create` (an update that may create its item) `createdAt` where
 * absent. An attribute the caller's spec writes itself is left to the caller.
 */
export function timestampActions(schema: ModelSchema, now: Date, options: { spec?: AnyUpdateSpec; create?: boolean } = {}): UpdateAction[] {
  if (!hasTimestamps(schema)) return [];
  const { createdAt, updatedAt } = schema.timestamps;
  const own = touched(options.spec);
  const out: UpdateAction[] = [];
  if (updatedAt !== undefined && !own.has(updatedAt)) out.push(set(literalPath(updatedAt), now));
  if (options.create && createdAt !== undefined && !own.has(createdAt)) out.push(setIfNotExists(literalPath(createdAt), now));
  return out;
}

/**
 * After a write stored `item`: the instance takes its `updatedAt`, and its `createdAt` when
 * it had none (an unsaved local edit of `createdAt` is kept, as for any attribute).
 */
export function takeTimestamps(schema: ModelSchema, values: Record<string, unknown>, item: Record<string, unknown>): void {
  const { createdAt, updatedAt } = schema.timestamps;
  for (const name of [updatedAt, createdAt]) {
    if (name === undefined || (name === createdAt && values[name] !== undefined)) continue;
    const v = schema.attributes[name].decode(item[name]);
    if (v === undefined) delete values[name];
    else values[name] = v;
  }
}
