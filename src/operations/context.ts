/**
 * What an operation needs from the database it runs against: the one send point,
 * the physical table name of a model, and the observers of the calling scope.
 */
import type { Connection, RequestObserver } from '../client.js';
import type { ModelSchema } from '../schema/model-schema.js';
import type { RetryPolicy } from './retry.js';

/** The runtime view of a model class an operation needs: its schema and how to construct it. */
export interface ModelClass {
  new (init?: any): object;
  readonly schema: ModelSchema;
  readonly name: string;
}

/** A database an operation can run against (a Dynagraph, or a session on one). */
export interface Database {
  /** The send point. */
  readonly connection: Connection;
  /** Physical table name of a model's table (prefix applied). */
  tableName(schema: ModelSchema): string;
  /** Observers of the calling scope (a session's stats and budget), if any. */
  readonly scope?: readonly RequestObserver[] | undefined;
  /** How leftovers of batch operations are retried. */
  readonly retry: RetryPolicy;
  /** How many requests of one batch operation run at once. */
  readonly concurrency: number;
  /** HMAC key for page cursors; when set, unsigned cursors are rejected. */
  readonly cursorSecret?: string | Uint8Array | undefined;
  /**
   * Turns a stored item into an instance; a session returns the instance it already
   * holds for that key (its identity map). Defaults to a new instance.
   * @internal
   */
  materialize?(model: ModelClass, item: Record<string, unknown>): object;
  /**
   * Reads items by stored key; a session routes these through its batching loader and
   * cache. Defaults to a plain batched get.
   * @internal
   */
  loadItems?(requests: readonly { table: string; keyNames: readonly string[]; key: Record<string, unknown>; model: ModelClass }[]): Promise<(Record<string, unknown> | undefined)[]>;
  /** Told after an item was written through this database (a session primes its cache). */
  afterPut?(schema: ModelSchema, item: Record<string, unknown>, instance: object): void;
  /** Told after an item was deleted through this database (a session clears its cache). */
  afterDelete?(schema: ModelSchema, key: Record<string, unknown>): void;
  /**
   * Told after an item was changed in a way whose result is not known here (an update by
   * key without return values, a transaction's update by key): a session must forget its
   * cached copy (not treat the item as deleted).
   */
  afterWrite?(schema: ModelSchema, key: Record<string, unknown>): void;
}
