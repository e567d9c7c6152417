/**
 * `Dynagraph`: one database (a client, a table prefix, a logger). Models are bound to
 * it; tables are created from them; every request goes through its connection.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Connection, type Logger, type RequestObserver } from './client.js';
import { bindModels, defaultDatabase, setDefaultDatabase } from './model/binding.js';
import type { AnyModel } from './model/model.js';
import type { ModelSchema } from './model/schema.js';
import type { Database } from './operations/context.js';
import { createTable, deleteTable, ensureTable, type CreateTableOptions } from './table/admin.js';
import { tableDefinition, type TableDefinition } from './table/definition.js';

/** Options of a {@link Dynagraph}. */
export interface DynagraphOptions {
  /** A DynamoDB client to use. When omitted one is built from `endpoint` / `region`. */
  client?: DynamoDBClient;
  /** Endpoint of DynamoDB (e.g. DynamoDB Local's `http://127.0.0.1:8000`). */
  endpoint?: string;
  /** AWS region (default: `AWS_REGION`, or `local` with an endpoint). */
  region?: string;
  /** Prepended to every model's table name: `'forum-dev-'`. */
  tablePrefix?: string;
  /** Receives a line per request on the `model`, `database-access` and `transactions` channels. */
  logger?: Logger;
  /** Models to bind (see {@link Dynagraph.bind}). */
  models?: readonly AnyModel[];
  /** Make this the default database of unbound models. Default: `true` for the first Dynagraph created. */
  default?: boolean;
}

/** How many CreateTable requests run at once; DynamoDB limits concurrent table operations. */
const CREATE_CONCURRENCY = 10;

/** One DynamoDB database as seen by dynagraph. */
export class Dynagraph implements Database {
  /** The send point every request goes through. */
  readonly connection: Connection;
  /** Prefix of every physical table name. */
  readonly tablePrefix: string;
  /** No scope at the database level; sessions add one. */
  readonly scope?: readonly RequestObserver[] = undefined;

  constructor(options: DynagraphOptions = {}) {
    this.connection = new Connection(options);
    this.tablePrefix = options.tablePrefix ?? '';
    if (options.models) this.bind(...options.models);
    if (options.default ?? !defaultDatabase()) setDefaultDatabase(this);
  }

  /** Physical table name of a model's table. */
  tableName(schema: ModelSchema): string {
    return this.tablePrefix + schema.table;
  }

  /**
   * Binds models to this database: their static methods (`User.get`) and new instances'
   * `save()` use it. Instances read through a database always write back to it.
   */
  bind(...models: AnyModel[]): this {
    bindModels(this, models);
    return this;
  }

  /** Makes this the database of models bound to none. */
  makeDefault(): this {
    setDefaultDatabase(this);
    return this;
  }

  /** The merged table definitions of some models, one per physical table. */
  tables(models: readonly AnyModel[]): TableDefinition[] {
    const byTable = new Map<string, ModelSchema[]>();
    for (const m of models) {
      const name = this.tableName(m.schema);
      const list = byTable.get(name) ?? [];
      if (!list.includes(m.schema)) list.push(m.schema);
      byTable.set(name, list);
    }
    return [...byTable].map(([name, schemas]) => tableDefinition(name, schemas));
  }

  /** Creates the table of a model (with its indexes, TTL and stream) and binds the model. */
  async createTable(model: AnyModel, options: CreateTableOptions = {}): Promise<void> {
    await this.createTables([model], options);
  }

  /**
   * Creates the tables of several models (models sharing a table make one table), a few
   * at a time to respect DynamoDB's limit on concurrent table operations, and binds them.
   */
  async createTables(models: readonly AnyModel[], options: CreateTableOptions = {}): Promise<void> {
    const defs = this.tables(models);
    await inBatches(defs, CREATE_CONCURRENCY, (def) => createTable(this.connection, def, options));
    this.bind(...models);
  }

  /**
   * Idempotent: creates missing tables, and throws TableMismatchError when a live table's
   * keys, indexes or TTL differ from the models. Binds the models.
   */
  async ensureTables(models: readonly AnyModel[], options: CreateTableOptions = {}): Promise<void> {
    const defs = this.tables(models);
    await inBatches(defs, CREATE_CONCURRENCY, (def) => ensureTable(this.connection, def, options));
    this.bind(...models);
  }

  /** Deletes the table of each model (missing tables are fine), waiting until gone unless `wait: false`. */
  async deleteTables(models: readonly AnyModel[], options: { wait?: boolean } = {}): Promise<void> {
    const names = [...new Set(models.map((m) => this.tableName(m.schema)))];
    await inBatches(names, CREATE_CONCURRENCY, (name) => deleteTable(this.connection, name, options));
  }

  /** Deletes one model's table. */
  async deleteTable(model: AnyModel, options: { wait?: boolean } = {}): Promise<void> {
    await this.deleteTables([model], options);
  }
}

async function inBatches<T>(items: readonly T[], size: number, run: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}
