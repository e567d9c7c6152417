/**
 * Autoincrement keys (dynamodb-mapper's `autoincrement_int`): the next id of a table comes
 * from a counter item at a reserved key of that table, advanced with an atomic ADD; the new
 * item is then put on condition that its key is free. A put whose answer was lost and whose
 * resend finds the very item it wrote has landed (see lost-answers.ts): one save is one item,
 * under one id. See `ModelDefinition.autoincrement`
 * for the cost and when not to use it.
 */
import { UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { ItemExistsError, OutcomeUnknownError } from '../errors.js';
import { backoff } from '../operations/retry.js';
import { ExpressionAttributes } from '../expressions/placeholders.js';
import { add, compileUpdate } from '../expressions/update.js';
import { path } from '../expressions/path.js';
import type { Database } from '../operations/context.js';
import type { ModelSchema } from '../schema/model-schema.js';

/** The hash key of the counter item; ids start at 1. */
export const COUNTER_KEY = -1;
/** The attribute of the counter item holding the last id handed out. */
export const COUNTER_ATTRIBUTE = '_lastId';
/** Ids tried before giving up when explicitly written items keep taking the next id. */
const MAX_ATTEMPTS = 20;

/** Params of the UpdateItem that advances the table's counter (an atomic ADD of 1). */
export function counterParams(db: Database, schema: ModelSchema): UpdateCommandInput {
  const attrs = new ExpressionAttributes();
  const update = compileUpdate([add(path(COUNTER_ATTRIBUTE), 1)], attrs);
  return { TableName: db.tableName(schema), Key: { [schema.hash]: COUNTER_KEY }, UpdateExpression: update, ReturnValues: 'UPDATED_NEW', ...attrs.toParams() };
}

/**
 * Advances the table's counter atomically and returns the new id. A lost answer may apply
 * the ADD twice, or leave its outcome unknown; either way an id is only skipped, never
 * handed out twice, so an unknown outcome is simply asked again.
 */
export async function nextId(db: Database, schema: ModelSchema): Promise<number> {
  const params = counterParams(db, schema);
  const table = params.TableName!;
  for (let attempt = 1; ; attempt++) {
    try {
      const out = await db.connection.send<{ Attributes?: Record<string, unknown> }>(new UpdateCommand({ ...params }), { channel: 'database-access', table, scope: db.scope });
      return Number(out.Attributes![COUNTER_ATTRIBUTE]);
    } catch (err) {
      if (!(err instanceof OutcomeUnknownError) || attempt >= db.retry.attempts) throw err;
      db.connection.retried('UpdateItem', db.scope);
      await backoff(db.retry, attempt);
    }
  }
}

/**
 * Gives a new instance the next id and saves it with `put` (which must be conditional on the
 * key being free). An id already taken by an explicitly keyed item is skipped for the next.
 * Returns the id used.
 */
export async function saveWithNextId(db: Database, schema: ModelSchema, values: Record<string, unknown>, put: () => Promise<void>): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const id = await nextId(db, schema);
    values[schema.hash] = id;
    try {
      await put();
      db.connection.log({ channel: 'model', command: 'autoincrement', message: `${schema.name} id ${id}` });
      return id;
    } catch (err) {
      if (!(err instanceof ItemExistsError) || attempt >= MAX_ATTEMPTS) {
        // After an unknown outcome the item may be stored under this id: the instance keeps it.
        if (!(err instanceof OutcomeUnknownError)) delete values[schema.hash];
        throw err;
      }
      db.connection.retried('PutItem', db.scope);
    }
  }
}
