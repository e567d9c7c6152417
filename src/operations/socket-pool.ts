/**
 * The default bound on parallel requests: the client's own socket pool. More requests at
 * once than the pool has sockets only queue inside the SDK's agent, and fewer leave sockets
 * idle — a level of 101 Queries on a pool of 256 then costs a second wave of latency for
 * nothing. So the bound is the `maxSockets` of the agent the client's `requestHandler`
 * really sends through (the SDK's NodeHttpHandler: 50 unless configured), `Infinity` when
 * that agent has no limit or the handler is not a socket pool at all, and 50 until it is known.
 */

/** The bound while the pool is not known yet: the SDK v3 NodeHttpHandler's default `maxSockets`. */
export const FALLBACK_CONCURRENCY = 50;

// Structural views of the SDK's handler (no dependency on @smithy packages).
interface AgentLike {
  maxSockets?: unknown;
}
interface HandlerConfigLike {
  httpAgent?: AgentLike;
  httpsAgent?: AgentLike;
  httpAgentProvider?: () => Promise<AgentLike>;
}
interface HandlerLike {
  handle?: unknown;
  httpHandlerConfigs?: () => HandlerConfigLike | undefined;
  configProvider?: Promise<HandlerConfigLike>;
}
interface ClientLike {
  config?: { requestHandler?: unknown; endpoint?: unknown };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** An agent's socket limit: a positive number (Infinity allowed), else `undefined`. */
function limitOf(agent: AgentLike | undefined): number | undefined {
  const n = agent?.maxSockets;
  return typeof n === 'number' && n >= 1 ? Math.floor(n) : undefined;
}

/**
 * The pool of a handler's resolved config: the plain-HTTP agent once it sent through one,
 * else (`https`) the TLS agent; `undefined` while the config is not resolved.
 */
function limitOfConfig(config: HandlerConfigLike | undefined, http: boolean | undefined): number | undefined {
  if (!isObject(config)) return undefined;
  if (config.httpAgent) return limitOf(config.httpAgent) ?? Infinity;
  if (http === false || (http === undefined && config.httpsAgent)) return config.httpsAgent ? (limitOf(config.httpsAgent) ?? Infinity) : undefined;
  return undefined;
}

/** Reads the socket pool of a DynamoDB client's requestHandler; {@link SocketPoolBound.get} is the bound. */
export class SocketPoolBound {
  #known: number | undefined;
  readonly #handler: HandlerLike | undefined;

  constructor(client: unknown) {
    const handler = isObject(client) ? (client as ClientLike).config?.requestHandler : undefined;
    this.#handler = isObject(handler) ? (handler as HandlerLike) : undefined;
    if (!this.#handler) return;
    // Neither a node:http(s) agent pool nor a wrapper that exposes one: nothing bounds the requests here.
    if (typeof this.#handler.httpHandlerConfigs !== 'function' && !(this.#handler.configProvider instanceof Promise)) {
      this.#known = Infinity;
      return;
    }
    // The handler resolves its agents asynchronously; read them as soon as they are.
    this.#resolve(client as ClientLike).then((n) => void (this.#known ??= n), () => undefined);
  }

  /** The bound now: the pool's `maxSockets` once known, else {@link FALLBACK_CONCURRENCY}. */
  get(): number {
    if (this.#known === undefined && this.#handler) {
      // A wrapping handler shows its inner handler's config once it has sent a request.
      const n = limitOfConfig(safe(() => this.#handler!.httpHandlerConfigs?.()), undefined);
      if (n !== undefined) this.#known = n;
    }
    return this.#known ?? FALLBACK_CONCURRENCY;
  }

  async #resolve(client: ClientLike): Promise<number | undefined> {
    const handler = this.#handler!;
    const endpoint = client.config?.endpoint;
    // Without an endpoint of their own, clients send to AWS over https.
    const url = typeof endpoint === 'function' ? await (endpoint as () => Promise<{ protocol?: string }>)() : undefined;
    const http = url?.protocol === 'http:';
    const config = (await handler.configProvider) ?? safe(() => handler.httpHandlerConfigs?.());
    if (!isObject(config)) return undefined;
    // The SDK makes its plain-HTTP agent on the first http request; making it now is the same agent (memoised).
    if (http && !config.httpAgent && typeof config.httpAgentProvider === 'function') return limitOf(await config.httpAgentProvider()) ?? Infinity;
    return limitOfConfig(config, http);
  }
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
