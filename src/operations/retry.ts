/**
 * Retrying leftovers (UnprocessedKeys / UnprocessedItems): exponential backoff with
 * full jitter (AWS's recommended scheme), up to a bound, then a typed error.
 */

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

/** Waits the full-jitter delay of retry number `attempt` (1 for the first retry). */
export function backoff(policy: RetryPolicy, attempt: number): Promise<void> {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const ms = Math.random() * ceiling;
  return new Promise((resolve) => setTimeout(resolve, ms));
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
