/**
 * The single place that sends commands. Every request dynagraph makes passes through
 * {@link Connection.send}: it is logged on its channel, counted in the stats of the
 * scopes that watch it (a session, a budget) and timed.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, NumberValue } from '@aws-sdk/lib-dynamodb';
import { DynagraphError, DynamoDBError, OutcomeUnknownError, type ErrorCode } from './errors.js';

/** The ancestors' three log channels. */
export type LogChannel = 'model' | 'database-access' | 'transactions';

/** One logged request or event. */
export interface LogEntry {
  channel: LogChannel;
  /** Command name, e.g. `GetItem`, or an event name on the `model` channel. */
  command: string;
  table?: string;
  durationMs?: number;
  /** Items read or written, where the command has them. */
  items?: number;
  consumedCapacity?: number;
  message?: string;
}

/**
 * A console-like (`debug(message, data)`) or pino-like (`debug(data, message)`) logger,
 * or a function receiving each entry.
 */
export type Logger =
  | { debug(...args: any[]): void; child?: unknown; level?: unknown }
  | ((entry: LogEntry) => void);

/** Something that watches requests: session stats, request budgets. */
export interface RequestObserver {
  /** Called before a request is sent; may throw to refuse it (a budget). */
  before?(command: string, table: string | undefined): void;
  /** Called after a successful response. */
  after?(entry: LogEntry, output: Record<string, unknown>): void;
  /** Called when a request failed (after the SDK's own retries). */
  failed?(command: string, error: unknown): void;
  /** Called when a request is retried by dynagraph (not the SDK). */
  retried?(command: string): void;
}

/** Commands that accept `ReturnConsumedCapacity`. */
const CAPACITY_COMMANDS = new Set([
  'GetCommand', 'PutCommand', 'UpdateCommand', 'DeleteCommand', 'QueryCommand', 'ScanCommand',
  'BatchGetCommand', 'BatchWriteCommand', 'TransactWriteCommand', 'TransactGetCommand',
]);

/**
 * Numbers come back as plain `number` when their text has at most 15 characters
 * (always exact in a double); longer ones as `NumberValue`, so 38-digit values lose nothing.
 */
export function wrapNumber(text: string): number | NumberValue {
  return text.length <= 15 ? Number(text) : NumberValue.from(text);
}

/** A logger with no `info()`: the SDK then skips masking every response for a log line. */
const quietSdkLogger = { debug() {}, warn() {}, error() {}, trace() {} } as unknown as Console;

/** Options for a {@link Connection}. */
export interface ConnectionOptions {
  client?: DynamoDBClient;
  endpoint?: string;
  region?: string;
  logger?: Logger;
}

/** A sendable DocumentClient command. */
export interface SendableCommand {
  readonly input: object;
  constructor: { name: string };
}

/** Wraps the DocumentClient; the one send point of the library. */
export class Connection {
  /** The low-level client (given or built). */
  readonly client: DynamoDBClient;
  /** The document client used for every request. */
  readonly doc: DynamoDBDocumentClient;
  private readonly logger?: Logger;
  private readonly observers = new Set<RequestObserver>();

  constructor(options: ConnectionOptions = {}) {
    this.client = options.client ?? new DynamoDBClient({
      endpoint: options.endpoint,
      region: options.region ?? process.env.AWS_REGION ?? (options.endpoint ? 'local' : undefined),
      logger: quietSdkLogger,
      ...(options.endpoint && !process.env.AWS_ACCESS_KEY_ID ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    });
    this.doc = DynamoDBDocumentClient.from(this.client, {
      marshallOptions: { removeUndefinedValues: true },
      unmarshallOptions: { wrapNumbers: wrapNumber },
    });
    this.logger = options.logger;
    watchOutcomes(this.client);
  }

  /** Registers a watcher of every request; returns a function that removes it. */
  observe(observer: RequestObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /**
   * Sends one command. `scope` observers (a session's) see it in addition to the
   * connection-wide ones.
   */
  async send<O>(
    command: SendableCommand,
    meta: { channel: LogChannel; table?: string; scope?: readonly RequestObserver[] },
  ): Promise<O> {
    const commandName = apiName(command.constructor.name);
    const observers = meta.scope ? [...this.observers, ...meta.scope] : this.observers;
    for (const o of observers) o.before?.(commandName, meta.table);
    const input = command.input as Record<string, unknown>;
    if (CAPACITY_COMMANDS.has(command.constructor.name) && input.ReturnConsumedCapacity === undefined) {
      input.ReturnConsumedCapacity = 'TOTAL';
    }
    const started = performance.now();
    let output: Record<string, unknown>;
    try {
      output = (await this.doc.send(command as never)) as Record<string, unknown>;
    } catch (err) {
      for (const o of observers) o.failed?.(commandName, err);
      throw wrapSdkError(err, commandName, meta.table, input);
    }
    const entry: LogEntry = {
      channel: meta.channel,
      command: commandName,
      table: meta.table,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      items: countItems(output),
      consumedCapacity: sumCapacity(output.ConsumedCapacity),
    };
    for (const o of observers) o.after?.(entry, output);
    this.log(entry);
    return output as O;
  }

  /** Tells observers that dynagraph retried a request (leftover keys, conflicts). */
  retried(command: string, scope?: readonly RequestObserver[]): void {
    for (const o of this.observers) o.retried?.(command);
    for (const o of scope ?? []) o.retried?.(command);
  }

  /** Logs an entry on its channel. */
  log(entry: LogEntry): void {
    const logger = this.logger;
    if (!logger) return;
    if (typeof logger === 'function') return logger(entry);
    const text = `[dynagraph:${entry.channel}] ${entry.command}${entry.table ? ` ${entry.table}` : ''}${entry.durationMs !== undefined ? ` ${entry.durationMs}ms` : ''}${entry.message ? ` ${entry.message}` : ''}`;
    // pino-like loggers take the data object first; console-like ones the message first.
    if (typeof logger.child === 'function' && logger.level !== undefined) logger.debug(entry, text);
    else logger.debug(text, entry);
  }
}

const API_NAMES: Record<string, string> = {
  Get: 'GetItem', Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem', TransactGet: 'TransactGetItems', TransactWrite: 'TransactWriteItems',
};

/** DynamoDB's API name of a command class: `GetCommand` → `GetItem`, `CreateTableCommand` → `CreateTable`. */
function apiName(className: string): string {
  const base = className.replace(/Command$/, '');
  return API_NAMES[base] ?? base;
}

function countItems(output: Record<string, unknown>): number | undefined {
  if (Array.isArray(output.Items)) return output.Items.length;
  if (output.Item) return 1;
  if (output.Responses && typeof output.Responses === 'object') {
    const r = output.Responses as Record<string, unknown[]> | unknown[];
    if (Array.isArray(r)) return r.length;
    return Object.values(r).reduce((n, list) => n + list.length, 0);
  }
  return undefined;
}

function sumCapacity(c: unknown): number | undefined {
  if (!c) return undefined;
  const list = Array.isArray(c) ? c : [c];
  return list.reduce((n, x: { CapacityUnits?: number }) => n + (x.CapacityUnits ?? 0), 0);
}

/*
 * Lost answers. The SDK resends a request whose connection dropped or timed out, or that
 * DynamoDB answered with a 5xx — and the first attempt may have been applied. Two
 * middlewares record that on the request: one inside the SDK's retry loop sees every
 * attempt, one outside it marks the final error, so a write path can tell "my condition
 * failed" from "my condition failed on my own earlier success".
 */
const RESENT = Symbol.for('dynagraph.resentAfterUnknownOutcome');
const WATCH = 'dynagraphOutcomeWatch';
const MARK = 'dynagraphOutcomeMark';
/** Errors that say the request never left this machine (nothing to be unsure about). */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_INVALID_URL', 'CredentialsProviderError']);
const THROTTLES = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'ThrottlingError']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
/** Failures the operations map to their own typed errors (they carry the stored item). */
const MAPPED_BY_OPERATIONS = new Set(['ConditionalCheckFailedException', 'TransactionCanceledException']);

type Raw = { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $response?: { statusCode?: number }; [RESENT]?: boolean };

/** Whether a failed attempt may nevertheless have been applied by DynamoDB. */
function attemptOutcomeUnknown(err: Raw): boolean {
  const status = err?.$metadata?.httpStatusCode ?? err?.$response?.statusCode;
  if (typeof status === 'number') return status >= 500;
  return !NOT_SENT.has(err?.code ?? '') && !NOT_SENT.has(err?.name ?? '');
}

/** Installs the two outcome middlewares on a client (once; clients may be shared). */
function watchOutcomes(client: DynamoDBClient): void {
  const stack = client.middlewareStack;
  if (stack.identify().some((m) => m.startsWith(WATCH))) return;
  stack.add((next, context) => async (args) => {
    try {
      return await next(args);
    } catch (err) {
      if (attemptOutcomeUnknown(err as Raw)) (context as Record<symbol, unknown>)[RESENT] = true;
      throw err;
    }
  }, { step: 'deserialize', priority: 'high', name: WATCH });
  stack.add((next, context) => async (args) => {
    try {
      return await next(args);
    } catch (err) {
      if ((context as Record<symbol, unknown>)[RESENT] && err && typeof err === 'object') (err as Raw)[RESENT] = true;
      throw err;
    }
  }, { step: 'initialize', priority: 'high', name: MARK });
}

/**
 * `true` when the request behind `err` had an attempt whose outcome is unknown (a dropped
 * connection or a 5xx) before it failed: a write may have been applied by that attempt.
 * Looks through `cause` chains.
 */
export function outcomeWasUnknown(err: unknown): boolean {
  for (let e = err as (Raw & { cause?: unknown }) | undefined, depth = 0; e && typeof e === 'object' && depth < 5; e = e.cause as typeof e, depth++) {
    if (e[RESENT]) return true;
    if (e instanceof OutcomeUnknownError) return true;
  }
  return false;
}

/** Every SDK error as a DynagraphError (the two that operations map themselves pass unchanged). */
function wrapSdkError(err: unknown, command: string, table: string | undefined, input: Record<string, unknown>): unknown {
  if (err instanceof DynagraphError) return err;
  const raw = err as Raw;
  const name = raw?.name ?? '';
  if (MAPPED_BY_OPERATIONS.has(name)) return err;
  if (WRITES.has(command) && (raw?.[RESENT] || attemptOutcomeUnknown(raw))) {
    return new OutcomeUnknownError(command, table, input.Key as Record<string, unknown> | undefined, err);
  }
  return new DynamoDBError(errorCode(raw), command, table, err);
}

function errorCode(err: Raw): ErrorCode {
  const name = err?.name ?? '';
  if (name === 'ResourceNotFoundException') return 'TABLE_NOT_FOUND';
  if (name === 'ValidationException') return 'DYNAMODB_VALIDATION';
  if (THROTTLES.has(name)) return 'THROTTLED';
  const status = err?.$metadata?.httpStatusCode ?? err?.$response?.statusCode;
  if (status === undefined && (err?.code !== undefined || name === 'TimeoutError' || name === 'AbortError')) return 'NETWORK';
  return 'DYNAMODB_ERROR';
}
