/**
 * The HTTP side of fault injection: DynamoDB's JSON requests and responses as the SDK's
 * transport carries them, read and made without depending on @smithy packages.
 */

// The SDK's transport shapes, structurally (no dependency on @smithy packages).
export interface HttpRequestLike {
  method: string;
  headers: Record<string, string>;
  body?: unknown | undefined;
}
export interface HttpResponseLike {
  statusCode: number;
  headers: Record<string, string>;
  body?: unknown | undefined;
}

export const isRequest = (r: unknown): r is HttpRequestLike =>
  typeof r === 'object' && r !== null && typeof (r as HttpRequestLike).method === 'string' && typeof (r as HttpRequestLike).headers === 'object';

export function operationOf(request: HttpRequestLike): string | undefined {
  for (const [k, v] of Object.entries(request.headers)) if (k.toLowerCase() === 'x-amz-target') return String(v).split('.').pop();
  return undefined;
}

// The SDK's request body may be a Uint8Array subclass whose valueOf() is a string (and warns): read its bytes.
export const bytes = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

export function bodyText(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return bytes(body).toString('utf8');
  return undefined;
}

export function setBody(request: HttpRequestLike, text: string): void {
  request.body = text;
  for (const k of Object.keys(request.headers)) {
    if (k.toLowerCase() === 'content-length') request.headers[k] = String(Buffer.byteLength(text));
  }
}

export async function readBody(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return bytes(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

let requestIds = 0;
/** A response as DynamoDB would send it, never sent by DynamoDB. */
export function response(statusCode: number, body: Record<string, unknown>): { response: HttpResponseLike } {
  const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `DYNAGRAPHFAULT${++requestIds}` };
  const type = typeof body.__type === 'string' ? body.__type.split('#').pop()! : undefined;
  if (type) headers['x-amzn-errortype'] = type;
  return { response: { statusCode, headers, body: new Uint8Array(Buffer.from(JSON.stringify(body))) } };
}

export const error = (type: string, message: string, extra: Record<string, unknown> = {}) =>
  ({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message, ...extra });

export function connectionReset(): Error {
  return Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104, syscall: 'read' });
}

