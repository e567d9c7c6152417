/**
 * Fault injection for tests: what DynamoDB (Local) will not do on demand — throttle, leave
 * part of a batch unprocessed, drop the connection, answer 500, cancel a transaction for a
 * conflict, be slow — injected into a real `DynamoDBClient` through its middleware stack,
 * so the real SDK stack (serializers, signing, retries, deserializers) and the real
 * database still run.
 *
 * ```ts
 * const client = new DynamoDBClient({ ...localClientConfig(endpoint), retryStrategy: fastRetryStrategy({ attempts: 10 }) });
 * const faults = injectFaults(client, { rate: 0.3, seed: 42 });
 * const db = new Dynagraph({ client });
 * // ... run the code under test ...
 * faults.counts; // { throttle: 12, unprocessed: 4, unprocessedEntries: 173, ... }
 * faults.remove();
 * ```
 *
 * Faults are injected below the SDK's retry loop: throttling, 500s and dropped connections
 * are retried by the SDK (give it a fast retry strategy: `fastRetryStrategy()`);
 * unprocessed batch entries and transaction conflicts are answered as DynamoDB answers them,
 * and are for the application (dynagraph) to retry.
 * @module
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { bodyText, connectionReset, error, isRequest, operationOf, readBody, response, setBody, type HttpRequestLike, type HttpResponseLike } from './http.js';

/** The faults {@link injectFaults} can inject. */
export type FaultKind =
  /** `ProvisionedThroughputExceededException` (HTTP 400), not sent to DynamoDB; the SDK retries it. */
  | 'throttle'
  /**
   * BatchGetItem / BatchWriteItem: a random subset of the keys or writes is taken out of the
   * request before it is signed and sent, and returned as `UnprocessedKeys` /
   * `UnprocessedItems` — really not read, really not written.
   */
  | 'unprocessed'
  /** `ECONNRESET` before the request reaches DynamoDB; the SDK retries it. */
  | 'resetBefore'
  /**
   * `ECONNRESET` after DynamoDB executed the request: the write happened, the client sees an
   * error, and the SDK sends it again. Makes non-idempotent writes visible (an `ADD` applied
   * twice, a conditional write failing on its own earlier success).
   */
  | 'resetAfter'
  /** `InternalServerError` (HTTP 500), not sent to DynamoDB; the SDK retries it. */
  | 'serverError'
  /**
   * TransactWriteItems / TransactGetItems: `TransactionCanceledException` whose reasons are
   * `TransactionConflict` on one random action and `None` on the others; not sent.
   */
  | 'conflict'
  /** A delay (see {@link FaultOptions.latencyMs}) before the request is sent as usual. */
  | 'latency';

/** Every fault kind. */
export const FAULT_KINDS: readonly FaultKind[] = ['throttle', 'unprocessed', 'resetBefore', 'resetAfter', 'serverError', 'conflict', 'latency'];

/** How likely one kind is, relative to the others, and which operations it may hit. */
export interface FaultWeight {
  /** Relative weight (default 1; 0 disables the kind). */
  weight?: number | undefined;
  /** DynamoDB operations (`PutItem`, `Query`, ...) it may hit; default: every operation faults apply to. */
  operations?: readonly string[] | undefined;
}

/** Options of {@link injectFaults}. */
export interface FaultOptions {
  /** Probability that one HTTP attempt suffers a fault, from 0 to 1. Default 0.1. */
  rate?: number | undefined;
  /** Seed of the pseudo-random draws: the same seed and the same order of requests give the same faults. Default 1. */
  seed?: number | undefined;
  /**
   * The kinds to inject and their weights: a number (the weight) or {@link FaultWeight}.
   * Kinds left out are not injected. Default: every kind, weight 1. Each fault's kind is
   * drawn among the enabled kinds that apply to the operation.
   */
  kinds?: Partial<Record<FaultKind, number | FaultWeight>> | undefined;
  /**
   * Operations subject to faults. Default: the data-plane operations (GetItem, PutItem,
   * UpdateItem, DeleteItem, Query, Scan, BatchGetItem, BatchWriteItem, TransactGetItems,
   * TransactWriteItems); table administration is left alone.
   */
  operations?: readonly string[] | undefined;
  /** Share of a batch's entries left unprocessed by an `unprocessed` fault (each drawn independently, at least one). Default 0.5. */
  unprocessedShare?: number | undefined;
  /** Delay of a `latency` fault in ms: a fixed value or a `[min, max]` range. Default `[5, 50]`. */
  latencyMs?: number | readonly [number, number] | undefined;
  /** Told of every fault injected (for exact accounting in tests). */
  onFault?: ((fault: InjectedFault) => void) | undefined;
}

/** One injected fault, as reported to {@link FaultOptions.onFault}. */
export interface InjectedFault {
  kind: FaultKind;
  /** The DynamoDB operation, e.g. `BatchGetItem`. */
  operation: string;
  /**
   * For `unprocessed`: the entries held back, in DynamoDB's JSON form by table —
   * `{ Keys: [...] }` for BatchGetItem, `[{ PutRequest | DeleteRequest }]` for BatchWriteItem.
   */
  held?: Record<string, unknown> | undefined;
  /** For `unprocessed`: how many entries were held back. */
  entries?: number | undefined;
  /** For `latency`: the delay in ms. */
  delayMs?: number | undefined;
}

/** What an injector has done so far. */
export interface FaultCounts {
  /** HTTP attempts that were subject to faults (sent or not). */
  attempts: number;
  throttle: number;
  /** Batch requests answered with unprocessed entries. */
  unprocessed: number;
  /** Keys / writes left unprocessed, summed over those requests. */
  unprocessedEntries: number;
  resetBefore: number;
  resetAfter: number;
  serverError: number;
  conflict: number;
  latency: number;
}

/** A fault injector attached to a client; see {@link injectFaults}. */
export interface FaultInjector {
  /** A snapshot of what was injected so far. */
  readonly counts: FaultCounts;
  /** Faults injected so far, of every kind. */
  total(): number;
  /** Faults injected so far, by operation. */
  byOperation(): Record<string, number>;
  /** Zeroes the counts (the random sequence goes on). */
  reset(): void;
  /** `false` stops injecting (requests pass untouched) until set back to `true`. */
  enabled: boolean;
  /** Takes the injector's middleware off the client. */
  remove(): void;
}

/** The data-plane operations faults apply to by default. */
export const DATA_OPERATIONS: readonly string[] = [
  'GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchGetItem', 'BatchWriteItem', 'TransactGetItems', 'TransactWriteItems',
];

/** The operations each kind can apply to, when narrower than "any". */
const ONLY: Partial<Record<FaultKind, readonly string[]>> = {
  unprocessed: ['BatchGetItem', 'BatchWriteItem'],
  conflict: ['TransactWriteItems', 'TransactGetItems'],
};

/** A seeded pseudo-random generator (mulberry32): numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Handler = (args: { request: unknown; input: unknown }) => Promise<{ response: unknown; output?: unknown }>;
type Stack = Pick<DynamoDBClient, 'middlewareStack'>;

const PLAN: unique symbol = Symbol('dynagraph.faultPlan');
/** What the build step decided for a batch command, read by every attempt of it. */
interface Plan {
  /** The fault drawn for the first attempt (undefined: none). */
  first: FaultKind | undefined;
  used: boolean;
  /** Entries taken out of the request, by table (DynamoDB JSON). */
  held?: Record<string, unknown> | undefined;
  /** Every entry was held: the request is not sent at all. */
  allHeld?: boolean | undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let names = 0;

/**
 * Attaches a fault injector to `client` (a `DynamoDBClient`; a DynamoDBDocumentClient made
 * from it shares its middleware stack, so the client given to `new Dynagraph({ client })`
 * is the one to pass). Every HTTP attempt of an operation in `operations` draws once: with
 * probability `rate` it suffers one fault, of a kind drawn by weight among the enabled
 * kinds that apply to the operation. An `unprocessed` fault is drawn for a batch's first
 * attempt when the request is built, before it is signed, so the shortened request is the
 * one signed and sent (this works against real DynamoDB, not only DynamoDB Local).
 */
export function injectFaults(client: Stack, options: FaultOptions = {}): FaultInjector {
  const rate = options.rate ?? 0.1;
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`fault rate must be from 0 to 1, got ${rate}`);
  const share = options.unprocessedShare ?? 0.5;
  if (!(share > 0 && share <= 1)) throw new RangeError(`unprocessedShare must be above 0 and at most 1, got ${share}`);
  const random = seededRandom(options.seed ?? 1);
  const operations = new Set(options.operations ?? DATA_OPERATIONS);
  const kinds = (Object.entries(options.kinds ?? Object.fromEntries(FAULT_KINDS.map((k) => [k, 1]))) as [FaultKind, number | FaultWeight][])
    .map(([kind, w]) => {
      if (!FAULT_KINDS.includes(kind)) throw new RangeError(`unknown fault kind "${kind}"`);
      const { weight = 1, operations: ops } = typeof w === 'number' ? { weight: w } : w;
      const allowed = ops ?? ONLY[kind];
      const only = ONLY[kind];
      return { kind, weight, applies: (op: string) => (!allowed || allowed.includes(op)) && (!only || only.includes(op)) };
    })
    .filter((k) => k.weight > 0);
  const [minDelay, maxDelay] = typeof options.latencyMs === 'number' ? [options.latencyMs, options.latencyMs] : options.latencyMs ?? [5, 50];

  const zero = (): FaultCounts => ({ attempts: 0, throttle: 0, unprocessed: 0, unprocessedEntries: 0, resetBefore: 0, resetAfter: 0, serverError: 0, conflict: 0, latency: 0 });
  let counts = zero();
  let perOperation: Record<string, number> = {};
  const injector = { enabled: true } as FaultInjector;

  const record = (fault: InjectedFault): void => {
    counts[fault.kind]++;
    if (fault.entries) counts.unprocessedEntries += fault.entries;
    perOperation[fault.operation] = (perOperation[fault.operation] ?? 0) + 1;
    options.onFault?.(fault);
  };

  /** One draw: a fault kind for this attempt, or none. */
  const draw = (operation: string, allowUnprocessed: boolean): FaultKind | undefined => {
    const u = random();
    if (u >= rate) return undefined;
    const candidates = kinds.filter((k) => k.applies(operation) && (allowUnprocessed || k.kind !== 'unprocessed'));
    const sum = candidates.reduce((n, k) => n + k.weight, 0);
    if (sum === 0) return undefined;
    // Reuse the same draw, rescaled, so one attempt costs one random number for the decision.
    let pick = (u / rate) * sum;
    for (const k of candidates) {
      if (pick < k.weight) return k.kind;
      pick -= k.weight;
    }
    return candidates[candidates.length - 1].kind;
  };

  /** Takes a random subset of the batch's entries out of the request body; returns the plan. */
  const holdBack = (request: HttpRequestLike, operation: string): Plan => {
    const text = bodyText(request.body);
    const input = text ? (JSON.parse(text) as { RequestItems?: Record<string, unknown> }) : undefined;
    if (!input?.RequestItems) return { first: undefined, used: false };
    const entries: [table: string, entry: unknown][] = [];
    for (const [table, r] of Object.entries(input.RequestItems)) {
      const list = operation === 'BatchGetItem' ? (r as { Keys: unknown[] }).Keys : (r as unknown[]);
      for (const e of list) entries.push([table, e]);
    }
    if (entries.length === 0) return { first: undefined, used: false };
    const hold = entries.map(() => random() < share);
    if (!hold.includes(true)) hold[Math.floor(random() * hold.length)] = true;
    const held: Record<string, any> = {};
    const kept: Record<string, any> = {};
    entries.forEach(([table, entry], i) => {
      const into = hold[i] ? held : kept;
      if (operation === 'BatchGetItem') (into[table] ??= { ...(input.RequestItems![table] as object), Keys: [] }).Keys.push(entry);
      else (into[table] ??= []).push(entry);
    });
    const count = hold.filter(Boolean).length;
    const allHeld = count === entries.length;
    // A request with no entries is invalid: when all are held, nothing is sent (see the attempt).
    if (!allHeld) setBody(request, JSON.stringify({ ...input, RequestItems: kept }));
    return { first: 'unprocessed', used: false, held, allHeld };
  };

  /** Adds the held entries to a batch response (or makes one when nothing was sent). */
  const answerHeld = async (operation: string, plan: Plan, sent: HttpResponseLike | undefined): Promise<{ response: HttpResponseLike }> => {
    const field = operation === 'BatchGetItem' ? 'UnprocessedKeys' : 'UnprocessedItems';
    let body: Record<string, any> = operation === 'BatchGetItem' ? { Responses: {} } : {};
    if (sent) body = JSON.parse((await readBody(sent.body)).toString('utf8') || '{}');
    const rest: Record<string, any> = { ...(body[field] ?? {}) };
    for (const [table, h] of Object.entries(plan.held!)) {
      if (operation === 'BatchGetItem') rest[table] = { ...(h as object), Keys: [...(rest[table]?.Keys ?? []), ...(h as { Keys: unknown[] }).Keys] };
      else rest[table] = [...(rest[table] ?? []), ...(h as unknown[])];
    }
    body[field] = rest;
    if (!sent) return response(200, body);
    const text = JSON.stringify(body);
    const headers = { ...sent.headers };
    for (const k of Object.keys(headers)) {
      if (k.toLowerCase() === 'x-amz-crc32') delete headers[k];
      if (k.toLowerCase() === 'content-length') headers[k] = String(Buffer.byteLength(text));
    }
    return { response: { ...sent, headers, body: new Uint8Array(Buffer.from(text)) } };
  };

  const buildName = `dynagraphFaultsBuild${++names}`;
  const attemptName = `dynagraphFaultsAttempt${names}`;

  // Before signing (build step, outside the retry loop): decide a batch's first attempt.
  client.middlewareStack.add(
    ((next: Handler, context: Record<PropertyKey, unknown>) => async (args: { request: unknown; input: unknown }) => {
      const request = args.request;
      if (!injector.enabled || !isRequest(request)) return next(args);
      const operation = operationOf(request);
      if (operation !== 'BatchGetItem' && operation !== 'BatchWriteItem') return next(args);
      if (!operations.has(operation)) return next(args);
      const first = draw(operation, true);
      context[PLAN] = first === 'unprocessed' ? holdBack(request, operation) : ({ first, used: false } satisfies Plan);
      return next(args);
    }) as never,
    { step: 'build', priority: 'high', name: buildName },
  );

  // Every HTTP attempt (below the SDK's retry loop): inject, or pass.
  client.middlewareStack.add(
    ((next: Handler, context: Record<PropertyKey, unknown>) => async (args: { request: unknown; input: unknown }) => {
      const request = args.request;
      const plan = context[PLAN] as Plan | undefined;
      if (!isRequest(request)) return next(args);
      const operation = operationOf(request);
      if (!operation || !operations.has(operation)) return next(args);
      // Entries already taken out of the request stay out on every attempt, enabled or not.
      const heldAnswer = plan?.held ? (sent?: HttpResponseLike) => answerHeld(operation, plan, sent) : undefined;
      if (!injector.enabled) return heldAnswer ? passHeld(next, args, plan!, heldAnswer) : next(args);
      counts.attempts++;
      let kind: FaultKind | undefined;
      if (plan && !plan.used) {
        plan.used = true;
        kind = plan.first;
      } else {
        kind = draw(operation, false);
      }
      switch (kind) {
        case 'unprocessed': {
          const entries = Object.values(plan!.held!).reduce<number>((n, h) => n + (Array.isArray(h) ? h.length : (h as { Keys: unknown[] }).Keys.length), 0);
          record({ kind, operation, held: plan!.held, entries });
          return passHeld(next, args, plan!, heldAnswer!);
        }
        case 'throttle':
          record({ kind, operation });
          return response(400, error('ProvisionedThroughputExceededException', 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API. (injected)'));
        case 'serverError':
          record({ kind, operation });
          return response(500, error('InternalServerError', 'Internal server error (injected)'));
        case 'conflict': {
          record({ kind, operation });
          const input = JSON.parse(bodyText(request.body) ?? '{}') as { TransactItems?: unknown[] };
          const n = input.TransactItems?.length ?? 1;
          const victim = Math.floor(random() * n);
          const reasons = Array.from({ length: n }, (_, i) => (i === victim ? { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' } : { Code: 'None' }));
          return response(400, error('TransactionCanceledException', `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}] (injected)`, { CancellationReasons: reasons }));
        }
        case 'resetBefore':
          record({ kind, operation });
          throw connectionReset();
        case 'resetAfter': {
          const out = heldAnswer ? await passHeld(next, args, plan!, heldAnswer) : await next(args);
          // The request was executed; drain the answer so the socket is reusable, then lose it.
          await readBody((out.response as HttpResponseLike | undefined)?.body).catch(() => undefined);
          record({ kind, operation });
          throw connectionReset();
        }
        case 'latency': {
          const delayMs = Math.round(minDelay + random() * (maxDelay - minDelay));
          record({ kind, operation, delayMs });
          await sleep(delayMs);
          break;
        }
      }
      return heldAnswer ? passHeld(next, args, plan!, heldAnswer) : next(args);
    }) as never,
    { step: 'deserialize', priority: 'low', name: attemptName },
  );

  Object.defineProperties(injector, {
    counts: { get: () => ({ ...counts }), enumerable: true },
  });
  injector.total = () => FAULT_KINDS.reduce((n, k) => n + counts[k], 0);
  injector.byOperation = () => ({ ...perOperation });
  injector.reset = () => {
    counts = zero();
    perOperation = {};
  };
  injector.remove = () => {
    client.middlewareStack.remove(buildName);
    client.middlewareStack.remove(attemptName);
  };
  return injector;
}

/** Sends a batch request whose held-back entries are then added to the answer (or answers alone when all were held). */
async function passHeld(
  next: Handler,
  args: { request: unknown; input: unknown },
  plan: Plan,
  answer: (sent?: HttpResponseLike) => Promise<{ response: HttpResponseLike }>,
): Promise<{ response: unknown; output?: unknown }> {
  if (plan.allHeld) return answer();
  const out = await next(args);
  const sent = out.response as HttpResponseLike;
  return sent.statusCode === 200 ? { ...out, ...(await answer(sent)) } : out;
}
