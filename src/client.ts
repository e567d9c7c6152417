/**
 * The single place that sends commands. Every request dynagraph makes passes through
 * {@link Connection.send}: it is logged on its channel, counted in the stats of the
 * scopes that watch it (a session, a budget) and timed.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, NumberValue } from '@aws-sdk/lib-dynamodb';
import { DynagraphError, fromSdkError, MAPPED_BY_OPERATIONS, RESENT, type SdkFailure } from './errors.js';

/** The ancestors' three log channels. */
export type LogChannel = 'model' | 'database-access' | 'transactions';

/** One logged request or event. */
export interface LogEntry {
  channel: LogChannel;
  /** Command name, e.g. `GetItem`, or an event name on the `model` channel. */
  command: string;
  table?: string | undefined;
  durationMs?: number | undefined;
  /** Items read or written, where the command has them. */
  items?: number | undefined;
  consumedCapacity?: number | undefined;
  message?: string | undefined;
  /**
   * `debug` for a request answered at the first attempt and for model events; `warn` for one
   * the SDK had to retry, one dynagraph retries (leftover keys, conflicts), and a failure the
   * caller gets as an expected, typed outcome (throttled, a condition that did not hold, a
   * cancelled transaction); `error` for every other failed request.
   */
  level?: LogLevel | undefined;
  /**
   * A failed request: dynagraph's error code (`THROTTLED`, `OUTCOME_UNKNOWN`, `TABLE_NOT_FOUND`,
   * `CONDITION_FAILED`, `TRANSACTION_CANCELED`, …; see ErrorCode).
   */
  code?: string | undefined;
  /** A failed request: the SDK's error name, e.g. `ProvisionedThroughputExceededException`. */
  error?: string | undefined;
  /** HTTP attempts the SDK made for the request, its own retries included (`$metadata.attempts`). */
  attempts?: number | undefined;
}

/** Levels of log entries. */
export type LogLevel = 'debug' | 'warn' | 'error';

/**
 * A console-like (`debug(message, data)`) or pino-like (`debug(data, message)`, recognised
 * by its `child()` and `level`) logger, or a function receiving each entry. Each entry goes
 * to the method of its level (`debug`, `warn`, `error`; `debug` when the logger has no such
 * method); a pino-like logger's `isLevelEnabled()` is asked first, so disabled levels cost
 * nothing.
 */
export type Logger =
  | { debug(...args: any[]): void; warn?(...args: any[]): void; error?(...args: any[]): void; child?: unknown; level?: unknown; isLevelEnabled?: unknown }
  | ((entry: LogEntry) => void);

/** Something that watches requests: session stats, request budgets. */
export interface RequestObserver {
  /** Called before a request is sent; may throw to refuse it (a budget). `input` is the command's input. */
  before?(command: string, table: string | undefined, input: Record<string, unknown>): void;
  /** Called after a successful response; `input` is the object `before` saw. */
  after?(entry: LogEntry, output: Record<string, unknown>, input: Record<string, unknown>): void;
  /** Called when a request failed (after the SDK's own retries); `entry` is what is logged. */
  failed?(command: string, error: unknown, entry: LogEntry): void;
  /** Called when a request is retried by dynagraph (not the SDK). */
  retried?(command: string): void;
}

/** Commands that accept `ReturnConsumedCapacity`, by DynamoDB API name (see {@link apiName}). */
const CAPACITY_COMMANDS = new Set([
  'GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan',
  'BatchGetItem', 'BatchWriteItem', 'TransactWriteItems', 'TransactGetItems',
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

const NODE_NOTICE = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

/**
 * Builds an SDK client without the SDK's once-per-process notice that its releases after
 * January 2027 will need Node 22: dynagraph supports Node 20, and the notice asks nothing of
 * its users today. Setting `AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED` yourself (to
 * anything but `true`) keeps the notice.
 * @internal
 */
export function withoutNodeVersionNotice<T>(build: () => T): T {
  if (process.env[NODE_NOTICE] !== undefined) return build();
  process.env[NODE_NOTICE] = 'true';
  try {
    return build();
  } finally {
    delete process.env[NODE_NOTICE];
  }
}

/** Options for a {@link Connection}. */
export interface ConnectionOptions {
  client?: DynamoDBClient | undefined;
  endpoint?: string | undefined;
  region?: string | undefined;
  logger?: Logger | undefined;
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
  /** The client has the SDK's no-op logger: dynagraph's requests are spared its masking (see watchOutcomes). */
  private readonly skipsMasking: boolean;

  constructor(options: ConnectionOptions = {}) {
    this.client = options.client ?? withoutNodeVersionNotice(() => new DynamoDBClient({
      endpoint: options.endpoint,
      region: options.region ?? process.env.AWS_REGION ?? (options.endpoint ? 'local' : undefined),
      logger: quietSdkLogger,
      ...(options.endpoint && !process.env.AWS_ACCESS_KEY_ID ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    }));
    this.doc = DynamoDBDocumentClient.from(this.client, {
      marshallOptions: { removeUndefinedValues: true },
      unmarshallOptions: { wrapNumbers: wrapNumber },
    });
    this.logger = options.logger;
    // On the stack the document client really sends through (its client's, unless it had to substitute one).
    this.skipsMasking = watchOutcomes(this.doc);
  }

  /** Registers a watcher of every request; returns a function that removes it. */
  observe(observer: RequestObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /**
   * Sends one command. `scope` observers (a session's) see it in addition to the
   * connection-wide ones.
   * @internal
   */
  async send<O>(
    command: SendableCommand,
    meta: { channel: LogChannel; table?: string; scope?: readonly RequestObserver[] },
  ): Promise<O> {
    const commandName = apiName(command);
    const observers = meta.scope?.length ? [...this.observers, ...meta.scope] : this.observers;
    // Nobody watches or logs: no entry to build, no clock to read.
    const watched = this.logger !== undefined || (observers instanceof Set ? observers.size > 0 : observers.length > 0);
    const input = command.input as Record<string, unknown>;
    if (watched) for (const o of observers) o.before?.(commandName, meta.table, input);
    if (CAPACITY_COMMANDS.has(commandName) && input.ReturnConsumedCapacity === undefined) {
      input.ReturnConsumedCapacity = 'TOTAL';
    }
    if (this.skipsMasking) OWN_REQUESTS.add(input);
    const started = watched ? performance.now() : 0;
    let output: Record<string, unknown>;
    try {
      output = (await this.doc.send(command as never)) as Record<string, unknown>;
    } catch (err) {
      const wrapped = fromSdkError(err, commandName, meta.table, input.Key as Record<string, unknown> | undefined);
      const failure = failureEntry(meta.channel, commandName, meta.table, performance.now() - started, err, wrapped);
      for (const o of observers) o.failed?.(commandName, err, failure);
      this.log(failure);
      throw wrapped;
    }
    if (!watched) return output as O;
    const attempts = (output.$metadata as { attempts?: number } | undefined)?.attempts;
    const entry: LogEntry = {
      channel: meta.channel,
      command: commandName,
      table: meta.table,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      items: countItems(output),
      consumedCapacity: sumCapacity(output.ConsumedCapacity),
      level: attempts !== undefined && attempts > 1 ? 'warn' : 'debug',
      ...(attempts !== undefined && attempts > 1 ? { attempts, message: `after ${attempts} attempts` } : {}),
    };
    for (const o of observers) o.after?.(entry, output, input);
    this.log(entry);
    return output as O;
  }

  /** Tells observers that dynagraph retried a request (leftover keys, conflicts). */
  retried(command: string, scope?: readonly RequestObserver[]): void {
    for (const o of this.observers) o.retried?.(command);
    for (const o of scope ?? []) o.retried?.(command);
    this.log({ channel: command.startsWith('Transact') ? 'transactions' : 'database-access', command, level: 'warn', message: 'retried by dynagraph' });
  }

  /** Logs an entry on its channel. */
  log(entry: LogEntry): void {
    const logger = this.logger;
    if (!logger) return;
    if (typeof logger === 'function') return logger(entry);
    const level = entry.level ?? 'debug';
    const pinoLike = typeof logger.child === 'function' && logger.level !== undefined;
    if (pinoLike && typeof logger.isLevelEnabled === 'function' && !(logger.isLevelEnabled as (l: string) => boolean)(level)) return;
    const text = `[dynagraph:${entry.channel}] ${entry.command}${entry.table ? ` ${entry.table}` : ''}${entry.durationMs !== undefined ? ` ${entry.durationMs}ms` : ''}${entry.message ? ` ${entry.message}` : ''}`;
    // Called as a method: pino's methods need their `this`.
    const method = typeof logger[level] === 'function' ? level : 'debug';
    // pino-like loggers take the data object first; console-like ones the message first.
    if (pinoLike) logger[method]!(entry, text);
    else logger[method]!(text, entry);
  }
}

const API_NAMES: Record<string, string> = {
  Get: 'GetItem', Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem', TransactGet: 'TransactGetItems', TransactWrite: 'TransactWriteItems',
};

/** What the SDK knows of a command: its operation schema, `[9, namespace, operation, …]` or `{ name }`. */
type CommandMetadata = { schema?: unknown; clientCommand?: { schema?: unknown } };

/**
 * DynamoDB's API name of a command: `GetCommand` → `GetItem`, `CreateTableCommand` → `CreateTable`.
 * Read from the SDK's own operation metadata (a DocumentClient command's wrapped client
 * command), never from the class name alone: bundlers that minify rename classes, and
 * stats, logs and consumed capacity are keyed by this name.
 */
function apiName(command: SendableCommand): string {
  const c = command as unknown as CommandMetadata;
  const schema = (c.clientCommand ?? c).schema;
  const operation = Array.isArray(schema) ? schema[2] : (schema as { name?: unknown } | undefined)?.name;
  if (typeof operation === 'string' && operation) return operation;
  // SDK builds without operation schemas: the class name (exact unless a minifier renamed it).
  const base = command.constructor.name.replace(/Command$/, '');
  return API_NAMES[base] ?? base;
}

/** Failures the caller gets as expected, typed outcomes: logged as warnings. */
const EXPECTED_FAILURES = new Set(['THROTTLED', 'CONDITION_FAILED', 'TRANSACTION_CANCELED']);

/** The log entry of a failed request: code, SDK error name, attempts (from the SDK's `$metadata`). */
function failureEntry(channel: LogChannel, command: string, table: string | undefined, ms: number, err: unknown, wrapped: unknown): LogEntry {
  const raw = err as SdkFailure & { message?: string; $metadata?: { attempts?: number } };
  const name = raw?.name ?? 'Error';
  const code = wrapped instanceof DynagraphError ? wrapped.code : Object.hasOwn(MAPPED_BY_OPERATIONS, name) ? MAPPED_BY_OPERATIONS[name] : name;
  const attempts = raw?.$metadata?.attempts;
  const detail = raw?.message && raw.message !== name ? `: ${raw.message}` : '';
  return {
    channel, command, table,
    durationMs: Math.round(ms * 100) / 100,
    level: EXPECTED_FAILURES.has(code) ? 'warn' : 'error',
    code, error: name,
    ...(attempts !== undefined ? { attempts } : {}),
    message: `failed: ${code}${code !== name ? ` (${name})` : ''}${attempts !== undefined ? ` after ${attempts} attempt${attempts === 1 ? '' : 's'}` : ''}${detail}`,
  };
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
 * DynamoDB answered with a 5xx — and the first attempt may have been applied. One
 * middleware inside the SDK's retry loop sees every attempt: it records an unknown outcome
 * on the request's context and marks every later attempt's error with it, so the error the
 * retry loop gives up with (always its last attempt's) tells a write path "my condition
 * failed on my own earlier success" from "my condition failed".
 */
const WATCH = 'dynagraphOutcomeWatch';
/** Where the SDK's handler context keeps the command being sent (`SMITHY_CONTEXT_KEY` of @smithy/types). */
const SMITHY_CONTEXT = '__smithy_context';
/** Errors that say the request never left this machine (nothing to be unsure about). */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_INVALID_URL', 'CredentialsProviderError']);

/**
 * Whether a failed attempt may nevertheless have been applied by DynamoDB: no answer (a
 * dropped or timed-out connection), a 5xx, or a 2xx whose body was lost while being read.
 * Only a 4xx says the request was not applied.
 */
function attemptOutcomeUnknown(err: SdkFailure): boolean {
  const status = err?.$metadata?.httpStatusCode ?? err?.$response?.statusCode;
  if (typeof status === 'number') return status >= 500 || (status >= 200 && status < 300);
  return !NOT_SENT.has(err?.code ?? '') && !NOT_SENT.has(err?.name ?? '');
}

/** The inputs of the requests {@link Connection.send} is sending (the SDK's context gives a middleware the input, not its sender). */
const OWN_REQUESTS = new WeakSet<object>();
/** What the SDK's default logger is an instance of (its `NoOpLogger`), found once from a client built without one. */
let sdkDefaultLogger: object | null | undefined;

function defaultLoggerPrototype(): object | null {
  if (sdkDefaultLogger === undefined) {
    const probe = withoutNodeVersionNotice(() => new DynamoDBClient({ region: 'us-east-1' }));
    sdkDefaultLogger = (Object.getPrototypeOf(probe.config.logger) as object | null) ?? null;
    probe.destroy();
  }
  return sdkDefaultLogger;
}

/**
 * Installs the outcome middleware on a client (once; clients may be shared); `true` when
 * the client has the SDK's no-op logger. One middleware, not one per job: the SDK copies,
 * sorts and chains the whole client stack again for every request, and each middleware on
 * it cost a few µs of every request.
 *
 * It also spares dynagraph's own requests the SDK's unread masking: a client given no
 * logger has the SDK's no-op logger, which has an `info()`, so the SDK's logger middleware
 * copies and masks every request and response (the whole page of a query) for a log line
 * the no-op logger drops. Such a request's context is handed the same no-op logger without
 * `info()` at its first attempt, before the logger middleware (which reads the context's
 * logger once the request is answered) looks at it, so the walk is skipped and nothing a
 * logger would receive changes. A client with a real logger, and the client's other
 * requests, are left as they are.
 */
function watchOutcomes(client: Pick<DynamoDBClient, 'middlewareStack' | 'config'>): boolean {
  const logger = client.config.logger as { info?: unknown } | undefined;
  // Only a logger with info() costs the walk; the probe client is built only then.
  const noOp = typeof logger?.info === 'function' ? defaultLoggerPrototype() : null;
  const skips = noOp !== null && Object.getPrototypeOf(logger) === noOp;
  const stack = client.middlewareStack;
  if (stack.identify().some((m) => m.startsWith(WATCH))) return skips;
  stack.add((next, context) => (args) => {
    const c = context as { logger?: object; [SMITHY_CONTEXT]?: { commandInstance?: { input?: unknown } } };
    // The command's own input: at this step `args.input` is the DocumentClient's marshalled copy.
    if (noOp && c.logger && Object.getPrototypeOf(c.logger) === noOp && OWN_REQUESTS.has(c[SMITHY_CONTEXT]?.commandInstance?.input as object)) c.logger = quietSdkLogger;
    return onFailure(() => next(args), (err) => {
      const request = context as Record<symbol, unknown>;
      if (attemptOutcomeUnknown(err as SdkFailure)) request[RESENT] = true;
      if (request[RESENT] && err && typeof err === 'object') (err as SdkFailure)[RESENT] = true;
    });
  }, { step: 'deserialize', priority: 'high', name: WATCH });
  return skips;
}

/** `run()`, with `noted` told of its failure (a throw or a rejection) before it goes on; no async frame of its own on every request. */
function onFailure<T>(run: () => Promise<T>, noted: (err: unknown) => void): Promise<T> {
  let result: Promise<T>;
  try {
    result = run();
  } catch (err) {
    noted(err);
    return Promise.reject(err);
  }
  return result.then(undefined, (err: unknown) => {
    noted(err);
    throw err;
  });
}
