/**
 * Request accounting of a session: requests by command, items read, consumed capacity,
 * retries, and sequential rounds (a round starts when a request is sent while none is
 * in flight, so requests that overlap count as one round trip). Also the request budget.
 */
import type { LogEntry, RequestObserver } from '../client.js';
import { DynagraphError } from '../errors.js';

/** A session's request budget was about to be exceeded; raised before the request is sent. */
export class RequestBudgetExceededError extends DynagraphError {
  static { this.prototype.name = 'RequestBudgetExceededError'; }
  constructor(limit: number, command: string) {
    super('REQUEST_BUDGET_EXCEEDED', `request budget of ${limit} exceeded: refusing to send ${command} #${limit + 1}`);
  }
}

/** What a session has cost so far. */
export interface SessionStats {
  /** Requests sent, by DynamoDB command (`GetItem`, `BatchGetItem`, `Query`…). */
  requests: Record<string, number>;
  /** Requests sent in all. */
  totalRequests: number;
  /** Items returned by reads. */
  itemsRead: number;
  /** Capacity units consumed, as DynamoDB reported them. */
  consumedCapacity: number;
  /** Requests retried by dynagraph (leftover keys, conflicts). */
  retries: number;
  /** Sequential round trips: waves of requests with no overlap between waves. */
  rounds: number;
}

/** Counts requests for a session and enforces its budget. */
export class StatsRecorder implements RequestObserver {
  readonly stats: SessionStats = { requests: {}, totalRequests: 0, itemsRead: 0, consumedCapacity: 0, retries: 0, rounds: 0 };
  private inFlight = 0;

  constructor(private readonly maxRequests?: number) {}

  before(command: string): void {
    if (this.maxRequests !== undefined && this.stats.totalRequests >= this.maxRequests) throw new RequestBudgetExceededError(this.maxRequests, command);
    this.stats.totalRequests++;
    this.stats.requests[command] = (this.stats.requests[command] ?? 0) + 1;
    if (this.inFlight === 0) this.stats.rounds++;
    this.inFlight++;
  }

  after(entry: LogEntry): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (entry.items !== undefined && /Get|Query|Scan/.test(entry.command)) this.stats.itemsRead += entry.items;
    this.stats.consumedCapacity += entry.consumedCapacity ?? 0;
  }

  failed(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  retried(): void {
    this.stats.retries++;
  }
}
