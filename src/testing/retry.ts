/**
 * A fast SDK retry strategy for tests that inject faults (see `injectFaults`).
 * @module
 */

/** Options of {@link fastRetryStrategy}. */
export interface FastRetryOptions {
  /** Attempts per command, the first included. Default 10. */
  attempts?: number | undefined;
  /** Delay before each retry, in ms. Default 1. */
  delayMs?: number | undefined;
}

/**
 * An SDK retry strategy for tests that inject faults: a constant tiny delay and no retry
 * quota (the SDK's standard strategy stops retrying once its quota is spent, which a 30%
 * fault rate does in seconds). Retries what the standard strategy retries: throttling and
 * transient errors (500s, dropped connections). Pass it as the client's `retryStrategy`.
 */
export function fastRetryStrategy(options: FastRetryOptions = {}) {
  const attempts = options.attempts ?? 10;
  const delayMs = options.delayMs ?? 1;
  const token = (count: number) => ({ getRetryCount: () => count, getRetryDelay: () => delayMs });
  type Token = ReturnType<typeof token>;
  return {
    async acquireInitialRetryToken(_scope: string): Promise<Token> {
      return token(0);
    },
    async refreshRetryTokenForRetry(previous: Token, info: { errorType: string }): Promise<Token> {
      const retryable = info.errorType === 'THROTTLING' || info.errorType === 'TRANSIENT';
      if (!retryable || previous.getRetryCount() + 1 >= attempts) throw new Error('No retry token available');
      return token(previous.getRetryCount() + 1);
    },
    recordSuccess(_token: Token): void {},
  };
}
