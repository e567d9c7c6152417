/**
 * A `requestHandler` that wraps the SDK's real NodeHttpHandler and sleeps before every
 * request (injected network latency), counting requests by operation and sequential
 * rounds: a round starts when a request is sent while none is in flight.
 */
import { Agent } from 'node:http';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { sleep } from './stats.js';

export interface Meter {
  requests: Record<string, number>;
  total: number;
  rounds: number;
}

export class LatencyHandler {
  private readonly inner: NodeHttpHandler;
  private inFlight = 0;
  meter: Meter = { requests: {}, total: 0, rounds: 0 };

  constructor(public latencyMs: number, maxSockets = 256) {
    // Sockets enough for every request of one round, so no contender waits on the pool.
    this.inner = new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets }) });
  }

  /** Starts counting afresh; returns the meter that will be filled. */
  reset(): Meter {
    this.meter = { requests: {}, total: 0, rounds: 0 };
    return this.meter;
  }

  async handle(request: { headers: Record<string, string> }, options?: object): Promise<any> {
    const target = request.headers['x-amz-target'] ?? '';
    const operation = target.slice(target.indexOf('.') + 1);
    const m = this.meter;
    m.requests[operation] = (m.requests[operation] ?? 0) + 1;
    m.total++;
    if (this.inFlight === 0) m.rounds++;
    this.inFlight++;
    try {
      if (this.latencyMs > 0) await sleep(this.latencyMs);
      return await this.inner.handle(request as never, options as never);
    } finally {
      this.inFlight--;
    }
  }

  updateHttpClientConfig(key: never, value: never): void {
    this.inner.updateHttpClientConfig(key, value);
  }
  httpHandlerConfigs(): object {
    return this.inner.httpHandlerConfigs();
  }
  destroy(): void {
    this.inner.destroy();
  }
}
