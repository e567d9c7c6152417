/**
 * Which database a model's static methods and new instances use when none is given:
 * the one bound with `db.bind(Model)`, else the default Dynagraph.
 */
import type { Database } from '../operations/context.js';
import { NoDatabaseError } from '../errors.js';

const bound = new WeakMap<object, Database>();
let fallback: Database | undefined;

/** Binds models to a database. */
export function bindModels(db: Database, models: readonly object[]): void {
  for (const m of models) bound.set(m, db);
}

/** Sets the database used by models bound to none. */
export function setDefaultDatabase(db: Database | undefined): void {
  fallback = db;
}

/** The default database, if any. */
export function defaultDatabase(): Database | undefined {
  return fallback;
}

/** The database of a model class: its binding (or its parents'), else the default. */
export function databaseOf(model: object, name: string): Database {
  for (let m: object | null = model; m && m !== Function.prototype; m = Object.getPrototypeOf(m)) {
    const db = bound.get(m);
    if (db) return db;
  }
  if (fallback) return fallback;
  throw new NoDatabaseError(name);
}
