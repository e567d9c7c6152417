/**
 * Retrying leftovers (UnprocessedKeys / UnprocessedItems): exponential backoff with
 * full jitter (AWS's recommended scheme), up to a bound, then a typed error.
 */
import { DynagraphError } from '../errors.js';
import { BatchIncompleteError, type BatchOutcome } from './batch-errors.js';

/** How leftovers are retried. */
export interface RetryPolicy {
  /** Attempts in all, the first included. Default 10. */
  attempts: number;
  /** Base delay in ms; attempt n waits a random time in [0, min(max, base * 2^n)). Default 50. */
  baseDelayMs: number;
  /** Cap of one delay in ms. Default 5000. */
  maxDelayMs: number;
}

/** The default retry policy. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 10, baseDelayMs: 50, maxDelayMs: 5000 };

/** Waits the full-jitter delay of retry number `attempt` (1 for the first retry); an abort cuts it short. */
export function backoff(policy: RetryPolicy, attempt: number, signal?: AbortSignal): Promise<void> {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const ms = Math.random() * ceiling;
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * The first failure of a batch call: once it is recorded no request of the call is started
 * (requests in flight are let finish), and backoff waits end at once (`signal`).
 */
export class FirstFailure {
  private readonly controller = new AbortController();
  /** The first error recorded. */
  cause: unknown;
  /** Whether a failure was recorded. */
  failed = false;
  /** Aborted at the first failure. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }
  /** Records `err` unless a failure was recorded before. */
  fail(err: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.cause = err;
    this.controller.abort();
  }
}

/**
 * The one leftover-retry loop of the batch operations: `send` sends `pending` and returns
 * what DynamoDB left unprocessed (or `undefined` once it recorded a failure in `failure`);
 * the leftovers are sent again after a backoff until none are left. Resolves `true` when the
 * policy's bound was hit with leftovers.
 */
export async function untilProcessed<K>(
  policy: RetryPolicy, failure: FirstFailure, retried: () => void,
  first: readonly K[], send: (pending: readonly K[]) => Promise<readonly K[] | undefined>,
): Promise<boolean> {
  let pending = first;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) {
      retried();
      await backoff(policy, attempt, failure.signal);
    }
    // Never start a request after the call's first failure: what is left stays not done.
    if (failure.failed) return false;
    const rest = await send(pending);
    if (rest === undefined || rest.length === 0) return false;
    if (attempt + 1 >= policy.attempts) return true;
    pending = rest;
  }
}

/** Runs `tasks` with at most `limit` running at once; resolves with their results in order. */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, run: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (next < items.length && failed === undefined) {
      const i = next++;
      try {
        out[i] = await run(items[i], i);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed !== undefined) throw failed;
  return out;
}

/**
 * The error of a batch call whose request failed: a {@link BatchIncompleteError} listing
 * every entry — except a session's request budget refusing a call of which nothing was
 * done, which is that refusal itself (nothing to report but "nothing was sent").
 */
export function incompleteError(operation: string, outcome: BatchOutcome, cause: unknown): Error {
  const nothing = outcome.done.length === 0 && outcome.unknown.length === 0;
  if (nothing && cause instanceof DynagraphError && cause.code === 'REQUEST_BUDGET_EXCEEDED') return cause;
  return new BatchIncompleteError(operation, outcome, cause);
}
