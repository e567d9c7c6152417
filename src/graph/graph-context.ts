/**
 * Which loaders an edge uses. An instance read through a session uses that session's
 * loaders (batched and cached for the session). Any other instance uses its database's
 * tick loaders: loads issued in the same tick are still batched, but nothing is cached
 * beyond that tick and there is no identity map.
 */
import { databaseOf } from '../model/binding.js';
import { STATE, type ModelBase, type ModelClassRuntime } from '../model/instance.js';
import type { Database } from '../operations/context.js';
import { GraphLoader } from './loader.js';
import { SchemaError } from '../errors.js';
import { isEdge } from './edge.js';

/** A database that owns graph loaders (a session). */
export interface GraphDatabase extends Database {
  /** @internal Its loaders and identity map. */
  readonly graph: GraphLoader;
}

function isGraphDatabase(db: Database): db is GraphDatabase {
  return (db as Partial<GraphDatabase>).graph instanceof GraphLoader;
}

const tickLoaders = new WeakMap<Database, GraphLoader>();

/** The loaders for one database outside any session: alive for the current tick only. */
function tickLoader(db: Database): GraphLoader {
  let loader = tickLoaders.get(db);
  if (!loader) {
    loader = new GraphLoader(db, { cache: false });
    tickLoaders.set(db, loader);
    // Batching needs the loader for this tick only; dropping it keeps no cache across requests.
    setImmediate(() => tickLoaders.delete(db));
  }
  return loader;
}

const checked = new WeakSet<object>();

/**
 * A relationship field named like an attribute would hide the attribute's value; refuse
 * it once per class, on first use.
 */
export function checkRelationNames(owner: ModelBase): void {
  const cls = owner.constructor as ModelClassRuntime;
  if (checked.has(cls)) return;
  for (const [name, value] of Object.entries(owner)) {
    if (isEdge(value) && Object.hasOwn(cls.schema.attributes, name)) {
      throw new SchemaError(`${cls.name}: relationship "${name}" has the name of an attribute; rename one of them`);
    }
  }
  checked.add(cls);
}

/** The loaders an instance's edges use. */
export function graphFor(owner: ModelBase): GraphLoader {
  checkRelationNames(owner);
  const cls = owner.constructor as ModelClassRuntime;
  const db = owner[STATE].db ?? databaseOf(cls, cls.name);
  return isGraphDatabase(db) ? db.graph : tickLoader(db);
}
