/**
 * What `Model()` is given: the declaration's options and their types (timestamps, streams),
 * and the compiled form of an index. The checks and the compiled schema are model-schema.ts.
 */
import type { Attribute } from './attribute.js';
import type { AttributeMap } from './types.js';
import type { IndexDeclaration, Projection } from './indexes.js';

/** Stream view types DynamoDB supports. */
export type StreamView = 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES' | 'KEYS_ONLY';

/** The declaration given to `Model()` without its key, version and ttl (which `Model()` checks against the attributes). */
export interface ModelOptions<A extends AttributeMap = AttributeMap> {
  /** Table name (the Dynagraph's `tablePrefix` is prepended). Several models may share one. */
  table: string;
  /** The attributes. */
  attributes: A;
  /** Secondary indexes by name, from `gsi()` / `lsi()`. */
  indexes?: Record<string, IndexDeclaration<keyof A & string>> | undefined;
  /** Turns on DynamoDB Streams with this view. */
  stream?: StreamView | undefined;
  /** Entity type stored on every item; required when several models share a table. */
  entity?: string | undefined;
  /** Name of the entity-type attribute (default `_type`). */
  entityField?: string | undefined;
  /**
   * Autoincrement keys (dynamodb-mapper's `autoincrement_int`), for a table with a number
   * hash key and no range key: a new instance saved without a key gets the next id from a
   * counter item stored in the same table at hash key -1 (so ids start at 1 and -1 is
   * reserved; a scan sees the counter item). An explicit id is honoured.
   *
   * Cost: the first save of each item is two writes (an atomic ADD on the counter, then a
   * conditional put), and every new item of the table contends on the one counter item —
   * its partition's write limit (1000 writes/s) caps the insert rate. Prefer random ids
   * (UUIDs, ULIDs) unless you need small sequential numbers.
   */
  autoincrement?: boolean | undefined;
  /**
   * How many of the last versions a versioned item remembers the writer of (default 8), so
   * that a write whose answer was lost and that the SDK resent is recognised as landed or
   * not even when other writers wrote on top of it meanwhile. When more than this many
   * versions were written before the resend was answered, the write fails with
   * OutcomeUnknownError (never a conflict that a retry would apply twice).
   *
   * Cost: each slot is a small top-level attribute (`_w0` …, about 25 bytes) stored with the
   * item, plus its lineage `_wl` (about 15 bytes): about 215 bytes at the default, counted
   * in the item's size and write units.
   */
  writeHistory?: number | undefined;
  /**
   * Maintained timestamps, as dynamodb-toolbox, Dynamoose and OneTable keep them: `true`
   * for `createdAt` and `updatedAt`, or `{ createdAt: 'created', updatedAt: false }` to
   * rename or leave one out. Each is a `date()` attribute added to the model (declare it
   * yourself, e.g. `date({ format: 'epoch' })`, to choose how it is stored), typed `Date` on
   * instances and optional on construction. Every write sets `updatedAt` to the time of the
   * write; `createdAt` is set when the item is created and kept afterwards: a full save
   * carries the loaded value, a partial save or update leaves it alone, and an update that
   * may create the item (`upsert`) sets it only where absent.
   */
  timestamps?: boolean | TimestampsOptions | undefined;
}

/** The declaration given to `Model()`. */
export interface ModelDefinition<A extends AttributeMap = AttributeMap, H extends string = string, R extends string = string> extends ModelOptions<A> {
  /** Primary key: hash attribute and optional range attribute. */
  key: { hash: H; range?: R };
  /** Attribute holding the expiry time (a `date({ format: 'epoch' })` or number). */
  ttl?: keyof A & string | undefined;
  /**
   * Attribute used for optimistic locking (a number). The first save requires that no item
   * exists and stores 1; every later save, update and delete is conditional on the loaded
   * version and stores the next one (a mismatch is a VersionConflictError). The attribute
   * need not be given on construction.
   */
  version?: keyof A & string | undefined;
}

/** Names of the timestamp attributes (`false` leaves one out); see ModelDefinition.timestamps. */
export interface TimestampsOptions {
  /** Set when the item is created (default `createdAt`). */
  createdAt?: string | false | undefined;
  /** Set by every write (default `updatedAt`). */
  updatedAt?: string | false | undefined;
}

type TimestampName<T, K extends string> = T extends { [P in K]: infer N } ? (N extends string ? N : N extends false ? never : K) : K;
/** The attribute names a `timestamps` option maintains. */
export type TimestampNames<T> = T extends true ? 'createdAt' | 'updatedAt'
  : T extends false | undefined ? never
    : T extends TimestampsOptions ? TimestampName<T, 'createdAt'> | TimestampName<T, 'updatedAt'> : never;
/**
 * The attributes of a model with the timestamps it did not declare: `Date` on instances,
 * optional on construction.
 */
export type WithTimestamps<A extends AttributeMap, T> = [TimestampNames<T>] extends [never] ? A
  : A & { [K in Exclude<TimestampNames<T>, keyof A>]: Attribute<Date, false, false> };

/** A compiled index. */
export interface IndexSchema {
  name: string;
  type: 'gsi' | 'lsi';
  hash: string;
  range?: string | undefined;
  projection: Projection;
  sparse?: ((item: any) => boolean) | undefined;
  throughput?: { read: number; write: number } | undefined;
}
