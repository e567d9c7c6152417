/**
 * A `requestHandler` that answers every request with a canned DynamoDB JSON response,
 * so the real SDK stack (endpoint resolution, signing, retry, serializer, deserializer)
 * runs but no network does.
 */
import { HttpResponse } from '@smithy/core/transport';

const encoder = new TextEncoder();
const HEADERS = { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'bench' };

/** One request as captured: the DynamoDB operation and its JSON body. */
export interface Captured {
  operation: string;
  body: Record<string, any>;
}

export class StubHandler {
  /** Keep a parsed copy of every request body (setup only: parsing costs time). */
  capture = false;
  readonly captured: Captured[] = [];
  /** Requests seen, by operation. */
  readonly counts: Record<string, number> = {};
  private readonly responses = new Map<string, Uint8Array>();
  private readonly empty = encoder.encode('{}');

  /** Sets the canned response of an operation (`GetItem`, `PutItem`, `Query`…). */
  respond(operation: string, body: object): void {
    this.responses.set(operation, encoder.encode(JSON.stringify(body)));
  }

  handle(request: { headers: Record<string, string>; body?: unknown }): Promise<{ response: HttpResponse }> {
    const target = request.headers['x-amz-target'] ?? '';
    const operation = target.slice(target.indexOf('.') + 1);
    this.counts[operation] = (this.counts[operation] ?? 0) + 1;
    if (this.capture) this.captured.push({ operation, body: JSON.parse(typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body as Uint8Array)) });
    const body = this.responses.get(operation) ?? this.empty;
    return Promise.resolve({ response: new HttpResponse({ statusCode: 200, headers: { ...HEADERS, 'content-length': String(body.byteLength) }, body }) });
  }

  updateHttpClientConfig(): void {}
  httpHandlerConfigs(): Record<string, never> {
    return {};
  }
  destroy(): void {}
}
