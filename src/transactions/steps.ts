/**
 * A delete too large for one transaction (more than 100 actions), run in steps with a
 * status record: `deleteInSteps(folder, { requesterId })`. Each step is ONE
 * TransactWriteItems of at most 100 actions that leaves the data consistent on its own —
 * a group of dependents deleted (with their own effects: nested cascades, counters on
 * other parents, and the parent's counter moved down with them) or a group of detaches —
 * and the last step deletes the item itself with whatever remains, together with its
 * status record marked `done`. A canceled step (a dependent changed meanwhile) is planned
 * again from fresh reads; any other failure leaves the record `running`, and calling
 * `deleteInSteps` again with the same requester resumes where it stopped.
 */
import { TransactionCanceledError, TransactionTooLargeError } from '../errors.js';
import { databaseOf } from '../model/binding.js';
import { effectActions } from '../model/effect-writes.js';
import { instanceFromItem, STATE, type ModelBase, type ModelClassRuntime } from '../model/instance.js';
import { keyOf, planEffects, type EffectPlan } from '../model/write-hooks.js';
import { allOf } from '../model/versioning.js';
import { applyWrite, logWrite, prepareSave } from '../model/writes.js';
import type { Database } from '../operations/context.js';
import { deleteParams, getItem } from '../operations/items.js';
import { MAX_TRANSACTION_ACTIONS, sendTransactWrite, type TransactAction } from '../operations/transactions.js';
import { TransactionRecord } from './record.js';

/** Options of {@link deleteInSteps}. */
export interface DeleteInStepsOptions {
  /** Who asks (the status record's hash key); the same requester resumes an unfinished run. */
  requesterId: string;
  /** Database to use (default: the instance's, then its model's binding). */
  db?: Database;
  /** Actions per step (default and at most 100). */
  maxActions?: number;
  /** Times a canceled step is planned and sent again before its error is thrown (default 5). */
  attempts?: number;
}

/** What {@link deleteInSteps} did. */
export interface DeleteInStepsResult {
  /** TransactWriteItems sent, the last one included. */
  steps: number;
  /** Dependents deleted (nested ones included). */
  deleted: number;
  /** Dependents detached. */
  detached: number;
  /** The status record, `done`. */
  record: TransactionRecord;
  /** `true` when an earlier, unfinished run of the same delete was resumed. */
  resumed: boolean;
}

type Step = { actions: TransactAction[]; done: (() => void)[]; deleted: number; detached: number };

function emptyPlan(): EffectPlan {
  return { conditions: [], restrictedBy: [], checks: [], counts: [], deletes: [], detaches: [] };
}

/** A step from a plan of dependent writes only. */
function stepOf(db: Database, plan: EffectPlan): Step {
  const { actions, done } = effectActions(db, plan);
  return { actions, done, deleted: plan.deletes.length, detached: plan.detaches.length };
}

/**
 * The next step short of the last: up to `limit` detaches, or the largest group of the
 * item's direct dependents whose deletes and own effects fit in `limit` actions.
 */
async function nextStep(db: Database, plan: EffectPlan, limit: number): Promise<Step> {
  if (plan.detaches.length) return stepOf(db, { ...emptyPlan(), detaches: plan.detaches.slice(0, limit) });
  const direct = plan.deletes.filter((d) => d.depth === 1);
  for (let n = Math.min(direct.length, limit); ;) {
    const group = direct.slice(0, n);
    const sub = await planEffects(db, group.map((d) => ({ subject: d.instance, event: 'delete' as const })));
    const step = stepOf(db, { ...sub, deletes: [...group.map((d, i) => ({ ...d, conditions: sub.conditions[i] })), ...sub.deletes] });
    if (step.actions.length <= limit) return step;
    if (n === 1) throw new TransactionTooLargeError(step.actions.length, limit);
    n = Math.max(1, Math.min(n - 1, Math.floor((n * limit) / step.actions.length)));
  }
}

async function unfinished(db: Database, requesterId: string, name: string): Promise<TransactionRecord | undefined> {
  const records = await TransactionRecord.query({ requesterId }, { db, consistent: true }).all();
  return records.find((r) => r.name === name && r.status === 'running');
}

/**
 * Deletes `target` with the effects of its edges (cascade, detach, counters), in as many
 * transactions of at most 100 actions as it takes; see the module comment. Refuses first
 * when an edge restricts (DeleteRestrictedError); a dependent too large for one step on its
 * own raises TransactionTooLargeError. Needs the TransactionRecord table.
 */
export async function deleteInSteps(target: ModelBase, options: DeleteInStepsOptions): Promise<DeleteInStepsResult> {
  const cls = target.constructor as ModelClassRuntime;
  const schema = cls.schema;
  const db = options.db ?? target[STATE].db ?? databaseOf(cls, cls.name);
  const limit = Math.min(options.maxActions ?? MAX_TRANSACTION_ACTIONS, MAX_TRANSACTION_ACTIONS);
  const key = keyOf(target);
  const name = `delete ${cls.name} ${JSON.stringify(key)}`;
  const found = await unfinished(db, options.requesterId, name);
  const record = found ?? new TransactionRecord({ requesterId: options.requesterId, datetime: new Date(), status: 'running', name, attempts: 0 });
  if (!found) await record.save({ db, overwrite: false });
  const result: DeleteInStepsResult = { steps: 0, deleted: 0, detached: 0, record, resumed: found !== undefined };
  for (let failures = 0; ;) {
    // Fresh each step: the item's counters moved with the dependents already deleted.
    const stored = await getItem(db, schema, key, { consistent: true });
    const subject = stored ? instanceFromItem(cls, stored, db) : undefined;
    const plan = subject ? await planEffects(db, [{ subject, event: 'delete' }]) : emptyPlan();
    const rest = stepOf(db, plan);
    let step: Step;
    let last = false;
    if (rest.actions.length + 2 <= limit) {
      last = true;
      record.status = 'done';
      record.attempts = result.steps + 1;
      const put = prepareSave(db, record);
      const own: TransactAction[] = stored
        ? [{ kind: 'delete', schema, name: cls.name, key, body: deleteParams(schema, db.tableName(schema), key, { condition: allOf(...plan.conditions[0]) }) as Record<string, unknown> }] : [];
      step = {
        actions: [...own, ...rest.actions, { kind: 'put', schema: put.schema, name: 'TransactionRecord', key: put.key, body: put.params as Record<string, unknown> }],
        done: [...rest.done, () => applyWrite(db, record, put.item, put.item), () => {
          target[STATE].stored = undefined;
          db.afterDelete?.(schema, key);
        }],
        deleted: rest.deleted, detached: rest.detached,
      };
    } else {
      step = await nextStep(db, plan, limit);
    }
    try {
      await sendTransactWrite(db, step.actions);
    } catch (err) {
      if (last) record.status = 'running';
      // A dependent changed or went between the read and the step: plan again from fresh reads.
      if (err instanceof TransactionCanceledError && ++failures < (options.attempts ?? 5)) continue;
      throw err;
    }
    for (const d of step.done) d();
    result.steps++;
    result.deleted += step.deleted;
    result.detached += step.detached;
    if (last) break;
  }
  logWrite(db, 'delete', schema, `in ${result.steps} step(s): ${result.deleted} deleted, ${result.detached} detached${result.resumed ? ' (resumed)' : ''}`);
  return result;
}
