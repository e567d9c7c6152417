/**
 * Fault injection and request spying through SDK middleware, so the real SDK stack and
 * the real DynamoDB still run: what DynamoDB Local will not do on demand (leave keys of
 * a BatchGetItem or writes of a BatchWriteItem unprocessed) is done here.
 *
 * The middleware sits at the `initialize` step, where a DocumentClient command's input
 * and output are in document form (plain values): held-back keys are removed from the
 * request before it is sent and returned as `UnprocessedKeys` / `UnprocessedItems`,
 * exactly as DynamoDB reports work it did not do.
 */
import { seededRandom } from '../../src/testing/index.js';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

type Stack = Pick<DynamoDBClient, 'middlewareStack'>;
type Doc = Record<string, unknown>;

let names = 0;

/** A seeded pseudo-random generator (mulberry32), so injected faults are reproducible. */
export const seeded = seededRandom;

/** One recorded command: its name and a deep copy of its (document-form) input. */
export interface Recorded {
  command: string;
  input: Doc;
}

/** Records every command sent through `client`; returns the live list and a remover. */
export function recordInputs(client: Stack): { sent: Recorded[]; remove(): void } {
  const sent: Recorded[] = [];
  const name = `dynagraphTestRecord${++names}`;
  client.middlewareStack.add(
    (next, context) => (args) => {
      sent.push({ command: context.commandName ?? 'unknown', input: structuredClone(args.input as Doc) });
      return next(args);
    },
    { step: 'initialize', name },
  );
  return { sent, remove: () => void client.middlewareStack.remove(name) };
}

/**
 * Runs `body` while every `command` (`'BatchGetItemCommand'`) sent through `client` fails
 * before it is sent, with a ValidationException saying `message`; the failure is removed after.
 */
export async function whileFailing<T>(client: Stack, command: string, message: string, body: () => Promise<T>): Promise<T> {
  const name = `dynagraphTestFailing${++names}`;
  client.middlewareStack.add((next, context) => async (args) => {
    if (context.commandName === command) throw Object.assign(new Error(message), { name: 'ValidationException', $metadata: {} });
    return next(args);
  }, { step: 'initialize', name });
  try {
    return await body();
  } finally {
    client.middlewareStack.remove(name);
  }
}

/** Decides, per table and key (or written item), whether DynamoDB "leaves it unprocessed" this time. */
export type Hold = (table: string, key: Doc) => boolean;

/** What an injector saw: how many keys or writes it held back in all. */
export interface Injector {
  held(): number;
  remove(): void;
}

/** Moves the keys `hold` picks from every BatchGetItem request into `UnprocessedKeys`. */
export function unprocessedKeys(client: Stack, hold: Hold): Injector {
  let held = 0;
  const name = `dynagraphTestUnprocessedKeys${++names}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'BatchGetItemCommand') return next(args);
      const input = args.input as { RequestItems: Record<string, Doc & { Keys: Doc[] }> };
      const send: Record<string, Doc> = {};
      const back: Record<string, Doc & { Keys: Doc[] }> = {};
      for (const [table, request] of Object.entries(input.RequestItems)) {
        for (const key of request.Keys) {
          const into = hold(table, key) ? back : send;
          ((into[table] ??= { ...request, Keys: [] }) as { Keys: Doc[] }).Keys.push(key);
        }
      }
      held += Object.values(back).reduce((n, r) => n + r.Keys.length, 0);
      const result = Object.keys(send).length
        ? await next({ ...args, input: { ...input, RequestItems: send } })
        : { output: { Responses: {}, $metadata: {} }, response: {} };
      const output = result.output as { UnprocessedKeys?: Record<string, Doc & { Keys: Doc[] }> };
      const rest = { ...(output.UnprocessedKeys ?? {}) };
      for (const [table, r] of Object.entries(back)) rest[table] = { ...r, Keys: [...(rest[table]?.Keys ?? []), ...r.Keys] };
      output.UnprocessedKeys = rest;
      return result;
    },
    { step: 'initialize', name },
  );
  return { held: () => held, remove: () => void client.middlewareStack.remove(name) };
}

type SdkWrite = { PutRequest?: { Item: Doc }; DeleteRequest?: { Key: Doc } };

/** Moves the writes `hold` picks (by the put item or deleted key) from every BatchWriteItem into `UnprocessedItems`. */
export function unprocessedItems(client: Stack, hold: Hold): Injector {
  let held = 0;
  const name = `dynagraphTestUnprocessedItems${++names}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'BatchWriteItemCommand') return next(args);
      const input = args.input as { RequestItems: Record<string, SdkWrite[]> };
      const send: Record<string, SdkWrite[]> = {};
      const back: Record<string, SdkWrite[]> = {};
      for (const [table, writes] of Object.entries(input.RequestItems)) {
        for (const w of writes) {
          const into = hold(table, w.PutRequest?.Item ?? w.DeleteRequest!.Key) ? back : send;
          (into[table] ??= []).push(w);
        }
      }
      held += Object.values(back).reduce((n, list) => n + list.length, 0);
      const result = Object.keys(send).length
        ? await next({ ...args, input: { ...input, RequestItems: send } })
        : { output: { $metadata: {} }, response: {} };
      const output = result.output as { UnprocessedItems?: Record<string, SdkWrite[]> };
      const rest = { ...(output.UnprocessedItems ?? {}) };
      for (const [table, list] of Object.entries(back)) rest[table] = [...(rest[table] ?? []), ...list];
      output.UnprocessedItems = rest;
      return result;
    },
    { step: 'initialize', name },
  );
  return { held: () => held, remove: () => void client.middlewareStack.remove(name) };
}
