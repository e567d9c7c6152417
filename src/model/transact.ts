/**
 * Transactions over model instances: `db.transactWrite(tx => { tx.put(a); tx.update(b, {...});
 * tx.delete(c); tx.check(d, cond) })` compiles every action exactly as the single-item write
 * would (validation, version conditions included) and sends them in one TransactWriteItems;
 * `db.transactGet([[Model, key], ...])` reads a consistent snapshot as instances.
 */
import type { Condition } from '../expressions/condition-ast.js';
import { TransactionTooLargeError, ValidationError } from '../errors.js';
import type { Database } from '../operations/context.js';
import { deleteParams, getItem } from '../operations/items.js';
import { createWrite, deleteWrite, effectError, expandTransaction, type TransactionOwn } from './effect-writes.js';
import { hasWriteEffects } from './write-hooks.js';
import { checkedTransactWriteParams, checkParams, MAX_TRANSACTION_ACTIONS, sendTransactGet, sendTransactWrite, transactGetParams, type TransactAction, type TransactGet } from '../operations/transactions.js';
import { dryRun, type DryRunRequest } from '../operations/dry-run.js';
import { updateParams } from '../operations/update.js';
import { instanceFromItem, ModelBase, STATE, type ModelClassRuntime } from './instance.js';
import type { AnyModel, KeyOf, PersistentModel, ValuesOfModel } from './model.js';
import { isOf } from './reads.js';
import { applyActions, specActions, type AnyUpdateSpec } from './update-spec.js';
import { timestampActions } from './timestamps.js';
import { allOf, planByKey, planVersion, type VersionOptions } from './versioning.js';
import type { UpdateSpecOf, UpdateSpecOfModel, ValuesOfInstance } from './write-types.js';
import { applyWrite, prepareInstanceUpdate, prepareSave, versionActions, type SaveOptions } from './writes.js';
import { markedAfterUpdate, type WriteMark } from './versioning.js';

/** Options of `tx.put(instance)`: those of `save()` that make sense in a transaction. */
export type TransactPutOptions = Pick<SaveOptions, 'overwrite' | 'expect' | 'condition' | 'ignoreVersion' | 'partial' | 'expectUnchanged'>;

/** Options of `tx.update()`, `tx.delete()` and `tx.check()`. */
export interface TransactItemOptions<T = any> extends VersionOptions {
  /** Expected stored values. */
  expect?: Condition<T> | undefined;
  /** Any condition guarding the action. */
  condition?: Condition<T> | undefined;
  /** By key, on a versioned model: require this stored version. */
  expectVersion?: number | undefined;
}

/** Options of `db.transactWrite()`. */
export interface TransactWriteOptions {
  /**
   * Idempotency token (ClientRequestToken, 1 to 36 characters): a transaction sent again
   * with the same token within 10 minutes is applied once — use your request's id. Generated
   * when omitted; kept across retries of a conflict.
   */
  token?: string | undefined;
}

/** What `db.transactWrite()` reports. */
export interface TransactWriteResult {
  /** The idempotency token used. */
  token: string;
  /** Number of actions sent. */
  actions: number;
}

type KeyTarget = readonly [AnyModel, object];

function isInstance(target: unknown): target is ModelBase {
  return target instanceof ModelBase;
}

/** Collects the actions of one write transaction; every action is validated as it is added. */
export class TransactionWriter {
  /** @internal The compiled actions, in the order added. */
  readonly actions: TransactAction[] = [];
  readonly #done: (() => void)[] = [];
  /** @internal Creates and deletes whose edges act on them (see effect-writes.ts). */
  readonly owns: TransactionOwn[] = [];

  constructor(private readonly db: Database) {}

  /** @internal Replaces an action (with the conditions its edges add). */
  replace(index: number, action: TransactAction, done: () => void): void {
    this.actions[index] = action;
    this.#done[index] = done;
  }

  /** @internal Adds an action of an edge (a check, a counter, a dependent). */
  append(action: TransactAction, done: () => void): void {
    this.#push(action, done);
  }

  /** Number of actions so far (DynamoDB accepts at most 100). */
  get size(): number {
    return this.actions.length;
  }

  #push(action: TransactAction, done: () => void): this {
    this.actions.push(action);
    this.#done.push(done);
    return this;
  }

  /**
   * Puts an instance (or, with `partial`, updates only what changed). A versioned instance
   * is checked and advanced exactly as by `save()`; an unchanged partial save of a versioned
   * instance still checks its version.
   */
  put<T extends PersistentModel>(instance: T, options: TransactPutOptions = {}): this {
    const db = this.db;
    const cls = instance.constructor as ModelClassRuntime;
    const prepared = prepareSave(db, instance, options);
    const event = instance[STATE].stored ? 'update' : 'create';
    if (hasWriteEffects(cls, event) && !prepared.keyChanged.length && prepared.kind !== 'none') {
      const own = createWrite(db, instance, options, event);
      this.owns.push({ index: this.actions.length, event, resolve: async () => own });
    }
    const base = { schema: prepared.schema, name: cls.name, key: prepared.key, instance, toInstance: (item: Record<string, unknown>) => instanceFromItem(cls, item, db), expectedVersion: prepared.plan?.expected };
    if (prepared.kind === 'none') {
      if (!prepared.plan?.guard) return this;
      return this.#push({ ...base, kind: 'check', body: checkParams(prepared.schema, prepared.table, prepared.key, prepared.plan.guard) }, () => {});
    }
    return this.#push({ ...base, kind: prepared.kind, body: prepared.params as Record<string, unknown> }, () => applyWrite(db, instance, prepared.item, prepared.item));
  }

  /** Updates an instance's item (conditional on its loaded version) or an item by `[Model, key]`. */
  update<T extends PersistentModel>(target: T, spec: UpdateSpecOf<T>, options?: TransactItemOptions<ValuesOfInstance<T>>): this;
  update<M extends AnyModel>(target: readonly [M, KeyOf<M>], spec: UpdateSpecOfModel<M>, options?: TransactItemOptions<ValuesOfModel<M>>): this;
  update(target: ModelBase | KeyTarget, spec: AnyUpdateSpec, options: TransactItemOptions = {}): this {
    const db = this.db;
    if (isInstance(target)) {
      const cls = target.constructor as ModelClassRuntime;
      const schema = cls.schema;
      const { params, plan, actions, key, mark } = prepareInstanceUpdate(db, target, spec, options);
      return this.#push(
        { kind: 'update', schema, name: cls.name, key, body: params as Record<string, unknown>, instance: target, toInstance: (i) => instanceFromItem(cls, i, db), expectedVersion: plan?.guard ? plan.expected : undefined },
        () => afterLocalUpdate(db, target, actions, plan?.increment ? undefined : plan?.next, mark),
      );
    }
    const [model, keyInput] = target as unknown as [ModelClassRuntime, Record<string, unknown>];
    const schema = model.schema;
    const key = schema.key(keyInput);
    const plan = planByKey(schema, options.ignoreVersion ? undefined : options.expectVersion);
    const params = updateParams(schema, db.tableName(schema), {
      key, actions: [...specActions(schema, spec), ...timestampActions(schema, new Date(), { spec })], storedActions: versionActions(plan),
      guards: { expect: options.expect, condition: allOf(options.condition, plan?.guard) }, mustExist: true,
    });
    return this.#push(
      { kind: 'update', schema, name: model.name, key, body: params as Record<string, unknown>, toInstance: (i) => instanceFromItem(model, i, db), expectedVersion: plan?.expected },
      () => db.afterWrite?.(schema, key),
    );
  }

  /** Deletes an instance's item (conditional on its loaded version) or an item by `[Model, key]`. */
  delete<T extends PersistentModel>(target: T, options?: TransactItemOptions<ValuesOfInstance<T>>): this;
  delete<M extends AnyModel>(target: readonly [M, KeyOf<M>], options?: TransactItemOptions<ValuesOfModel<M>>): this;
  delete(target: ModelBase | KeyTarget, options: TransactItemOptions = {}): this {
    const db = this.db;
    const { model, key, plan, instance } = this.#target(target, options);
    const schema = model.schema;
    const body = deleteParams(schema, db.tableName(schema), key, { expect: options.expect, condition: allOf(options.condition, plan?.guard) });
    if (hasWriteEffects(model, 'delete')) {
      const built = { key, guards: { expect: options.expect, condition: allOf(options.condition, plan?.guard) }, expectedVersion: plan?.expected };
      const stored = instance?.[STATE].stored;
      this.owns.push({
        index: this.actions.length,
        event: 'delete',
        // By key: its edges need its attributes, so the item is read (consistently) first.
        resolve: async () => {
          const item = instance ? stored : await getItem(db, schema, key, { consistent: true });
          return item || instance ? deleteWrite(db, model, { instance, stored: item }, built) : undefined;
        },
      });
    }
    return this.#push(
      { kind: 'delete', schema, name: model.name, key, body: body as Record<string, unknown>, instance, toInstance: (i) => instanceFromItem(model, i, db), expectedVersion: plan?.expected },
      () => {
        if (instance) instance[STATE].stored = undefined;
        db.afterDelete?.(schema, key);
      },
    );
  }

  /**
   * Makes the transaction conditional on another item without writing it: `condition`
   * (and, for a loaded versioned instance, its version) must hold at commit.
   */
  check<T extends PersistentModel>(target: T, condition?: Condition<ValuesOfInstance<T>>, options?: TransactItemOptions<ValuesOfInstance<T>>): this;
  check<M extends AnyModel>(target: readonly [M, KeyOf<M>], condition?: Condition<ValuesOfModel<M>>, options?: TransactItemOptions<ValuesOfModel<M>>): this;
  check(target: ModelBase | KeyTarget, condition?: Condition, options: TransactItemOptions = {}): this {
    const db = this.db;
    const { model, key, plan, instance } = this.#target(target, options);
    const schema = model.schema;
    const guard = allOf(options.expect, condition, options.condition, plan?.guard);
    if (!guard) throw new ValidationError(schema.name, [{ path: '(check)', message: 'a transaction check needs a condition (or a loaded versioned instance)' }]);
    const body = checkParams(schema, db.tableName(schema), key, guard);
    return this.#push({ kind: 'check', schema, name: model.name, key, body, instance, toInstance: (i) => instanceFromItem(model, i, db), expectedVersion: plan?.expected }, () => {});
  }

  #target(target: ModelBase | KeyTarget, options: TransactItemOptions) {
    if (isInstance(target)) {
      const model = target.constructor as ModelClassRuntime;
      const stored = target[STATE].stored;
      const key = stored ? model.schema.keyOfItem(stored) : model.schema.key(target as unknown as Record<string, unknown>);
      const plan = stored ? planVersion(model.schema, stored, options) : undefined;
      return { model, key, plan, instance: target };
    }
    const [model, keyInput] = target as unknown as [ModelClassRuntime, Record<string, unknown>];
    const plan = options.ignoreVersion ? undefined : planByKey(model.schema, options.expectVersion);
    return { model, key: model.schema.key(keyInput), plan: plan?.guard ? plan : undefined, instance: undefined };
  }

  /** @internal Records the committed actions on their instances and tells the write hooks. */
  committed(): void {
    for (const done of this.#done) done();
  }
}

/**
 * After a transaction's update of an instance (transactions return no values): the update
 * is applied to the instance and to its snapshot in memory — exact for a versioned
 * instance, whose version check proved the snapshot was the stored item.
 */
function afterLocalUpdate(db: Database, instance: ModelBase, actions: Parameters<typeof applyActions>[2], version: number | undefined, mark?: WriteMark): void {
  const schema = (instance.constructor as ModelClassRuntime).schema;
  const self = instance as unknown as Record<string, unknown>;
  const stored = instance[STATE].stored;
  const next = stored ? schema.decode(stored) : { ...self };
  applyActions(schema, next, actions);
  applyActions(schema, self, actions);
  if (schema.version !== undefined && version !== undefined) next[schema.version] = self[schema.version] = version;
  try {
    // The write marks and lineage stay in the snapshot: the next write carries and checks them.
    applyWrite(db, instance, markedAfterUpdate(schema.encode(next), mark, stored), stored);
  } catch {
    // The local picture cannot be rebuilt (an update of free-form data): forget the snapshot's copy.
    db.afterWrite?.(schema, schema.keyOfItem(stored ?? schema.key(self)));
  }
}

/** Runs `build` to collect the actions, checks them, and commits them in one TransactWriteItems. */
export async function transactWrite(db: Database, build: (tx: TransactionWriter) => void | Promise<void>, options: TransactWriteOptions = {}): Promise<TransactWriteResult> {
  const tx = new TransactionWriter(db);
  await build(tx);
  // Edges acting on the creates and deletes (checks, counters, dependents) join the same transaction.
  const roles = await expandTransaction(db, tx);
  let token: string;
  try {
    token = await sendTransactWrite(db, tx.actions, { token: options.token });
  } catch (err) {
    throw roles ? effectError(err, roles) : err;
  }
  tx.committed();
  db.connection.log({ channel: 'model', command: 'transactWrite', message: `${tx.size} actions committed (token ${token})` });
  return { token, actions: tx.size };
}

/**
 * Dry run of `db.transactWrite()`: runs `build`, checks the actions and returns the
 * TransactWriteItems it would send; nothing is sent and no instance changes. The checks
 * and counts of creates and saves are included; the effects of deletes are not (finding
 * the dependents takes reads). The
 * idempotency token is random unless `options.token` is given (a real run then sends the
 * same input). Asynchronous only because `build` may be.
 */
export async function transactWriteRequests(db: Database, build: (tx: TransactionWriter) => void | Promise<void>, options: TransactWriteOptions = {}): Promise<DryRunRequest[]> {
  const tx = new TransactionWriter(db);
  await build(tx);
  await expandTransaction(db, tx, { readsAllowed: false });
  return [dryRun('TransactWriteItems', checkedTransactWriteParams(tx.actions, options.token))];
}

/** Targets of `db.transactGet()`: `[Model, key]` pairs. */
export type TransactGetTargets = readonly (readonly [AnyModel, object])[];

/** Result of `db.transactGet()`: an instance or `null` per target, in order. */
export type TransactGetResult<T extends TransactGetTargets> = { -readonly [I in keyof T]: T[I] extends readonly [infer M extends AnyModel, any] ? InstanceType<M> | null : never };

/** Checks each target's key against its model. */
export type CheckedTargets<T extends TransactGetTargets> = { [I in keyof T]: T[I] extends readonly [infer M extends AnyModel, any] ? readonly [M, KeyOf<M>] : T[I] };

function transactGets(targets: TransactGetTargets): TransactGet[] {
  return targets.map(([m, k]) => ({ schema: m.schema, key: m.schema.key(k as Record<string, unknown>) }));
}

/** Dry run of `db.transactGet()`: the TransactGetItems it would send (none for no targets). */
export function transactGetRequests(db: Database, targets: TransactGetTargets): DryRunRequest[] {
  const gets = transactGets(targets);
  if (gets.length > MAX_TRANSACTION_ACTIONS) throw new TransactionTooLargeError(gets.length, MAX_TRANSACTION_ACTIONS);
  return gets.length ? [dryRun('TransactGetItems', transactGetParams(db, gets))] : [];
}

/** Reads up to 100 items of any models in one serializable snapshot; `null` where missing or of another entity. */
export async function transactGet<T extends TransactGetTargets>(db: Database, targets: T): Promise<TransactGetResult<T>> {
  const models = targets.map(([m]) => m as unknown as ModelClassRuntime);
  const items = await sendTransactGet(db, transactGets(targets));
  return items.map((item, i) => (item && isOf(models[i], item) ? instanceFromItem(models[i], item, db) : null)) as TransactGetResult<T>;
}
