/**
 * Clients for tests: pointed at the harness's DynamoDB, with short retry delays, and a
 * middleware that counts the commands sent so tests can assert round trips.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { localClientConfig } from '../../src/testing/index.js';

/** Options of {@link testClient}: any client config, plus the retry policy. */
export interface TestClientOptions extends DynamoDBClientConfig {
  /** Attempts per command, first included (default 3). */
  maxAttempts?: number;
  /** Delay before every retry, in ms (default 1). */
  retryDelayMs?: number;
}

/** The URL of the DynamoDB the tests run against. Throws if the harness did not set it. */
export function testEndpoint(): string {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) {
    throw new Error(
      'DYNAMODB_ENDPOINT is not set: run tests through mocha (test/harness/global.ts starts DynamoDB Local) ' +
        'or set DYNAMODB_ENDPOINT to a running DynamoDB.',
    );
  }
  return endpoint;
}

/**
 * A retry strategy with a constant tiny delay and no retry quota, so tests that provoke
 * throttling or transient faults run fast and deterministically. Retries what the SDK's
 * standard strategy retries: throttling and transient errors.
 */
class FastRetryStrategy {
  constructor(
    private readonly attempts: number,
    private readonly delayMs: number,
  ) {}
  async acquireInitialRetryToken(_scope: string): Promise<RetryToken> {
    return new RetryToken(0, 0);
  }
  async refreshRetryTokenForRetry(token: RetryToken, info: { errorType: string }): Promise<RetryToken> {
    const retryable = info.errorType === 'THROTTLING' || info.errorType === 'TRANSIENT';
    if (!retryable || token.getRetryCount() + 1 >= this.attempts) throw new Error('No retry token available');
    return new RetryToken(token.getRetryCount() + 1, this.delayMs);
  }
  recordSuccess(_token: RetryToken): void {}
}
class RetryToken {
  constructor(
    private readonly count: number,
    private readonly delay: number,
  ) {}
  getRetryCount(): number {
    return this.count;
  }
  getRetryDelay(): number {
    return this.delay;
  }
}

/**
 * The endpoint as a provider read at the first request: test files build their clients at
 * import time, and mocha imports them before the global setup has started DynamoDB Local.
 */
async function lazyEndpoint() {
  const url = new URL(testEndpoint());
  return { protocol: url.protocol, hostname: url.hostname, port: url.port ? Number(url.port) : undefined, path: url.pathname };
}

/** A DynamoDBClient for the harness's endpoint (DYNAMODB_ENDPOINT), retrying fast. */
export function testClient(options: TestClientOptions = {}): DynamoDBClient {
  const { maxAttempts = 3, retryDelayMs = 1, ...config } = options;
  return new DynamoDBClient({
    ...localClientConfig('http://unset.invalid'),
    endpoint: lazyEndpoint,
    maxAttempts,
    retryStrategy: new FastRetryStrategy(maxAttempts, retryDelayMs),
    ...config,
  });
}

/** What {@link countCommands} returns. */
export interface CommandCounter {
  /** Commands sent since the last reset, by name, e.g. `{ BatchGetItemCommand: 2 }`. */
  counts(): Record<string, number>;
  /** Names of the commands sent since the last reset, in order. */
  commands(): string[];
  /** Number of commands sent since the last reset. */
  total(): number;
  /** Forgets what was counted so far. */
  reset(): void;
  /** Removes the middleware from the client. */
  remove(): void;
}

let counters = 0;

/**
 * Counts every command sent through `client` (one per `send`, retries not included).
 * Works for a DynamoDBDocumentClient too, which shares its client's middleware stack
 * and reports the low-level names (`GetItemCommand`, ...).
 */
export function countCommands(client: Pick<DynamoDBClient, 'middlewareStack'>): CommandCounter {
  let sent: string[] = [];
  const name = `dynagraphTestCountCommands${++counters}`;
  client.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name },
  );
  return {
    counts: () => {
      const counts: Record<string, number> = {};
      for (const command of sent) counts[command] = (counts[command] ?? 0) + 1;
      return counts;
    },
    commands: () => [...sent],
    total: () => sent.length,
    reset: () => void (sent = []),
    remove: () => void client.middlewareStack.remove(name),
  };
}
