/**
 * Dry runs: the requests an operation would send, built by the same pure builders its
 * sender uses, nothing sent. Each input is as the send point sends it (it adds
 * `ReturnConsumedCapacity: 'TOTAL'` to every command that takes it; see client.ts).
 */
import type {
  BatchGetCommandInput, BatchWriteCommandInput, DeleteCommandInput, GetCommandInput, PutCommandInput,
  QueryCommandInput, ScanCommandInput, TransactGetCommandInput, TransactWriteCommandInput, UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';

/** Command inputs by DynamoDB API name. */
export interface DryRunInputs {
  GetItem: GetCommandInput;
  PutItem: PutCommandInput;
  UpdateItem: UpdateCommandInput;
  DeleteItem: DeleteCommandInput;
  Query: QueryCommandInput;
  Scan: ScanCommandInput;
  BatchGetItem: BatchGetCommandInput;
  BatchWriteItem: BatchWriteCommandInput;
  TransactWriteItems: TransactWriteCommandInput;
  TransactGetItems: TransactGetCommandInput;
}

/**
 * One request an operation would send: the DynamoDB API name and the DocumentClient input
 * (native JS values; placeholders resolved in `ExpressionAttributeNames` / `…Values`).
 */
export type DryRunRequest = { [C in keyof DryRunInputs]: { command: C; input: DryRunInputs[C] } }[keyof DryRunInputs];

/** The request `command` would be sent as: a copy of `input` with what the send point adds. */
export function dryRun<C extends keyof DryRunInputs>(command: C, input: DryRunInputs[C]): { command: C; input: DryRunInputs[C] } {
  const sent = { ...input } as Record<string, unknown>;
  // Mirrors Connection.send: every command dynagraph sends here accepts ReturnConsumedCapacity.
  if (sent.ReturnConsumedCapacity === undefined) sent.ReturnConsumedCapacity = 'TOTAL';
  return { command, input: sent as DryRunInputs[C] };
}
