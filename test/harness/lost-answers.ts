/**
 * Lost answers on demand, below the real SDK: the request reaches DynamoDB Local and is
 * applied, then — optionally after something else happened meanwhile (another writer's
 * write) — the connection is "reset", so the SDK's retry loop resends it exactly as it
 * would after a real dropped connection.
 */
import { Readable } from 'node:stream';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { connectionReset, isRequest, operationOf, readBody, type HttpResponseLike } from '../../src/testing/http.js';

let names = 0;

/** Options of {@link loseAnswers}. */
export interface LoseAnswersOptions {
  /** The DynamoDB operation whose answers are lost, e.g. `PutItem`, or several. */
  operation: string | readonly string[];
  /** How many answers to lose (default 1; `Infinity`: no end). */
  times?: number;
  /**
   * Lose every `every`-th attempt of the operation(s) (default 1: each one, so the first
   * `times` attempts). A count, not a draw, so a test knows how many it lost.
   */
  every?: number;
  /**
   * `'after'` (default): applied, then the connection reset before the answer. `'body'`:
   * applied and answered 200, then the connection reset while the body is read. `'before'`:
   * the connection drops before the request is sent.
   */
  when?: 'after' | 'body' | 'before';
  /** Runs after the request was applied and before the SDK sees the reset (another writer's write). */
  between?: (lost: number) => Promise<void> | void;
}

/** A running answer-loser: how many answers it lost; `remove()` takes it off the client. */
export interface AnswerLoser {
  lost(): number;
  remove(): void;
}

/** Loses the answers of every `every`-th attempt of `operation` sent through `client`, `times` in all. */
export function loseAnswers(client: Pick<DynamoDBClient, 'middlewareStack'>, options: LoseAnswersOptions): AnswerLoser {
  const times = options.times ?? 1;
  const every = options.every ?? 1;
  const operations: readonly string[] = typeof options.operation === 'string' ? [options.operation] : options.operation;
  let seen = 0;
  let lost = 0;
  const name = `dynagraphTestLoseAnswers${++names}`;
  client.middlewareStack.add(
    ((next: (args: unknown) => Promise<{ response: unknown }>) => async (args: { request: unknown }) => {
      if (!isRequest(args.request) || !operations.includes(operationOf(args.request) ?? '') || lost >= times) return next(args);
      if (++seen % every !== 0) return next(args);
      lost++;
      if (options.when === 'before') {
        await options.between?.(lost);
        throw connectionReset();
      }
      const out = await next(args);
      await readBody((out.response as HttpResponseLike | undefined)?.body).catch(() => undefined);
      await options.between?.(lost);
      if (options.when === 'body') {
        (out.response as { body: unknown }).body = new Readable({ read() { this.destroy(connectionReset()); } });
        return out;
      }
      throw connectionReset();
    }) as never,
    { step: 'deserialize', priority: 'low', name },
  );
  return { lost: () => lost, remove: () => void client.middlewareStack.remove(name) };
}
